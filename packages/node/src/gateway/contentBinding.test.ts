/**
 * Copy-minting: a token minted (through the API or straight on-chain) with someone else's manifest must never reach
 * that manifest's content — not as a licensed download, not as an order. Whole node (embedded devnet, Helia, PGlite)
 * through its HTTP API, the SDK and wallets sending to the chain directly.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentNftAbi, computeEscrowAbi, licensesAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { type JobOrder, jobOrderToJson, jobOrderTypedData, Verification } from '@souk/protocol';
import {
  createSoukClient,
  downloadAsset,
  getAsset,
  mintManifest,
  publishAsset,
  publishAssetVersion,
  purchaseLicence,
  SoukApiError,
  type SoukClient,
  setLicenceTerms,
  signIn,
  uploadContent,
} from '@souk/sdk';
import {
  type Abi,
  type Address,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  parseEventLogs,
  zeroAddress,
} from 'viem';
import { createReferee } from '../compute/referee.ts';
import { loadConfig } from '../config.ts';
import { openDatabase, type SoukDb } from '../db/index.ts';
import { backfillContentBindings } from '../db/migrations/0004_content_binding.ts';
import { type RunningNode, startNode } from '../server.ts';

/** A 1×1 PNG: an input the OCR pipeline's order-time check accepts. */
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** Polls `probe` until it returns a value (the indexer runs behind the chain by a poll interval). */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the index');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Asserts that `promise` rejects with a problem+json SoukApiError of `status` whose detail matches `detail`. */
async function rejectsWith(promise: Promise<unknown>, status: number, detail: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SoukApiError, `expected a SoukApiError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    assert.match(error.problem.detail, detail);
    return true;
  });
}

describe('copy-minting defeats nothing: content is released only for the asset its publisher minted', () => {
  let node: RunningNode;
  let dataDir: string;
  const clients = new Map<number, SoukClient>();

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-binding-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_SAMPLE_MODEL: '0' },
    );
    node = await startNode(config, { logger: false });
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const account = (i: number) => node.services.chain.devAccounts[i].account;
  const contracts = () => node.services.chain.deployment.contracts;
  const publicClient = () => node.services.chain.publicClient;
  async function as(i: number): Promise<SoukClient> {
    let client = clients.get(i);
    if (!client) {
      client = createSoukClient({ url: node.url });
      await signIn(client, { account: account(i) });
      clients.set(i, client);
    }
    return client;
  }
  /** Sends a transaction from dev account `i`'s own wallet (not through the node) and waits for its receipt. */
  async function send(i: number, call: { to: Address; data?: Hex; value?: bigint }) {
    const wallet = createWalletClient({
      account: account(i),
      chain: publicClient().chain,
      transport: http(node.services.chain.rpcUrl),
    });
    const hash = await wallet.sendTransaction({ ...call, chain: publicClient().chain });
    const receipt = await publicClient().waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    return receipt;
  }
  async function write(i: number, abi: Abi, address: Address, functionName: string, args: unknown[], value?: bigint) {
    const wallet = createWalletClient({
      account: account(i),
      chain: publicClient().chain,
      transport: http(node.services.chain.rpcUrl),
    });
    const hash = await wallet.writeContract({
      abi,
      address,
      functionName,
      args,
      value,
      chain: publicClient().chain,
    } as never);
    const receipt = await publicClient().waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    return receipt;
  }
  /** Mints `uri` straight on AgentNFT from account `i`'s wallet — what anyone can do. Returns the token id. */
  async function mintOnChain(i: number, uri: string, how: 'mint' | 'mintAgent' = 'mint'): Promise<bigint> {
    const args = how === 'mint' ? [account(i).address, uri, 0, 0] : [account(i).address, uri];
    const receipt = await write(i, agentNftAbi, contracts().agentNft, how, args);
    const [minted] = parseEventLogs({ abi: agentNftAbi, logs: receipt.logs, eventName: 'AssetMinted' });
    return minted.args.tokenId;
  }
  const totalMinted = () =>
    publicClient().readContract({ address: contracts().agentNft, abi: agentNftAbi, functionName: 'totalMinted' });
  const download = async (i: number, assetId: bigint) => {
    const response = await downloadAsset(await as(i), {
      assetId,
      account: account(i),
      chainId: node.services.chain.deployment.chainId,
      licenses: contracts().licenses,
    });
    return Buffer.from(await response.arrayBuffer());
  };
  /** Publishes fresh encrypted content as account `i` (the node mints); returns the asset, its manifest and bytes. */
  async function publish(i: number, extra: Partial<Parameters<typeof publishAsset>[1]> = {}) {
    const plaintext = randomBytes(64 * 1024 + 17);
    const upload = await uploadContent(await as(i), { data: plaintext });
    const published = await publishAsset(await as(i), {
      uploadId: upload.uploadId,
      name: 'Original model',
      kind: 'model',
      license: { terms: 'proprietary' },
      royaltyBps: 500,
      ...extra,
    });
    return { ...published, assetId: published.assetId ? BigInt(published.assetId) : null, upload, plaintext };
  }

  test('copy-minting a foreign manifest through the API is refused', async () => {
    const original = await publish(3);
    assert.ok(original.assetId);
    const mallory = await as(5);
    const before = await totalMinted();

    for (const mode of ['submit', 'unsigned'] as const) {
      await rejectsWith(
        mintManifest(mallory, { manifestCid: original.manifestCid, kind: 'model', royaltyBps: 0, mint: { mode } }),
        403,
        /published by 0x[0-9a-f]{40}: only its publisher can mint it/,
      );
    }
    // Nor through a new asset or a version of her own built from the victim's upload.
    await rejectsWith(
      publishAsset(mallory, {
        uploadId: original.upload.uploadId,
        name: 'copy',
        kind: 'model',
        license: { terms: 'x' },
        royaltyBps: 0,
      }),
      403,
      /belongs to another account/,
    );
    const own = await publish(5);
    await rejectsWith(
      publishAssetVersion(mallory, {
        assetId: own.assetId as bigint,
        uploadId: original.upload.uploadId,
        name: 'copy',
        kind: 'model',
        license: { terms: 'x' },
        royaltyBps: 0,
      }),
      403,
      /belongs to another account/,
    );
    // The publisher cannot mint the same content twice either: a second token would never reach it.
    const alice = await as(3);
    await rejectsWith(
      mintManifest(alice, { manifestCid: original.manifestCid, kind: 'model', royaltyBps: 0 }),
      409,
      new RegExp(`already published as asset ${original.assetId}`),
    );
    await rejectsWith(
      publishAsset(alice, {
        uploadId: original.upload.uploadId,
        name: 'again',
        kind: 'model',
        license: { terms: 'x' },
        royaltyBps: 0,
      }),
      409,
      /already published as asset/,
    );
    assert.equal(await totalMinted(), before + 1n, 'only mallory’s own asset was minted');
    // The problem is RFC 9457 problem+json.
    const raw = await fetch(`${node.url}/api/v1/models/mint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mallory.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ manifestCid: original.manifestCid, kind: 'model', royaltyBps: 0 }),
    });
    assert.equal(raw.status, 403);
    assert.match(raw.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });

  test('an on-chain copy mint of a foreign manifest never reaches plaintext', async () => {
    const original = await publish(3);
    const assetId = original.assetId as bigint;
    for (const how of ['mint', 'mintAgent'] as const) {
      const copy = await mintOnChain(5, original.manifestUri, how);
      // The chain says mallory owns it and has access: only the node's binding stands in the way.
      const access = await publicClient().readContract({
        address: contracts().licenses,
        abi: licensesAbi,
        functionName: 'hasAccess',
        args: [account(5).address, copy],
      });
      assert.equal(access, true);
      await rejectsWith(download(5, copy), 403, new RegExp(`Asset ${copy} is a copy.*asset ${assetId} only`));
      // Still refused once the indexer has applied the copy's mint.
      await waitFor(async () => (await getAsset(await as(5), { assetId: copy }).catch(() => undefined)) ?? undefined);
      await rejectsWith(download(5, copy), 403, /is a copy/);
      const manifest = await fetch(`${node.url}/api/v1/assets/${copy}/manifest`);
      assert.equal(manifest.status, 403);
    }
    // The original still serves its owner and, once licensed, a licensee.
    assert.ok((await download(3, assetId)).equals(original.plaintext));
    await setLicenceTerms(await as(3), { assetId, price: 10n ** 15n, durationSeconds: 3600 });
    await rejectsWith(download(4, assetId), 403, /licen/);
    await purchaseLicence(await as(4), { assetId });
    assert.ok((await download(4, assetId)).equals(original.plaintext));
  });

  test('a front-run copy of a pending wallet mint never binds; the publisher’s own wallet mint does', async () => {
    const plaintext = randomBytes(10_000);
    const alice = await as(3);
    const upload = await uploadContent(alice, { data: plaintext });
    const prepared = await publishAsset(alice, {
      uploadId: upload.uploadId,
      name: 'Wallet model',
      kind: 'model',
      license: { terms: 'proprietary' },
      royaltyBps: 100,
      mint: { mode: 'unsigned' },
    });
    assert.ok(prepared.transaction);
    // Mallory saw the manifest URI in the mempool and mints it first.
    const copy = await mintOnChain(5, prepared.manifestUri);
    // The copy is indexed (and served a refusal) before the publisher's own mint lands.
    await waitFor(async () => (await getAsset(alice, { assetId: copy }).catch(() => undefined)) ?? undefined);
    await rejectsWith(download(5, copy), 403, /was minted by 0x[0-9a-f]{40}, but the content .* was published by/);
    const receipt = await send(3, { to: prepared.transaction.to as Address, data: prepared.transaction.data as Hex });
    const [minted] = parseEventLogs({ abi: agentNftAbi, logs: receipt.logs, eventName: 'AssetMinted' });
    const assetId = minted.args.tokenId;
    assert.ok(assetId > copy, 'the copy was minted first');
    assert.ok((await download(3, assetId)).equals(plaintext), 'served at once, before or after indexing');
    await rejectsWith(download(5, copy), 403, new RegExp(`asset ${assetId} only`));
    const indexed = await waitFor(async () => {
      const a = await getAsset(alice, { assetId }).catch(() => undefined);
      return a?.name ? a : undefined;
    });
    assert.equal(indexed.name, 'Wallet model');
    // Hooks run in chain order, so the copy's ran before: it is not listed under the original's name.
    const listed = await getAsset(alice, { assetId: copy });
    assert.equal(listed.name, null, 'the copy does not get the original’s name');
    assert.equal(listed.description, null);
    await rejectsWith(download(5, copy), 403, /is a copy/);
    assert.ok((await download(3, assetId)).equals(plaintext));
  });

  test('a copied model cannot be run as an order', async () => {
    const original = await publish(3, { runtime: { engine: 'onnxruntime', pipeline: 'ocr' } });
    const copy = await mintOnChain(5, original.manifestUri);
    const mallory = await as(5);
    const { chainId } = node.services.chain.deployment;
    const escrow = contracts().computeEscrow;
    // A valid input (a 1×1 PNG for the ocr pipeline), so that only the copy is refused.
    const input = await uploadContent(mallory, { data: PNG_1X1 });
    const escrowed = () =>
      publicClient().readContract({
        address: escrow,
        abi: computeEscrowAbi,
        functionName: 'balanceOf',
        args: [zeroAddress, account(5).address],
      });
    const orderRows = async () =>
      (
        await node.services.db
          .selectFrom('orders')
          .select('order_hash')
          .where('requester', '=', account(5).address.toLowerCase())
          .execute()
      ).length;
    const [escrowBefore, ordersBefore] = [await escrowed(), await orderRows()];
    const post = (body: Record<string, unknown>) =>
      mallory.json('/api/v1/orders', { method: 'POST', body: { ...body } });
    // The devnet path (the node signs and deposits for the account), with the input inline and as an upload …
    for (const inputField of [{ input: PNG_1X1.toString('base64') }, { uploadId: input.uploadId }]) {
      await rejectsWith(
        post({ assetId: copy.toString(), maxPriceWei: (10n ** 15n).toString(), redundancy: 1, ...inputField }),
        403,
        /is a copy/,
      );
    }
    // … and an order Mallory signs herself.
    const order: JobOrder = {
      requester: account(5).address,
      modelId: copy,
      modelVersion: 0,
      inputHash: `0x${input.sha256}` as Hex,
      currency: zeroAddress,
      maxPrice: 10n ** 15n,
      redundancy: 1,
      verification: Verification.Exact,
      deadline: (await publicClient().getBlock()).timestamp + 300n,
      nonce: BigInt(`0x${randomBytes(16).toString('hex')}`),
    };
    const signature = await account(5).signTypedData(jobOrderTypedData(chainId, escrow, order));
    await rejectsWith(post({ order: jobOrderToJson(order), signature, uploadId: input.uploadId }), 403, /is a copy/);
    assert.equal(await escrowed(), escrowBefore, 'nothing deposited into the escrow');
    assert.equal(await orderRows(), ordersBefore, 'no order stored');

    // The node's referee (which audits orders and settles their disputes) refuses the copy's model alike.
    const referee = createReferee(node.services);
    try {
      await assert.rejects(referee.runModel(copy, PNG_1X1), (error: Error & { statusCode?: number }) => {
        assert.equal(error.statusCode, 403);
        assert.match(error.message, /is a copy/);
        return true;
      });
    } finally {
      await referee.close();
    }

    // The original is accepted as an order.
    const accepted = await (await as(3)).json<{ orderHash: string }>('/api/v1/orders', {
      method: 'POST',
      body: {
        assetId: (original.assetId as bigint).toString(),
        maxPriceWei: (10n ** 15n).toString(),
        redundancy: 1,
        input: PNG_1X1.toString('base64'),
      },
    });
    assert.match(accepted.orderHash, /^0x[0-9a-f]{64}$/);
  });

  test('versions: a later owner publishes versions (node and wallet) and reads them; re-minting or copying them is refused', async () => {
    const original = await publish(3);
    const assetId = original.assetId as bigint;
    // Alice sells (here: transfers) the asset to bob.
    await write(3, agentNftAbi, contracts().agentNft, 'transferFrom', [
      account(3).address,
      account(6).address,
      assetId,
    ]);
    const bob = await as(6);

    const v1 = randomBytes(5_000);
    const u1 = await uploadContent(bob, { data: v1 });
    const version = { name: 'v1', kind: 'model' as const, license: { terms: 'proprietary' }, royaltyBps: 500 };
    const published = await publishAssetVersion(bob, { assetId, uploadId: u1.uploadId, ...version });
    assert.equal(published.version, 1);
    assert.ok((await download(6, assetId)).equals(v1), 'the new owner reads the version the node published');

    const v2 = randomBytes(6_000);
    const u2 = await uploadContent(bob, { data: v2 });
    const prepared = await publishAssetVersion(bob, {
      assetId,
      uploadId: u2.uploadId,
      ...version,
      name: 'v2',
      mint: { mode: 'unsigned' },
    });
    assert.ok(prepared.transaction);
    await send(6, { to: prepared.transaction.to as Address, data: prepared.transaction.data as Hex });
    // From a wallet, the version's content is released once the indexer has seen its owner publish it.
    const read = await waitFor(async () => {
      try {
        return await download(6, assetId);
      } catch (error) {
        if (error instanceof SoukApiError && error.status === 409) return undefined;
        throw error;
      }
    });
    assert.ok(read.equals(v2), 'the wallet-published version is served');
    // Bob can republish his bound v1 upload on the same asset, but not as a version of another asset of his.
    await publishAssetVersion(bob, { assetId, uploadId: u1.uploadId, ...version, name: 'v1 again' });
    assert.ok((await download(6, assetId)).equals(v1));
    const other = await publish(6);
    await rejectsWith(
      publishAssetVersion(bob, { assetId: other.assetId as bigint, uploadId: u1.uploadId, ...version }),
      409,
      new RegExp(`already published as asset ${assetId}`),
    );

    // Alice, the creator, no longer owns it: re-minting what she sold is refused, through the API and on-chain.
    await rejectsWith(
      mintManifest(await as(3), { manifestCid: original.manifestCid, kind: 'model', royaltyBps: 0 }),
      409,
      new RegExp(`already published as asset ${assetId}`),
    );
    const remint = await mintOnChain(3, original.manifestUri);
    await rejectsWith(download(3, remint), 403, new RegExp(`asset ${assetId} only`));

    // Mallory publishes bob's v2 manifest as a version of her own asset: refused once indexed, never served.
    const own = await publish(5);
    await write(5, agentNftAbi, contracts().agentNft, 'publishVersion', [own.assetId, prepared.manifestUri]);
    await rejectsWith(download(5, own.assetId as bigint), 403, /is a copy/);
  });

  // Last: it rewinds the devnet.
  test('a reorg that hands the publisher’s token id to a copy moves no content: the copy is refused, the re-sent mint binds', async () => {
    const testClient = createTestClient({ mode: 'anvil', transport: http(node.services.chain.rpcUrl) });
    const snapshot = await testClient.snapshot();
    const original = await publish(3);
    const assetId = original.assetId as bigint;
    await waitFor(async () =>
      (await getAsset(await as(3), { assetId }).catch(() => undefined))?.name ? true : undefined,
    );
    assert.ok((await download(3, assetId)).equals(original.plaintext));

    // On the other branch, mallory's copy is mined first and gets the same token id; alice's mint lands after it.
    await testClient.revert({ id: snapshot });
    const copy = await mintOnChain(5, original.manifestUri);
    assert.equal(copy, assetId);
    // Refused at once, before the indexer has noticed the reorg: the chain no longer holds the publisher's mint.
    await rejectsWith(download(5, copy), 403, /is a copy/);
    const resent = await write(3, agentNftAbi, contracts().agentNft, 'mint', [
      account(3).address,
      original.manifestUri,
      0,
      500,
    ]);
    const [minted] = parseEventLogs({ abi: agentNftAbi, logs: resent.logs, eventName: 'AssetMinted' });
    await testClient.mine({ blocks: 3 });
    await waitFor(async () => {
      const rebuilt = await getAsset(await as(5), { assetId: copy }).catch(() => undefined);
      return rebuilt?.creator === account(5).address.toLowerCase() ? true : undefined;
    });
    await waitFor(async () => await getAsset(await as(3), { assetId: minted.args.tokenId }).catch(() => undefined));
    await rejectsWith(download(5, copy), 403, /is a copy/);
    assert.ok((await download(3, minted.args.tokenId)).equals(original.plaintext), 'bound to the re-sent mint');
  });
});

