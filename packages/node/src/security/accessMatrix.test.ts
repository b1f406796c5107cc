/**
 * The access matrix: every protected resource × every kind of bad credential → the expected refusal (status and
 * problem reason), with no protected byte sent and nothing written. One node on the embedded devnet, one provider
 * agent (which can be told to accept assignments and never commit, so an order stays `running`), a licensed asset
 * and two orders: one answered, one held `running` (the order gateway releases its model and input to its provider).
 *
 * The table is {@link matrix}: one {@link Resource} per protected resource, one {@link Cell} per credential in
 * {@link CREDENTIALS}; a credential that cannot apply to a resource is listed in `notApplicable` with the reason,
 * and a test checks that every resource accounts for every credential. To add a row (e.g. a copied asset), push
 * another `contentResource({ … })` (or a hand-written {@link Resource}) onto `matrix`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentNftAbi } from '@souk/contracts';
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
  runOrder,
  type SoukClient,
  setLicenceTerms,
  signIn,
  uploadContent,
} from '@souk/sdk';
import { SignJWT } from 'jose';
import { type Address, createWalletClient, type Hex, http, type LocalAccount, parseEther, toHex } from 'viem';
import { loadConfig } from '../config.ts';
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
/** When true, the agent accepts assignments and never commits (the order stays `running`). */
let holdOrders = false;

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
/** An order the agent ran and the node answered (its result agreed). */
let answeredOrder: Hex;
/** An order the agent holds a slot of and never commits: `running`. */
let runningOrder: Hex;
/** The requester's (encrypted) upload of the running order's input. */
let inputUploadId: string;
/** The answered order's result (base64, as `GET /orders/:hash` sends it). */
let answeredResult: string;
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

/**
 * An `X-Souk-Job-Access` header for order `hash` (its `jobId` is the order hash as a uint256, under the
 * ComputeEscrow's domain), with any field overridden.
 */
