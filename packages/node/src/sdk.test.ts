/**
 * The SDK against a whole node (embedded devnet, Helia, PGlite): every action added for the read, ops, chain,
 * analytics, API-key and WebSocket endpoints, through real HTTP and a real WebSocket.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentNftAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import {
  buyAsset,
  type ChainEvent,
  checkLicence,
  createApiKey,
  createSoukClient,
  type EventTopic,
  estimateGas,
  getAssetManifest,
  getChainEvents,
  getHealth,
  getLicencesOverTime,
  getListings,
  getMarketVolume,
  getMyLicences,
  getNodeInfo,
  getOrder,
  getOwnedAssets,
  getProfile,
  getProviderStats,
  getReadiness,
  getTopAssets,
  getTransaction,
  listAsset,
  mintManifest,
  publishAsset,
  publishAssetVersion,
  purchaseLicence,
  revokeApiKey,
  SoukApiError,
  type SoukClient,
  SoukError,
  type SoukEventMessage,
  setLicenceTerms,
  signIn,
  subscribeEvents,
  updateProfile,
  uploadContent,
} from '@souk/sdk';
import { encodeFunctionData, zeroAddress } from 'viem';
import { loadConfig } from './config.ts';
import { type RunningNode, startNode } from './server.ts';

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

/** Asserts that `promise` rejects with a SoukApiError of `status` (and `code`, when given). */
async function rejectsWithStatus(promise: Promise<unknown>, status: number, code?: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SoukApiError, `expected a SoukApiError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    if (code) assert.equal(error.problem.code, code);
    return true;
  });
}

describe('SDK against a node on PGlite', () => {
  let node: RunningNode;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-sdk-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()) },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_PROVIDERS: '0', SOUK_SAMPLE_MODEL: '0' },
    );
    node = await startNode(config, { logger: false });
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const account = (i: number) => node.services.chain.devAccounts[i].account;
  const signedIn = async (i: number): Promise<SoukClient> => {
    const client = createSoukClient({ url: node.url });
    await signIn(client, { account: account(i) });
    return client;
  };
  /** Uploads `text` in clear and publishes it with the node minting for the dev account (submit mode). */
  const publish = async (client: SoukClient, name: string, kind: 'model' | 'agent' | 'dataset') => {
    const { uploadId } = await uploadContent(client, { data: new TextEncoder().encode(name), encrypt: false });
    const published = await publishAsset(client, { uploadId, name, kind, license: { terms: 'MIT' }, royaltyBps: 250 });
    assert.ok(published.assetId, 'the node minted for its devnet account');
    return BigInt(published.assetId);
  };

  test('ops: health, readiness and node info describe the devnet node', async () => {
    const client = createSoukClient({ url: node.url });
    assert.deepEqual(await getHealth(client), { status: 'ok' });
    assert.deepEqual(await getReadiness(client), {
      status: 'ready',
      checks: { chain: true, database: true, storage: true },
    });
    const info = await getNodeInfo(client);
    assert.equal(info.chainId, 31337);
    assert.equal(info.devnet, true);
    assert.equal(info.database, 'pglite');
    assert.equal(info.storage, 'helia');
    assert.equal(info.node, process.version);
    assert.equal(info.contracts.agentNft, node.services.chain.deployment.contracts.agentNft);
  });

  test('auth: updateProfile changes the profile and refuses a taken username with 409', async () => {
    const alice = await signedIn(1);
    const updated = await updateProfile(alice, { username: 'alice_sdk', email: 'alice@example.com' });
    assert.equal(updated.address, account(1).address.toLowerCase());
    assert.equal(updated.username, 'alice_sdk');
    assert.equal(updated.email, 'alice@example.com');
    assert.deepEqual(await getProfile(alice), updated);
    // Only the given field changes.
    assert.equal((await updateProfile(alice, { email: 'a@example.org' })).username, 'alice_sdk');

    const bob = await signedIn(2);
    await rejectsWithStatus(updateProfile(bob, { username: 'alice_sdk' }), 409, 'SOUK_ERR_CONFLICT');
    await rejectsWithStatus(updateProfile(bob, {}), 400);
    await rejectsWithStatus(updateProfile(createSoukClient({ url: node.url }), { username: 'nobody' }), 401);
  });

  test('auth: an API key authenticates until revokeApiKey, then gets 401', async () => {
    const owner = await signedIn(2);
    const created = await createApiKey(owner, { label: 'sdk test' });
    assert.equal(created.label, 'sdk test');
    assert.match(created.key, /^souk_key_/);
    assert.match(created.id, /^[0-9a-f-]{36}$/);

    const script = createSoukClient({ url: node.url, apiKey: created.key });
    assert.equal((await getProfile(script)).address, account(2).address.toLowerCase());

    assert.equal(await revokeApiKey(owner, { id: created.id }), undefined);
    await rejectsWithStatus(getProfile(script), 401, 'SOUK_ERR_UNAUTHORIZED');
    // Revoking twice, or someone else's key, is a 404.
    await rejectsWithStatus(revokeApiKey(owner, { id: created.id }), 404);
    const other = await createApiKey(owner, { label: 'kept' });
    await rejectsWithStatus(revokeApiKey(await signedIn(1), { id: other.id }), 404);
    assert.equal((await getProfile(createSoukClient({ url: node.url, apiKey: other.key }))).address.length, 42);
  });

  test('assets and chain: unsigned publish, estimateGas, mintManifest, getTransaction, getChainEvents, manifest, versions', async () => {
    const creator = await signedIn(3);
    const { agentNft } = node.services.chain.deployment.contracts;
    const upload = await uploadContent(creator, { data: new TextEncoder().encode('weights v1'), encrypt: false });

    // A media type that is not `type/subtype` is refused by the body schema, before anything is written.
    await rejectsWithStatus(
      publishAsset(creator, {
        uploadId: upload.uploadId,
        name: 'SDK model',
        kind: 'model',
        runtime: { engine: 'onnxruntime', pipeline: 'transcribe', inputMediaTypes: ['WAV'] },
        license: { terms: 'Apache-2.0' },
        royaltyBps: 300,
        mint: { mode: 'unsigned' },
      }),
      400,
    );

    // Manifest written but not minted: the node returns the transaction for a wallet.
    const prepared = await publishAsset(creator, {
      uploadId: upload.uploadId,
      name: 'SDK model',
      kind: 'model',
      description: 'minted through models/mint',
      runtime: { engine: 'onnxruntime', pipeline: 'transcribe', inputMediaTypes: ['audio/wav', 'audio/flac'] },
      license: { terms: 'Apache-2.0' },
      royaltyBps: 300,
      mint: { mode: 'unsigned' },
    });
    assert.equal(prepared.assetId, null);
    assert.ok(prepared.transaction);
    assert.equal(prepared.transaction.to.toLowerCase(), agentNft.toLowerCase());

    const estimate = await estimateGas(creator, {
      to: prepared.transaction.to,
      data: prepared.transaction.data,
      value: BigInt(prepared.transaction.value),
      from: account(3).address,
    });
    assert.ok(BigInt(estimate.gas) > 21_000n, `gas ${estimate.gas}`);
    assert.equal(BigInt(estimate.costWei), BigInt(estimate.gas) * BigInt(estimate.gasPriceWei));

    // An AgentNFT mint above the royalty cap would revert: 422, not a 5xx.
    const tooHigh = encodeFunctionData({
      abi: agentNftAbi,
      functionName: 'mint',
      args: [account(3).address, 'ipfs://x', 0, 5_000],
    });
    await rejectsWithStatus(
      estimateGas(creator, { to: agentNft, data: tooHigh, from: account(3).address }),
      422,
      'SOUK_ERR_CHAIN_REVERT',
    );

    const minted = await mintManifest(creator, { manifestCid: prepared.manifestCid, kind: 'model', royaltyBps: 300 });
    assert.ok(minted.assetId && minted.transactionHash);
    assert.equal(minted.manifestCid, prepared.manifestCid);
    assert.equal(minted.version, 0);
    await rejectsWithStatus(
      mintManifest(creator, { manifestCid: `bafkrei${'a'.repeat(52)}`, kind: 'model', royaltyBps: 0 }),
      404,
    );

    const receipt = await getTransaction(creator, { hash: minted.transactionHash });
    assert.equal(receipt.status, 'success');
    assert.equal(receipt.from, account(3).address.toLowerCase());
    assert.equal(receipt.to?.toLowerCase(), agentNft.toLowerCase());
    assert.ok(BigInt(receipt.gasUsed) > 0n);
    const mintedEvent = receipt.events.find((e) => e.event === 'AssetMinted');
    assert.ok(mintedEvent, `events: ${receipt.events.map((e) => e.event)}`);
    assert.equal(mintedEvent.contract, 'agentNft');
    assert.equal(mintedEvent.args.tokenId, minted.assetId);
    assert.equal(mintedEvent.args.royaltyBps, 300);
    assert.equal(mintedEvent.args.uri, minted.manifestUri);
    await rejectsWithStatus(getTransaction(creator, { hash: `0x${'ab'.repeat(32)}` }), 404);

    // The node reads the head through viem's block-number cache (its polling interval): poll until the mint shows.
    let events: ChainEvent[] = [];
    const fromChain = await waitFor(async () => {
      events = await getChainEvents(creator, { limit: 500 });
      return events.find((e) => e.event === 'AssetMinted' && e.args.tokenId === minted.assetId);
    });
    assert.equal(fromChain.transactionHash, minted.transactionHash);
    assert.ok(BigInt(events[0].blockNumber) >= BigInt(events[events.length - 1].blockNumber), 'newest first');
    assert.deepEqual(await getChainEvents(creator, { fromBlock: BigInt(receipt.blockNumber) + 1_000n }), []);

    const assetId = BigInt(minted.assetId);
    const manifest = await getAssetManifest(creator, { assetId });
    assert.equal(manifest.souk, 1);
    assert.equal(manifest.name, 'SDK model');
    assert.equal(manifest.kind, 'model');
    assert.equal(manifest.royaltyBps, 300);
    assert.equal(manifest.content.sha256, upload.sha256);
    assert.equal(manifest.content.encryption, null);
    assert.deepEqual(manifest.runtime?.inputMediaTypes, ['audio/wav', 'audio/flac']);
    await rejectsWithStatus(getAssetManifest(creator, { assetId: 999_999n }), 404);

    const v2 = await uploadContent(creator, { data: new TextEncoder().encode('weights v2'), encrypt: false });
    const version = await publishAssetVersion(creator, {
      assetId,
      uploadId: v2.uploadId,
      name: 'SDK model v2',
      kind: 'model',
      license: { terms: 'Apache-2.0' },
      royaltyBps: 300,
      inputs: [{ name: 'image', dtype: 'uint8', shape: ['batch', 224, 224, 3] }],
    });
    assert.equal(version.assetId, String(assetId));
    assert.ok(version.transactionHash);
    const versionEvent = (await getTransaction(creator, { hash: version.transactionHash })).events.find(
      (e) => e.event === 'VersionPublished',
    );
    assert.equal(versionEvent?.args.version, '1');
    const current = await getAssetManifest(creator, { assetId });
    assert.equal(current.name, 'SDK model v2');
    assert.deepEqual(current.inputs, [{ name: 'image', dtype: 'uint8', shape: ['batch', 224, 224, 3] }]);
    // Only the owner publishes versions.
    await rejectsWithStatus(
      publishAssetVersion(await signedIn(4), {
        assetId,
        uploadId: v2.uploadId,
        name: 'stolen',
        kind: 'model',
        license: { terms: 'MIT' },
        royaltyBps: 0,
      }),
      403,
    );
  });

  test('marketplace, licences, events and analytics: subscribeEvents sees Listed; listings, owners, licences and volume follow', async () => {
    const seller = await signedIn(5);
    const assetId = await publish(seller, 'SDK agent', 'agent');

    const received: SoukEventMessage[] = [];
    const subscription = await subscribeEvents(seller, {
      topics: ['listing'],
      filter: { assetId },
      onEvent: (event) => received.push(event),
    });
    const price = 3n * 10n ** 17n;
    await listAsset(seller, { assetId, price });
    const listed = await waitFor(async () => received.find((e) => e.event === 'Listed'));
    assert.equal(listed.topic, 'listing');
    assert.equal(listed.args.tokenId, String(assetId));
    assert.equal(listed.args.price, String(price));
    assert.equal(String(listed.args.seller).toLowerCase(), account(5).address.toLowerCase());
    assert.match(listed.transactionHash, /^0x[0-9a-f]{64}$/);

    const listing = await waitFor(async () =>
      (await getListings(seller, { seller: account(5).address })).items.find((l) => l.assetId === String(assetId)),
    );
    assert.equal(listing.priceWei, String(price));
    assert.equal(listing.currency, zeroAddress);
    assert.equal(listing.active, true);
    assert.equal(listing.kind, 'agent');
    assert.equal(listing.name, 'SDK agent');
    const onePage = await getListings(seller, { limit: 1 });
    assert.equal(onePage.items.length, 1);

    const buyer = await signedIn(6);
    await buyAsset(buyer, { assetId });
    await waitFor(async () => (received.some((e) => e.event === 'Sold') ? true : undefined));
    subscription.close();
    assert.deepEqual(
      received.map((e) => e.event),
      ['Listed', 'Sold'],
    );
    const owned = await waitFor(async () =>
      (await getOwnedAssets(buyer, { address: account(6).address })).find((a) => a.id === String(assetId)),
    );
    assert.equal(owned.owner, account(6).address.toLowerCase());
    assert.equal(owned.creator, account(5).address.toLowerCase());
    const closed = await waitFor(async () =>
      (await getListings(seller, { active: false })).items.find((l) => l.assetId === String(assetId)),
    );
    assert.equal(closed.active, false);
    assert.ok(!(await getListings(seller)).items.some((l) => l.assetId === String(assetId)), 'no longer open');

    // The new owner sells licences; account 7 buys one.
    const licencePrice = 10n ** 15n;
    await setLicenceTerms(buyer, { assetId, price: licencePrice, durationSeconds: 3600 });
    const licensee = await signedIn(7);
    await purchaseLicence(licensee, { assetId });
    const access = await checkLicence(licensee, { assetId, account: account(7).address });
    assert.equal(access.hasAccess, true);
    const expiresIn = Number(access.expiresAt) - Date.now() / 1000;
    assert.ok(expiresIn > 3000 && expiresIn <= 3700, `expires in ${expiresIn} s`);
    assert.deepEqual(await checkLicence(licensee, { assetId, account: account(8).address }), {
      hasAccess: false,
      expiresAt: '0',
      canTrain: false,
      trainingExpiresAt: '0',
    });
    const held = await waitFor(async () =>
      (await getMyLicences(licensee, { active: true })).find((l) => l.assetId === String(assetId)),
    );
    assert.equal(held.active, true);
    assert.equal(held.kind, 'agent');
    assert.equal(held.purchases, 1);
    assert.deepEqual(await getMyLicences(await signedIn(8)), []);
    await rejectsWithStatus(getMyLicences(createSoukClient({ url: node.url })), 401);

    const volume = await getMarketVolume(seller, { bucket: 'day' });
    assert.ok(Array.isArray(volume));
    const native = volume.find((v) => v.currency === zeroAddress);
    assert.ok(native, 'native-currency volume');
    assert.ok(BigInt(native.sales_volume) >= price);
    assert.ok(BigInt(native.licence_volume) >= licencePrice);
    assert.ok(!Number.isNaN(Date.parse(native.bucket)));
    assert.deepEqual(await getMarketVolume(seller, { since: new Date(Date.now() + 86_400_000) }), []);

    const top = await getTopAssets(seller, { limit: 100 });
    assert.ok(Array.isArray(top));
    const ranked = top.find((a) => a.id === String(assetId));
    assert.ok(ranked, 'the traded asset is ranked');
    assert.equal(BigInt(ranked.volume), BigInt(ranked.sales_volume) + BigInt(ranked.licence_volume));
    assert.ok(BigInt(ranked.volume) >= price + licencePrice);

    const licences = await getLicencesOverTime(seller, { bucket: 'hour', since: new Date(Date.now() - 86_400_000) });
    assert.ok(Array.isArray(licences));
    assert.ok(licences.some((b) => b.currency === zeroAddress && b.purchases >= 1 && b.licensees >= 1));

    const providers = await getProviderStats(seller, { limit: 5 });
    assert.ok(Array.isArray(providers.providers));
    assert.equal(typeof providers.totals.providers, 'number');
    assert.match(providers.totals.stake, /^\d+$/);
    assert.match(providers.totals.min_stake, /^\d+$/);
  });

  test('terms changed under the buyer: buyAsset and purchaseLicence with what the buyer saw get 409, nothing bought', async () => {
    const seller = await signedIn(8);
    const assetId = await publish(seller, 'SDK terms', 'agent');
    const price = 2n * 10n ** 17n;
    await listAsset(seller, { assetId, price });
    await setLicenceTerms(seller, { assetId, price: 10n ** 15n, durationSeconds: 3600 });
    const buyer = await signedIn(9);
    // The buyer saw a lower price, then the native listing; the seller re-priced and cut the licence to 1 s.
    await rejectsWithStatus(
      buyAsset(buyer, { assetId, expectedCurrency: zeroAddress, expectedPrice: price - 1n }),
      409,
    );
    await setLicenceTerms(seller, { assetId, price: 10n ** 15n, durationSeconds: 1 });
    await rejectsWithStatus(
      purchaseLicence(buyer, {
        assetId,
        expectedCurrency: zeroAddress,
        expectedPrice: 10n ** 15n,
        expectedDurationSeconds: 3600,
      }),
      409,
    );
    assert.deepEqual(await checkLicence(buyer, { assetId, account: account(9).address }), {
      hasAccess: false,
      expiresAt: '0',
      canTrain: false,
      trainingExpiresAt: '0',
    });
    // At the terms as they are, both go through.
    await purchaseLicence(buyer, {
      assetId,
      expectedCurrency: zeroAddress,
      expectedPrice: 10n ** 15n,
      expectedDurationSeconds: 1,
    });
    await buyAsset(buyer, { assetId, expectedCurrency: zeroAddress, expectedPrice: price });
  });

  test('events: subscribeEvents rejects an unknown topic, and the removed per-job `job` topic, with a SoukError', async () => {
    const client = createSoukClient({ url: node.url });
    for (const topic of ['nope', 'job']) {
      await assert.rejects(
        subscribeEvents(client, { topics: [topic as EventTopic], onEvent: () => {} }),
        (error: unknown) => error instanceof SoukError && /Unknown topics/.test(error.message),
        topic,
      );
    }
  });

  test('orders: getOrder of an order hash this node does not know is a 404 SoukApiError (401 signed out)', async () => {
    const orderHash = `0x${'ab'.repeat(32)}` as const;
    await rejectsWithStatus(getOrder(await signedIn(2), { orderHash }), 404, 'SOUK_ERR_NOT_FOUND');
    await rejectsWithStatus(getOrder(createSoukClient({ url: node.url }), { orderHash }), 401);
  });
});