describe('backfillContentBindings (migration 0004)', () => {
  let db: SoukDb;
  before(async () => {
    db = await openDatabase({ inMemory: true });
  });
  after(() => db.close());

  test('binds existing uploads to their publisher’s first asset and version, never to an earlier copy', async () => {
    const [victim, mallory, buyer] = [`0x${'a'.repeat(40)}`, `0x${'b'.repeat(40)}`, `0x${'c'.repeat(40)}`];
    const at = new Date('2026-01-01T00:00:00Z');
    await db
      .insertInto('uploads')
      .values([
        {
          id: 'u0',
          uploader: victim,
          content_cid: 'c0',
          size: 1,
          sha256: '0'.repeat(64),
          wrapped_key: 'k',
          encryption: null,
        },
        {
          id: 'u1',
          uploader: buyer,
          content_cid: 'c1',
          size: 1,
          sha256: '1'.repeat(64),
          wrapped_key: 'k',
          encryption: null,
        },
      ])
      .execute();
    await db
      .insertInto('manifests')
      .values([
        { cid: 'm0', upload_id: 'u0', kind: 'model', name: 'v0', description: null, created_by: victim },
        { cid: 'm1', upload_id: 'u1', kind: 'model', name: 'v1', description: null, created_by: buyer },
      ])
      .execute();
    const asset = (id: string, creator: string, block: number) => ({
      id,
      kind: 'model' as const,
      creator,
      owner: creator,
      royalty_bps: 0,
      manifest_uri: 'ipfs://m0',
      version_count: 1,
      created_block: block,
      created_at: at,
      updated_block: block,
    });
    // Asset 1: mallory's copy of m0, minted first. Asset 2: the victim's own mint, later sold to the buyer, who
    // publishes m1 as version 1 — after mallory already put m1 on her copy as a version.
    await db
      .insertInto('assets')
      .values([asset('1', mallory, 10), asset('2', victim, 11)])
      .execute();
    const version = (assetId: string, v: number, uri: string, block: number) => ({
      asset_id: assetId,
      version: v,
      uri,
      block_number: block,
      tx_hash: `0x${assetId}${v}`,
      created_at: at,
    });
    await db
      .insertInto('asset_versions')
      .values([
        version('1', 0, 'ipfs://m0', 10),
        version('2', 0, 'ipfs://m0', 11),
        version('1', 1, 'ipfs://m1', 13),
        version('2', 1, 'ipfs://m1', 14),
      ])
      .execute();
    const transfer = (token: string, from: string, to: string, block: number) => ({
      tx_hash: `0xt${token}${block}`,
      log_index: 0,
      token_id: token,
      from_address: from,
      to_address: to,
      block_number: block,
      timestamp: at,
    });
    await db
      .insertInto('transfers')
      .values([
        transfer('1', zeroAddress, mallory, 10),
        transfer('2', zeroAddress, victim, 11),
        transfer('2', victim, buyer, 12),
      ])
      .execute();

    assert.equal(await backfillContentBindings(db), 2);
    const rows = await db
      .selectFrom('content_bindings')
      .select(['upload_id', 'asset_id', 'version', 'publisher', 'source'])
      .orderBy('upload_id')
      .execute();
    assert.deepEqual(rows, [
      { upload_id: 'u0', asset_id: '2', version: 0, publisher: victim, source: 'backfill' },
      { upload_id: 'u1', asset_id: '2', version: 1, publisher: buyer, source: 'backfill' },
    ]);
    assert.equal(await backfillContentBindings(db), 0, 'idempotent');
  });
});
