/**
 * The access matrix: every protected resource × every kind of bad credential → the expected refusal (status and
 * problem reason), with no protected byte sent and nothing written. One node on the embedded devnet, one provider
 * agent (which can be told to accept assignments and never commit, so a job stays `Assigned`), a licensed asset
 * and two jobs: one finalized, one held `Assigned`.
 *
 * The table is {@link matrix}: one {@link Resource} per protected resource, one {@link Cell} per credential in
 * {@link CREDENTIALS}; a credential that cannot apply to a resource is listed in `notApplicable` with the reason,
 * and a test checks that every resource accounts for every credential. To add a row (e.g. a copied asset), push
 * another `contentResource({ … })` (or a hand-written {@link Resource}) onto `matrix`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentNftAbi, computeMarketAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import {
  accessRequestDomain,
  accessRequestTypes,
  JOB_ACCESS_HEADER,
  jobAccessDomain,
  jobAccessTypes,
} from '@souk/protocol';
import { createProviderAgent, type ProviderAgent } from '@souk/provider';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import {
  createApiKey,
  createSoukClient,
  publishAsset,
  purchaseLicence,
  revokeApiKey,
  runJob,
  type SoukClient,
  setLicenceTerms,
  signIn,
  submitJob,
  uploadContent,
} from '@souk/sdk';
import { SignJWT } from 'jose';
import {
  type Address,
  createWalletClient,
  type Hex,
  http,
  type LocalAccount,
  parseEther,
  toHex,
  zeroAddress,
} from 'viem';
import { loadConfig } from '../config.ts';
import { diffSnapshots, writeSnapshotter } from '../fuzz/snapshot.ts';
import { type RunningNode, startNode } from '../server.ts';

/** The credential columns of the matrix. */
const CREDENTIALS = [
  'none',
  'wrong account',
  'expired',
  'replayed',
  'case-mutated nonce',
  "other contract's EIP-712 domain",
  'other chain id',
  'copied asset',
] as const;
type Credential = (typeof CREDENTIALS)[number];

/** One cell: how to send the request with that credential, and the refusal expected. */
type Cell = { status: number; detail: RegExp; send: () => Promise<Response> };
/** One row. */
type Resource = {
  name: string;
  cells: Partial<Record<Credential, Cell>>;
  /** Credentials that cannot apply here, with the reason (instead of a cell). */
  notApplicable?: Partial<Record<Credential, string>>;
  /** Bytes of the protected content: no refusal may carry any of it. */
  secret?: () => Uint8Array;
  /** Checked after each refusal: nothing was written (e.g. no stored result). */
  nothingWritten?: () => Promise<void>;
};

let node: RunningNode;
let dataDir: string;
let agent: ProviderAgent;
/** When true, the agent accepts assignments and never commits (the job stays `Assigned`). */
let holdJobs = false;

const acct = (i: number): LocalAccount => node.services.chain.devAccounts[i].account;
const creator = () => acct(3);
const licensee = () => acct(4);
const stranger = () => acct(2);
const requester = () => acct(1);
const provider = () => acct(9);
const unassignedProvider = () => acct(8);