async function jobHeader(hash: Hex, o: SignOptions = {}): Promise<{ value: string; nonce: Hex; raw: object }> {
  const { chainId, contracts } = node.services.chain.deployment;
  const signer = o.signer ?? provider();
  const nonce = o.nonce ?? randomNonce();
  const expiry = o.expiry ?? nowSeconds() + 300;
  const jobId = BigInt(hash);
  const signature = await signer.signTypedData({
    domain: jobAccessDomain(o.chainId ?? chainId, o.verifyingContract ?? contracts.computeEscrow),
    types: jobAccessTypes,
    primaryType: 'JobAccess',
    message: { provider: signer.address, jobId, nonce, expiry: BigInt(expiry) },
  });
  const raw = { provider: signer.address, jobId: String(jobId), nonce, expiry, signature };
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
            (await accessHeader(id(), { verifyingContract: node.services.chain.deployment.contracts.computeEscrow }))
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

/** A row for the order gateway's downloads (`GET /orders/:hash/model|input`) while the order is `running`. */
function orderDownloadResource(part: 'model' | 'input'): Resource {
  const get = (header?: string) =>
    fetch(url(`/api/v1/orders/${runningOrder}/${part}`), { headers: header ? { [JOB_ACCESS_HEADER]: header } : {} });
  return {
    name: `order gateway GET /orders/:hash/${part} (order running)`,
    secret: () => (part === 'model' ? modelPrefix : inputPng),
    cells: jobAccessCells((header) => get(header), 200),
    notApplicable: { 'copied asset': NO_JOB_ON_A_COPY },
  };
}

/** The job-access cells of the order gateway's downloads. */
function jobAccessCells(send: (header?: string) => Promise<Response>, okStatus: number): Resource['cells'] {
  const job = () => runningOrder;
  return {
    none: { status: 401, detail: /X-Souk-Job-Access/, send: () => send() },
    'wrong account': {
      status: 403,
      detail: /holds no slot of order/,
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

/** Why the copied-asset column does not apply to the order rows. */
const NO_JOB_ON_A_COPY =
  'no order on a copy reaches a provider: POST /orders refuses a copied model before any deposit or stored order, ' +
  "and the referee refuses to run it (gateway/contentBinding.test.ts, 'a copied model cannot be run as an order')";
/** Why it does not apply to bearer-authenticated account resources. */
const BEARER_NAMES_NO_ASSET = 'a bearer token or API key names an account, not an asset';

const matrix: Resource[] = [
  contentResource({ name: 'GET /assets/:id/content (licensed asset)', id: () => assetId }),
  orderDownloadResource('model'),
  orderDownloadResource('input'),
  {
    name: 'GET /orders/:hash (answered order, with its result)',
    secret: () => new TextEncoder().encode(answeredResult),
    cells: bearerCells((headers) => fetch(url(`/api/v1/orders/${answeredOrder}`), { headers }), {
      status: 403,
      detail: /Only the order’s requester/,
      send: () =>
        fetch(url(`/api/v1/orders/${answeredOrder}`), {
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
      heartbeatIntervalMs: 500,
      faults: { neverCommit: () => holdOrders },
    });
    await agent.start();
    await until(async () => (node.services.orders?.pool.live().size ? true : undefined), 'the provider’s heartbeat');

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

    // One answered order (the agent runs it), then one held running (the agent accepts and never commits).
    const out = path.join(dataDir, 'input.png');
    renderText(findImageMagick(), { out, text: 'Souk 42', font: dejavuFont('DejaVuSans.ttf'), pointSize: 40 });
    inputPng = new Uint8Array(readFileSync(out));
    const sampleId = node.sampleModelId as bigint;
    const run = await runOrder(requesterClient, {
      assetId: sampleId,
      input: inputPng,
      redundancy: 1,
      maxPriceWei: parseEther('0.01'),
    });
    answeredOrder = run.order.orderHash as Hex;
    answeredResult = run.order.result as string;
    assert.ok(answeredResult, 'the answered order carries its result');
    holdOrders = true;
    inputUploadId = (await uploadContent(requesterClient, { data: inputPng, encrypt: true })).uploadId;
    const submitted = await requesterClient.json<{ orderHash: Hex }>('/api/v1/orders', {
      method: 'POST',
      body: {
        assetId: sampleId.toString(),
        uploadId: inputUploadId,
        redundancy: 1,
        maxPriceWei: parseEther('0.01').toString(),
        deadlineSeconds: 1800,
      },
    });
    runningOrder = submitted.orderHash.toLowerCase() as Hex;
    await until(async () => {
      const order = node.services.orders?.get(runningOrder);
      return order?.state.phase === 'running' &&
        order.state.slots.some((slot) => slot.provider === provider().address.toLowerCase())
        ? true
        : undefined;
    }, 'the order to be assigned');
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
    const model = await fetch(url(`/api/v1/orders/${runningOrder}/model`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(runningOrder)).value },
    });
    assert.equal(model.status, 200);
    const modelBytes = new Uint8Array(await model.arrayBuffer());
    assert.ok(modelBytes.length > 1024);
    modelPrefix = modelBytes.subarray(0, 1024);
    const input = await fetch(url(`/api/v1/orders/${runningOrder}/input`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(runningOrder)).value },
    });
    assert.equal(input.status, 200);
    assert.ok(Buffer.from(await input.arrayBuffer()).equals(Buffer.from(inputPng)));
    const result = await fetch(url(`/api/v1/orders/${answeredOrder}`), {
      headers: { authorization: `Bearer ${requesterClient.accessToken}` },
    });
    assert.equal(result.status, 200);
    assert.equal(((await result.json()) as { result: string }).result, answeredResult);
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

  test('order gateway: an unassigned signer of a running order is told it holds no slot, not that the order is over', async () => {
    assert.equal(node.services.orders?.get(runningOrder)?.state.phase, 'running', 'the order is running');
    const running = await fetch(url(`/api/v1/orders/${runningOrder}/input`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(runningOrder, { signer: unassignedProvider() })).value },
    });
    assert.equal(running.status, 403);
    const runningDetail = ((await running.json()) as { detail: string }).detail;
    assert.match(runningDetail, new RegExp(`${unassignedProvider().address} holds no slot of order ${runningOrder}`));
    assert.doesNotMatch(runningDetail, /not running/);
    // The provider that ran the answered order gets the phase refusal instead: its content is no longer released.
    const answered = await fetch(url(`/api/v1/orders/${answeredOrder}/input`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(answeredOrder)).value },
    });
    assert.equal(answered.status, 403);
    assert.match(((await answered.json()) as { detail: string }).detail, /is not running/);
  });

  test('GET /orders/:hash: the requester of a running order sees no result yet, a stranger gets 403', async () => {
    const early = await fetch(url(`/api/v1/orders/${runningOrder}`), {
      headers: { authorization: `Bearer ${requesterClient.accessToken}` },
    });
    assert.equal(early.status, 200);
    const view = (await early.json()) as { phase: string; result: string | null; resultHash: string | null };
    assert.deepEqual([view.phase, view.result, view.resultHash], ['running', null, null]);
    const foreign = await fetch(url(`/api/v1/orders/${runningOrder}`), {
      headers: { authorization: `Bearer ${strangerClient.accessToken}` },
    });
    assert.equal(foreign.status, 403);
  });

  test('regression: an order naming another account’s upload as its input is refused, nothing stored, no input released', async () => {
    // Upload ids travel (URLs, logs): the stranger names the requester's upload as the input of its own order.
    const ordersOf = async (account: Address) =>
      (
        await node.services.db
          .selectFrom('orders')
          .select('order_hash')
          .where('requester', '=', account.toLowerCase())
          .execute()
      ).length;
    const before = await ordersOf(stranger().address);
    const response = await fetch(url('/api/v1/orders'), {
      method: 'POST',
      headers: { authorization: `Bearer ${strangerClient.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        assetId: String(node.sampleModelId),
        uploadId: inputUploadId,
        redundancy: 1,
        maxPriceWei: parseEther('0.01').toString(),
      }),
    });
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(response.status, 403, body.toString('utf8').slice(0, 300));
    assert.match(body.toString('utf8'), /belongs to another account/);
    assert.ok(!body.includes(Buffer.from(inputPng.subarray(0, 64))), 'no byte of the requester’s input is sent');
    assert.equal(await ordersOf(stranger().address), before, 'no order stored for the stranger');
    // Control: the requester's own order on that upload is served to its provider.
    const own = await fetch(url(`/api/v1/orders/${runningOrder}/input`), {
      headers: { [JOB_ACCESS_HEADER]: (await jobHeader(runningOrder)).value },
    });
    assert.equal(own.status, 200);
    assert.ok(Buffer.from(await own.arrayBuffer()).equals(Buffer.from(inputPng)));
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