const url = (p: string) => `${node.url}${p}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const randomNonce = () => toHex(crypto.getRandomValues(new Uint8Array(32)));
const upperNonce = (nonce: Hex) => `0x${nonce.slice(2).toUpperCase()}` as Hex;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let plaintext: Uint8Array;
let assetId: bigint;
/** A token the stranger minted from its own wallet with the licensed asset's manifest URI (a copy). */
let copyId: bigint;
let inputPng: Uint8Array;
let finalizedJob: bigint;
let assignedJob: bigint;
let modelPrefix: Uint8Array;
let requesterClient: SoukClient;
let strangerClient: SoukClient;
let revokedKey: string;
let strangerKeyId: string;

type SignOptions = {
  signer?: LocalAccount;
  nonce?: Hex;
  expiry?: number;
  chainId?: number;
  verifyingContract?: Address;
};

/** An `X-Souk-Access` header for asset `id`, with any field overridden. */
async function accessHeader(id: bigint, o: SignOptions = {}): Promise<{ value: string; nonce: Hex; raw: object }> {
  const { chainId, contracts } = node.services.chain.deployment;
  const signer = o.signer ?? licensee();
  const nonce = o.nonce ?? randomNonce();
  const expiry = o.expiry ?? nowSeconds() + 300;
  const signature = await signer.signTypedData({
    domain: accessRequestDomain(o.chainId ?? chainId, o.verifyingContract ?? contracts.licenses),
    types: accessRequestTypes,
    primaryType: 'AccessRequest',
    message: { consumer: signer.address, assetId: id, nonce, expiry: BigInt(expiry) },
  });
  const raw = { consumer: signer.address, assetId: String(id), nonce, expiry, signature };
  return { value: b64(raw), nonce, raw };
}

/** An `X-Souk-Job-Access` header for job `id`, with any field overridden. */
async function jobHeader(id: bigint, o: SignOptions = {}): Promise<{ value: string; nonce: Hex; raw: object }> {
  const { chainId, contracts } = node.services.chain.deployment;
  const signer = o.signer ?? provider();
  const nonce = o.nonce ?? randomNonce();
  const expiry = o.expiry ?? nowSeconds() + 300;
  const signature = await signer.signTypedData({
    domain: jobAccessDomain(o.chainId ?? chainId, o.verifyingContract ?? contracts.computeMarket),
    types: jobAccessTypes,
    primaryType: 'JobAccess',
    message: { provider: signer.address, jobId: id, nonce, expiry: BigInt(expiry) },
  });
  const raw = { provider: signer.address, jobId: String(id), nonce, expiry, signature };
  return { value: b64(raw), nonce, raw };
}

/** Sends a request once successfully (asserting it), then returns the second sending. */
async function usedOnceThen(
  first: () => Promise<Response>,
  firstStatus: number,
  again: () => Promise<Response>,
): Promise<Response> {
  const response = await first();
  assert.equal(response.status, firstStatus, `first use answers ${firstStatus}`);
  await response.arrayBuffer();
  return again();
}

/** A row for `GET /assets/:id/content` of a licensed asset. */
function contentResource({ name, id }: { name: string; id: () => bigint }): Resource {
  const get = (header?: string) =>
    fetch(url(`/api/v1/assets/${id()}/content`), { headers: header ? { 'x-souk-access': header } : {} });
  return {
    name,
    secret: () => plaintext,
    cells: {
      none: { status: 401, detail: /X-Souk-Access/, send: () => get() },
      'wrong account': {
        status: 403,
        detail: /holds no valid licence/,
        send: async () => get((await accessHeader(id(), { signer: stranger() })).value),
      },
      expired: {
        status: 401,
        detail: /expired/,
        send: async () => get((await accessHeader(id(), { expiry: nowSeconds() - 5 })).value),
      },
      replayed: {
        status: 401,
        detail: /already used/,
        send: async () => {
          const { value } = await accessHeader(id());
          return usedOnceThen(
            () => get(value),
            200,
            () => get(value),
          );
        },
      },
      'case-mutated nonce': {
        status: 401,
        detail: /already used/,
        send: async () => {
          const { value, nonce, raw } = await accessHeader(id());
          return usedOnceThen(
            () => get(value),
            200,
            () => get(b64({ ...raw, nonce: upperNonce(nonce) })),
          );
        },
      },
      "other contract's EIP-712 domain": {
        status: 401,
        detail: /signature/,
        send: async () =>
          get(
            (await accessHeader(id(), { verifyingContract: node.services.chain.deployment.contracts.computeMarket }))
              .value,
          ),
      },
      'other chain id': {
        status: 401,
        detail: /signature/,
        send: async () => get((await accessHeader(id(), { chainId: 1 })).value),
      },
      // The copy's owner holds access on-chain to its own token (`hasAccess`), and signs a valid request for it.
      'copied asset': {
        status: 403,
        detail: /is a copy: .*releases it for asset \d+ only/,
        send: async () =>
          fetch(url(`/api/v1/assets/${copyId}/content`), {
            headers: { 'x-souk-access': (await accessHeader(copyId, { signer: stranger() })).value },
          }),
      },
    },
  };
}

/** A row for the job gateway's downloads (`GET /jobs/:id/model|input`) while the job is `Assigned`. */
function jobDownloadResource(part: 'model' | 'input'): Resource {
  const get = (header?: string) =>
    fetch(url(`/api/v1/jobs/${assignedJob}/${part}`), { headers: header ? { [JOB_ACCESS_HEADER]: header } : {} });
  return {
    name: `job gateway GET /jobs/:id/${part} (job Assigned)`,
    secret: () => (part === 'model' ? modelPrefix : inputPng),
    cells: jobAccessCells((header) => get(header), 200),
    notApplicable: { 'copied asset': NO_JOB_ON_A_COPY },
  };
}

/** The job-access cells shared by the downloads and the result upload. */
function jobAccessCells(send: (header?: string) => Promise<Response>, okStatus: number): Resource['cells'] {
  const job = () => assignedJob;
  return {
    none: { status: 401, detail: /X-Souk-Job-Access/, send: () => send() },
    'wrong account': {
      status: 403,
      detail: /is not assigned to job/,
      send: async () => send((await jobHeader(job(), { signer: unassignedProvider() })).value),
    },
    expired: {
      status: 401,
      detail: /expired/,
      send: async () => send((await jobHeader(job(), { expiry: nowSeconds() - 5 })).value),
    },
    replayed: {
      status: 401,
      detail: /already used/,
      send: async () => {
        const { value } = await jobHeader(job());
        return usedOnceThen(
          () => send(value),
          okStatus,
          () => send(value),
        );
      },
    },
    'case-mutated nonce': {
      status: 401,
      detail: /already used/,
      send: async () => {
        const { value, nonce, raw } = await jobHeader(job());
        return usedOnceThen(
          () => send(value),
          okStatus,
          () => send(b64({ ...raw, nonce: upperNonce(nonce) })),
        );
      },
    },
    "other contract's EIP-712 domain": {
      status: 401,
      detail: /signature/,
      send: async () =>
        send((await jobHeader(job(), { verifyingContract: node.services.chain.deployment.contracts.licenses })).value),
    },
    'other chain id': {
      status: 401,
      detail: /signature/,
      send: async () => send((await jobHeader(job(), { chainId: 1 })).value),
    },
  };
}

/** Result bytes the upload cells send (never stored: every cell is refused). */
const resultBytes = new TextEncoder().encode('{"lines":[]}');
const resultHash = `0x${createHash('sha256').update(resultBytes).digest('hex')}`;

const storedResults = async (jobId: bigint) =>
  (await node.services.db.selectFrom('job_results').selectAll().where('job_id', '=', String(jobId)).execute()).length;

/** `POST /jobs/:id/results` while the job is `Assigned`. */
function resultUploadResource(): Resource {
  // The first use of a replayed header sends a wrong result hash: its nonce is spent, nothing is stored.
  const post = (header?: string, hash = resultHash) =>
    fetch(url(`/api/v1/jobs/${assignedJob}/results`), {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'x-souk-result-hash': hash,
        ...(header ? { [JOB_ACCESS_HEADER]: header } : {}),
      },
      body: resultBytes,
    });
  const cells = jobAccessCells((header) => post(header), 201);
  for (const key of ['replayed', 'case-mutated nonce'] as const) {
    cells[key] = {
      ...(cells[key] as Cell),
      send: async () => {
        const { value, nonce, raw } = await jobHeader(assignedJob);
        const first = await post(value, `0x${'00'.repeat(32)}`);
        assert.equal(first.status, 400, 'first use: wrong result hash, nonce spent, nothing stored');
        await first.arrayBuffer();
        return post(key === 'replayed' ? value : b64({ ...raw, nonce: upperNonce(nonce) }));
      },
    };
  }
  return {
    name: 'job gateway POST /jobs/:id/results (job Assigned)',
    cells,
    notApplicable: { 'copied asset': NO_JOB_ON_A_COPY },
    nothingWritten: async () => assert.equal(await storedResults(assignedJob), 0, 'no result stored'),
  };
}

/** A JWT signed with `key`, claims chosen by the test. */
function jwt(key: Uint8Array, sub: string, { iat, exp }: { iat?: number; exp?: number | null } = {}) {
  const token = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('souk-node')
    .setSubject(sub.toLowerCase())
    .setIssuedAt(iat ?? nowSeconds());
  if (exp !== null) token.setExpirationTime(exp ?? nowSeconds() + 60);
  return token.sign(key);
}

/** Cells of bearer-token resources (the credentials' analogues: tokens and API keys). */
function bearerCells(
  send: (headers: Record<string, string>) => Promise<Response>,
  wrongAccount?: Cell,
): Resource['cells'] {
  const bearer = async (token: Promise<string>) => send({ authorization: `Bearer ${await token}` });
  const who = () => requester().address;
  return {
    none: { status: 401, detail: /Authorization: Bearer/, send: () => send({}) },
    ...(wrongAccount ? { 'wrong account': wrongAccount } : {}),
    expired: {
      status: 401,
      detail: /"exp" claim timestamp check failed/,
      send: () => bearer(jwt(node.services.jwtKey, who(), { iat: nowSeconds() - 120, exp: nowSeconds() - 60 })),
    },
    // Replayed: an API key used again after it was revoked.
    replayed: { status: 401, detail: /Unknown or revoked API key/, send: () => send({ 'x-api-key': revokedKey }) },
    // Case-mutated: a live API key with its case flipped (keys are compared by hash, exactly).
    'case-mutated nonce': {
      status: 401,
      detail: /Unknown or revoked API key/,
      send: async () => {
        const { key } = await createApiKey(requesterClient, { label: 'case' });
        const flipped = [...key].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
        return send({ 'x-api-key': flipped });
      },
    },
    // Another issuer's domain: a token signed with another node's key.
    "other contract's EIP-712 domain": {
      status: 401,
      detail: /signature verification failed/,
      send: () => bearer(jwt(new Uint8Array(32).fill(7), who())),
    },
    // Not a chain id here: a token of this node's key without `exp` (everlasting) or minted for a day.
    'other chain id': {
      status: 401,
      detail: /"exp" claim/,
      send: async () => {
        const forever = await bearer(jwt(node.services.jwtKey, who(), { exp: null }));
        assert.equal(forever.status, 401, 'a token without exp is refused');
        await forever.arrayBuffer();
        return bearer(jwt(node.services.jwtKey, who(), { exp: nowSeconds() + 24 * 3600 }));
      },
    },
  };
}

/** Why the copied-asset column does not apply to the job gateway's rows. */
const NO_JOB_ON_A_COPY =
  'no job on a copy reaches a provider: POST /jobs and the coordinator refuse a copied model before escrow or ' +
  "assignment (gateway/contentBinding.test.ts, 'a copied model cannot be run as a job')";
/** Why it does not apply to bearer-authenticated account resources. */
const BEARER_NAMES_NO_ASSET = 'a bearer token or API key names an account, not an asset';

const matrix: Resource[] = [
  contentResource({ name: 'GET /assets/:id/content (licensed asset)', id: () => assetId }),
  jobDownloadResource('model'),
  jobDownloadResource('input'),
  resultUploadResource(),
  {
    name: 'GET /jobs/:id/result (finalized job)',
    cells: bearerCells((headers) => fetch(url(`/api/v1/jobs/${finalizedJob}/result`), { headers }), {
      status: 403,
      detail: /Only the requester/,
      send: () =>
        fetch(url(`/api/v1/jobs/${finalizedJob}/result`), {
          headers: { authorization: `Bearer ${strangerClient.accessToken}` },
        }),
    }),
    notApplicable: { 'copied asset': NO_JOB_ON_A_COPY },
  },
  {
    name: 'GET /auth/profile',
    cells: bearerCells((headers) => fetch(url('/api/v1/auth/profile'), { headers })),
    notApplicable: {
      'wrong account': "a valid token of any account reads that account's own profile only",
      'copied asset': BEARER_NAMES_NO_ASSET,
    },
  },
  {
    name: 'API keys: POST /auth/api-keys, DELETE /auth/api-keys/:id',
    cells: bearerCells(
      (headers) =>
        fetch(url('/api/v1/auth/api-keys'), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ label: 'matrix' }),
        }),
      {
        status: 404,
        detail: /No active API key/,
        send: () =>
          fetch(url(`/api/v1/auth/api-keys/${strangerKeyId}`), {
            method: 'DELETE',
            headers: { authorization: `Bearer ${requesterClient.accessToken}` },
          }),
      },
    ),
    notApplicable: { 'copied asset': BEARER_NAMES_NO_ASSET },
  },
];

const readJob = (jobId: bigint) =>
  node.services.chain.publicClient.readContract({
    address: node.services.chain.deployment.contracts.computeMarket,
    abi: computeMarketAbi,
    functionName: 'getJob',
    args: [jobId],
  });

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('access matrix', () => {
  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-matrix-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_AUDIT_RATE: '0', SOUK_COMMIT_TIMEOUT_SECONDS: '3600' },
    );
    node = await startNode(config, { logger: false });
    agent = createProviderAgent({
      account: provider(),
      rpcUrl: node.services.chain.rpcUrl,
      chainId: node.services.chain.deployment.chainId,
      contracts: node.services.chain.deployment.contracts,
      bus: node.services.bus as NonNullable<typeof node.services.bus>,
      dataDir: path.join(dataDir, 'provider'),
      heartbeatIntervalMs: 500,
      revealPollMs: 200,
      faults: { neverCommit: () => holdJobs },
    });
    await agent.start();

    // A licensed asset, and a licence for `licensee`.
    const creatorClient = createSoukClient({ url: node.url });
    await signIn(creatorClient, { account: creator() });
    plaintext = crypto.getRandomValues(new Uint8Array(4096));
    const upload = await uploadContent(creatorClient, { data: plaintext });
    const published = await publishAsset(creatorClient, {
      uploadId: upload.uploadId,
      name: 'Matrix model',
      kind: 'model',
      license: { terms: 'proprietary', price: '1000000000000000' },
      royaltyBps: 0,
    });
    assetId = BigInt(published.assetId as string);
    await setLicenceTerms(creatorClient, { assetId, price: 10n ** 15n, durationSeconds: 3600 });
    const licenseeClient = createSoukClient({ url: node.url });
    await signIn(licenseeClient, { account: licensee() });
    await purchaseLicence(licenseeClient, { assetId });
    // The copy: the stranger mints, from its own wallet, a token whose URI is the licensed asset's manifest.
    {
      const { chain } = node.services;
      const { agentNft } = chain.deployment.contracts;
      const uri = await chain.publicClient.readContract({
        address: agentNft,
        abi: agentNftAbi,
        functionName: 'tokenURI',
        args: [assetId],
      });
      const { result, request } = await chain.publicClient.simulateContract({
        account: stranger(),
        address: agentNft,
        abi: agentNftAbi,
        functionName: 'mintAgent',
        args: [stranger().address, uri],
      });
      const wallet = createWalletClient({ account: stranger(), transport: http(chain.rpcUrl) });
      await chain.publicClient.waitForTransactionReceipt({
        hash: await wallet.writeContract({ ...request, chain: null }),
      });
      copyId = result;
    }

    // Bearer credentials: the requester's session, a stranger's session and key, a revoked key.
    requesterClient = createSoukClient({ url: node.url });
    await signIn(requesterClient, { account: requester() });
    strangerClient = createSoukClient({ url: node.url });
    await signIn(strangerClient, { account: stranger() });
    strangerKeyId = (await createApiKey(strangerClient, { label: 'stranger' })).id;
    const revoked = await createApiKey(requesterClient, { label: 'revoked' });
    await revokeApiKey(requesterClient, { id: revoked.id });
    revokedKey = revoked.key;

    // One finalized job (the agent runs it), then one held Assigned (the agent accepts and never commits).
    const out = path.join(dataDir, 'input.png');
    renderText(findImageMagick(), { out, text: 'Souk 42', font: dejavuFont('DejaVuSans.ttf'), pointSize: 40 });
    inputPng = new Uint8Array(readFileSync(out));
    const sampleId = node.sampleModelId as bigint;
    const handle = await runJob(requesterClient, {
      assetId: sampleId,
      input: inputPng,
      redundancy: 1,
      maxPriceWei: parseEther('0.01'),
    });
    await handle.result();
    handle.close();
    finalizedJob = handle.jobId;
    holdJobs = true;
    const { uploadId } = await uploadContent(requesterClient, { data: inputPng, encrypt: true });
    const submitted = await submitJob(requesterClient, {
      assetId: sampleId,
      uploadId,
      redundancy: 1,
      rewardWei: parseEther('0.01'),
    });
    assignedJob = BigInt(submitted.jobId as string);
    await until(async () => ((await readJob(assignedJob)).status === 2 ? true : undefined), 'the job to be assigned');
  });

  after(async () => {
    await agent?.stop().catch(() => {});
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('positive controls: the right credential gets the content (so every refusal below is the credential’s)', async () => {
    const content = await fetch(url(`/api/v1/assets/${assetId}/content`), {
      headers: { 'x-souk-access': (await accessHeader(assetId)).value },
    });
    assert.equal(content.status, 200);
    assert.ok(Buffer.from(await content.arrayBuffer()).equals(Buffer.from(plaintext)));
    const model = await fetch(url(`/api/v1/jobs/${assignedJob}/model`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(assignedJob)).value },
    });
    assert.equal(model.status, 200);
    const modelBytes = new Uint8Array(await model.arrayBuffer());
    assert.ok(modelBytes.length > 1024);
    modelPrefix = modelBytes.subarray(0, 1024);
    const input = await fetch(url(`/api/v1/jobs/${assignedJob}/input`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(assignedJob)).value },
    });
    assert.equal(input.status, 200);
    assert.ok(Buffer.from(await input.arrayBuffer()).equals(Buffer.from(inputPng)));
    const result = await fetch(url(`/api/v1/jobs/${finalizedJob}/result`), {
      headers: { authorization: `Bearer ${requesterClient.accessToken}` },
    });
    assert.equal(result.status, 200);
    const profile = await fetch(url('/api/v1/auth/profile'), {
      headers: { authorization: `Bearer ${requesterClient.accessToken}` },
    });
    assert.equal(profile.status, 200);
  });

  test('every resource accounts for every credential (a cell or a reason)', () => {
    for (const resource of matrix) {
      for (const credential of CREDENTIALS) {
        const cell = resource.cells[credential];
        const reason = resource.notApplicable?.[credential];
        assert.ok(!!cell !== !!reason, `${resource.name} × ${credential}: exactly one of a cell or a reason`);
      }
    }
  });

  for (const resource of matrix) {
    for (const credential of CREDENTIALS) {
      const cell = resource.cells[credential];
      if (!cell) continue; // listed in notApplicable, checked above
      test(`${resource.name} × ${credential} → ${cell.status} ${cell.detail}`, async () => {
        const response = await cell.send();
        const body = Buffer.from(await response.arrayBuffer());
        assert.equal(response.status, cell.status, body.toString().slice(0, 300));
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const problem = JSON.parse(body.toString('utf8')) as { status: number; detail: string; code: string };
        assert.equal(problem.status, cell.status);
        assert.match(problem.detail, cell.detail);
        const secret = resource.secret?.();
        if (secret) {
          assert.ok(body.length < 2048, 'a problem, not content');
          assert.ok(!body.includes(Buffer.from(secret.subarray(0, 32))), 'no content bytes');
        }
        await resource.nothingWritten?.();
      });
    }
  }

  test('job gateway: an unassigned signer of a running job is told it holds no slot, not that the job is over', async () => {
    assert.equal((await readJob(assignedJob)).status, 2, 'the job is Assigned');
    const running = await fetch(url(`/api/v1/jobs/${assignedJob}/input`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(assignedJob, { signer: unassignedProvider() })).value },
    });
    assert.equal(running.status, 403);
    const runningDetail = ((await running.json()) as { detail: string }).detail;
    assert.match(runningDetail, new RegExp(`${unassignedProvider().address} is not assigned to job ${assignedJob}`));
    assert.doesNotMatch(runningDetail, /not running/);
    // The assigned provider on a settled job gets the status refusal instead.
    const settled = await fetch(url(`/api/v1/jobs/${finalizedJob}/input`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(finalizedJob)).value },
    });
    assert.equal(settled.status, 403);
    assert.match(((await settled.json()) as { detail: string }).detail, /is not running \(status 5\)/);
  });

  test('GET /jobs/:id/result: the requester of a job still Assigned gets 409, a stranger 403', async () => {
    const early = await fetch(url(`/api/v1/jobs/${assignedJob}/result`), {
      headers: { authorization: `Bearer ${requesterClient.accessToken}` },
    });
    assert.equal(early.status, 409);
    assert.match(((await early.json()) as { detail: string }).detail, /no verified result yet/);
    const foreign = await fetch(url(`/api/v1/jobs/${assignedJob}/result`), {
      headers: { authorization: `Bearer ${strangerClient.accessToken}` },
    });
    assert.equal(foreign.status, 403);
  });

  test('regression: a job submitted on-chain naming another requester’s input hash gets no input released', async () => {
    // Input hashes are public (JobSubmitted). The stranger submits, from its own wallet, a job on the sample model
    // naming the requester's input; the node assigns it like any job, and its provider asks for the input.
    const { chain } = node.services;
    const wallet = createWalletClient({
      account: stranger(),
      chain: chain.publicClient.chain,
      transport: http(chain.rpcUrl),
    });
    const block = await chain.publicClient.getBlock();
    const inputHash = `0x${createHash('sha256').update(inputPng).digest('hex')}` as Hex;
    const reward = parseEther('0.01');
    const tx = await wallet.writeContract({
      address: chain.deployment.contracts.computeMarket,
      abi: computeMarketAbi,
      functionName: 'submitJob',
      args: [node.sampleModelId as bigint, inputHash, reward, zeroAddress, 1, Number(block.timestamp) + 900],
      value: reward,
      chain: null,
    });
    await chain.publicClient.waitForTransactionReceipt({ hash: tx });
    const jobId = (await chain.publicClient.readContract({
      address: chain.deployment.contracts.computeMarket,
      abi: computeMarketAbi,
      functionName: 'jobCount',
    })) as bigint;
    await until(
      async () => ((await readJob(jobId)).status === 2 ? true : undefined),
      'the copied-input job to be assigned',
    );
    const response = await fetch(url(`/api/v1/jobs/${jobId}/input`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(jobId)).value },
    });
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(response.status, 404, body.toString('utf8').slice(0, 300));
    assert.match(body.toString('utf8'), /holds no input with hash/);
    assert.ok(!body.includes(Buffer.from(inputPng.subarray(0, 64))), 'no byte of the requester’s input is sent');
    // Control: the requester's own job on the same input hash is served to its provider.
    const own = await fetch(url(`/api/v1/jobs/${assignedJob}/input`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(assignedJob)).value },
    });
    assert.equal(own.status, 200);
    assert.ok(Buffer.from(await own.arrayBuffer()).equals(Buffer.from(inputPng)));
  });

  test('regression: a result that is not JSON is refused at upload (the requester’s GET /result would be a 500)', async () => {
    const garbage = new Uint8Array([0xff, 0xfe, 0x00, 0x01]);
    const response = await fetch(url(`/api/v1/jobs/${assignedJob}/results`), {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        [JOB_ACCESS_HEADER]: (await jobHeader(assignedJob)).value,
        'x-souk-result-hash': `0x${createHash('sha256').update(garbage).digest('hex')}`,
      },
      body: garbage,
    });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { detail: string }).detail, /not UTF-8 JSON/);
    assert.equal(await storedResults(assignedJob), 0, 'nothing stored');
  });

  test('regression: a runtime record the database cannot store (NUL) is refused before the result block is written', async () => {
    const snapshot = await writeSnapshotter(node.services.db, dataDir);
    const before = await snapshot();
    const record = Buffer.from(JSON.stringify({ ort: 'onnxruntime-node\u0000' })).toString('base64url');
    const response = await fetch(url(`/api/v1/jobs/${assignedJob}/results`), {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        [JOB_ACCESS_HEADER]: (await jobHeader(assignedJob)).value,
        'x-souk-result-hash': resultHash,
        'x-souk-runtime-record': record,
      },
      body: resultBytes,
    });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.match(
      ((await response.json()) as { detail: string }).detail,
      /x-souk-runtime-record\/ort must not contain NUL/,
    );
    // The job access nonce (authentication, before the body is read) is spent; no result block or row is written.
    const changed = diffSnapshots(before, await snapshot()).filter(
      (line) => line.startsWith('job_results') || line.startsWith('blockstore files'),
    );
    assert.deepEqual(changed, [], 'no result block and no result row');
  });

  test('result upload: a body whose SHA-256 is not x-souk-result-hash (or no hash) is refused, nothing stored', async () => {
    const post = async (hash: string | undefined, body: Uint8Array<ArrayBuffer>) =>
      fetch(url(`/api/v1/jobs/${assignedJob}/results`), {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          [JOB_ACCESS_HEADER]: (await jobHeader(assignedJob)).value,
          ...(hash ? { 'x-souk-result-hash': hash } : {}),
        },
        body,
      });
    const tampered = new TextEncoder().encode('{"lines":[{"text":"forged"}]}');
    const wrong = await post(resultHash, tampered);
    assert.equal(wrong.status, 400);
    assert.match(((await wrong.json()) as { detail: string }).detail, /is not the SHA-256 of the body/);
    const missing = await post(undefined, resultBytes);
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { detail: string }).detail, /\(missing\)/);
    assert.equal(await storedResults(assignedJob), 0, 'nothing stored');
    // The matching hash (upper-case hex is the same hash) is stored under the signer.
    const ok = await post(resultHash.toUpperCase().replace('0X', '0x'), resultBytes);
    assert.equal(ok.status, 201);
    assert.equal(((await ok.json()) as { resultHash: string }).resultHash, resultHash);
    const rows = await node.services.db
      .selectFrom('job_results')
      .selectAll()
      .where('job_id', '=', String(assignedJob))
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.provider, r.result_hash]),
      [[provider().address.toLowerCase(), resultHash]],
    );
  });

  test('the content route refuses an access request in the query string (URLs are logged) with 400', async () => {
    const { value } = await accessHeader(assetId);
    const response = await fetch(url(`/api/v1/assets/${assetId}/content?access=${value}`));
    assert.equal(response.status, 400);
    const problem = (await response.json()) as { detail: string; instance: string };
    assert.match(problem.detail, /X-Souk-Access header/);
    assert.equal(problem.instance, `/api/v1/assets/${assetId}/content`, 'the problem does not echo the query');
    // Refused before anything was verified or written: the same request in the header still works, once.
    const viaHeader = await fetch(url(`/api/v1/assets/${assetId}/content`), { headers: { 'x-souk-access': value } });
    assert.equal(viaHeader.status, 200);
    await viaHeader.arrayBuffer();
  });
});
