/**
 * End-to-end tests of a whole node (embedded devnet, Helia, PGlite — and the machine's PostgreSQL when reachable)
 * through its HTTP API and the SDK.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import {
  buyAsset,
  createSoukClient,
  downloadAsset,
  getAsset,
  getProfile,
  listAsset,
  listAssets,
  publishAsset,
  purchaseLicence,
  refreshSession,
  type SoukApiError,
  setLicenceTerms,
  signAccessRequest,
  signIn,
  uploadContent,
} from '@souk/sdk';
import { createSiweMessage } from 'viem/siwe';
import { loadConfig } from './config.ts';
import { type RunningNode, startNode } from './server.ts';
import { serviceUnavailable, TEST_POSTGRES_URL } from './testing/services.ts';
import { type TempPostgres, tempPostgres } from './testing/setups.ts';

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

const POSTGRES_URL = TEST_POSTGRES_URL;

/** Creates a throw-away database on the PostgreSQL server, or returns undefined when none is reachable. */
async function tempPostgresDatabase(): Promise<TempPostgres | undefined> {
  // A reason (the suite's tests skip with it), or a throw under SOUK_REQUIRE_SERVICES=1.
  if (await serviceUnavailable('postgres')) return undefined;
  return tempPostgres('souk_test');
}

const engines: Array<{
  name: string;
  database: () => Promise<{ url?: string; drop: () => Promise<void> } | undefined>;
}> = [
  { name: 'PGlite', database: async () => ({ drop: async () => {} }) },
  { name: 'PostgreSQL', database: tempPostgresDatabase },
];

for (const engine of engines) {
  describe(`node on ${engine.name}`, () => {
    let node: RunningNode;
    let dataDir: string;
    let database: { url?: string; drop: () => Promise<void> } | undefined;
    let skip: string | undefined;

    before(async () => {
      database = await engine.database();
      if (!database) {
        skip = (await serviceUnavailable('postgres')) || `no PostgreSQL at ${POSTGRES_URL}`;
        return;
      }
      dataDir = mkdtempSync(path.join(tmpdir(), 'souk-node-'));
      const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '100000' };
      if (database.url) env.DATABASE_URL = database.url;
      const config = loadConfig({ 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()) }, env);
      node = await startNode(config, { logger: false });
    });
    after(async () => {
      await node?.stop();
      await database?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    const url = (p: string) => `${node.url}${p}`;
    const account = (i: number) => node.services.chain.devAccounts[i].account;

    test('serves health, readiness, info, metrics, OpenAPI and Swagger UI', (t) => {
      if (skip) return t.skip(skip);
      return (async () => {
        assert.deepEqual(await (await fetch(url('/health'))).json(), { status: 'ok' });
        const ready = await (await fetch(url('/ready'))).json();
        assert.deepEqual(ready.checks, { chain: true, database: true, storage: true });
        const info = await (await fetch(url('/info'))).json();
        assert.equal(info.chainId, 31337);
        assert.equal(info.database, database?.url ? 'postgresql' : 'pglite');
        const openapi = await (await fetch(url('/openapi.json'))).json();
        assert.ok(openapi.paths['/api/v1/auth/login'], 'login documented');
        assert.ok(openapi.paths['/api/v1/uploads'], 'uploads documented');
        assert.match(await (await fetch(url('/docs/'))).text(), /swagger/i);
        const metrics = await (await fetch(url('/metrics'))).text();
        assert.match(metrics, /souk_http_request_duration_seconds_bucket/);
        assert.match(metrics, /souk_indexer_lag_blocks/);
      })();
    });

    test('SIWE sign-in issues tokens; replayed, foreign-domain and expired messages are refused with problem+json', async (t) => {
      if (skip) return t.skip(skip);
      const client = createSoukClient({ url: node.url });
      const tokens = await signIn(client, { account: account(1), profile: { username: 'alice' } });
      const profile = await getProfile(client);
      assert.equal(profile.address, account(1).address.toLowerCase());
      assert.equal(profile.username, 'alice');

      // Build a message by hand to replay it.
      const challenge = await (await fetch(url('/api/v1/auth/nonce'), { method: 'POST' })).json();
      const message = createSiweMessage({ ...challenge, address: account(2).address, version: '1' });
      const signature = await account(2).signMessage({ message });
      const login = (body: unknown) =>
        fetch(url('/api/v1/auth/login'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      assert.equal((await login({ message, signature })).status, 200);
      const replay = await login({ message, signature });
      assert.equal(replay.status, 401);
      assert.equal(replay.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.match((await replay.json()).detail, /nonce/);

      const fresh = await (await fetch(url('/api/v1/auth/nonce'), { method: 'POST' })).json();
      const foreign = createSiweMessage({
        ...fresh,
        domain: 'evil.example',
        address: account(2).address,
        version: '1',
      });
      const foreignResponse = await login({
        message: foreign,
        signature: await account(2).signMessage({ message: foreign }),
      });
      assert.equal(foreignResponse.status, 401);
      assert.match((await foreignResponse.json()).detail, /domain/);

      const expired = createSiweMessage({
        ...fresh,
        address: account(2).address,
        version: '1',
        expirationTime: new Date(Date.now() - 1000),
      });
      const expiredResponse = await login({
        message: expired,
        signature: await account(2).signMessage({ message: expired }),
      });
      assert.equal(expiredResponse.status, 401);
      assert.match((await expiredResponse.json()).detail, /expired/);

      const badSignature = await login({ message: foreign.replace('evil.example', challenge.domain), signature });
      assert.equal(badSignature.status, 401);

      // Refresh tokens rotate: the second use of the same token fails.
      await refreshSession(client, { refreshToken: tokens.refreshToken });
      await assert.rejects(
        refreshSession(client, { refreshToken: tokens.refreshToken }),
        (e: SoukApiError) => e.status === 401,
      );
    });

    test('bad input gets 4xx problem+json, never a 5xx', async (t) => {
      if (skip) return t.skip(skip);
      const post = (p: string, body: string, type = 'application/json') =>
        fetch(url(p), { method: 'POST', headers: { 'content-type': type }, body });
      const malformed = await post('/api/v1/auth/login', '{"message": ');
      assert.equal(malformed.status, 400);
      assert.equal((await malformed.json()).code, 'FST_ERR_CTP_INVALID_JSON_BODY');
      const wrongTypes = await post('/api/v1/auth/login', JSON.stringify({ message: 42, signature: 'nope' }));
      assert.equal(wrongTypes.status, 400);
      const problem = await wrongTypes.json();
      assert.equal(problem.code, 'SOUK_ERR_VALIDATION');
      assert.ok(problem.errors.length >= 1);
      const huge = await post(
        '/api/v1/auth/login',
        JSON.stringify({ message: 'x'.repeat(2 * 1024 * 1024), signature: '0x00' }),
      );
      assert.equal(huge.status, 413);
      const notSiwe = await post('/api/v1/auth/login', JSON.stringify({ message: 'hello', signature: '0x1234' }));
      assert.ok(notSiwe.status >= 400 && notSiwe.status < 500, `got ${notSiwe.status}`);
      const noAuth = await fetch(url('/api/v1/auth/profile'));
      assert.equal(noAuth.status, 401);
      const badToken = await fetch(url('/api/v1/auth/profile'), { headers: { authorization: 'Bearer abc.def.ghi' } });
      assert.equal(badToken.status, 401);
      const badHash = await fetch(url('/api/v1/chain/transactions/0x1234'));
      assert.equal(badHash.status, 400);
      const badAsset = await fetch(url('/api/v1/assets/0/content'));
      assert.equal(badAsset.status, 400);
      const noAsset = await fetch(url('/api/v1/assets/999999/content'));
      assert.equal(noAsset.status, 404);
      const ready = await fetch(url('/ready'));
      assert.equal(ready.status, 200, 'node still healthy');
    });

    test('licensed content: refused without a licence (zero bytes), served after purchaseLicense, ranges, replay refused', async (t) => {
      if (skip) return t.skip(skip);
      const creator = createSoukClient({ url: node.url });
      await signIn(creator, { account: account(3) });
      const plaintext = randomBytes(3 * 1024 * 1024 + 123);
      const upload = await uploadContent(creator, { data: plaintext });
      assert.equal(upload.size, plaintext.length);
      assert.equal(upload.sha256, createHash('sha256').update(plaintext).digest('hex'));
      assert.equal(upload.encrypted, true);
      const published = await publishAsset(creator, {
        uploadId: upload.uploadId,
        name: 'Receipt OCR',
        kind: 'model',
        description: 'Reads receipts',
        license: { terms: 'CC-BY-4.0', price: '1000000000000000' },
        royaltyBps: 500,
      });
      assert.ok(published.assetId, 'minted by the node for the devnet account');
      assert.match(published.manifestCid, /^bafkrei/);
      const assetId = BigInt(published.assetId as string);
      const { licenses } = node.services.chain.deployment.contracts;
      const consumer = createSoukClient({ url: node.url });

      // No access request at all → 401, and no content bytes.
      const anonymous = await fetch(url(`/api/v1/assets/${assetId}/content`));
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      // A valid signature from an account without a licence → 403.
      await assert.rejects(
        downloadAsset(consumer, { assetId, account: account(4), chainId: 31337, licenses }),
        (e: SoukApiError) => e.status === 403 && /licence/.test(e.problem.detail),
      );

      // The creator sets terms and account 4 buys a licence, through the API (the node signs for devnet accounts).
      await setLicenceTerms(creator, { assetId, price: 10n ** 15n, durationSeconds: 3600 });
      await signIn(consumer, { account: account(4) });
      const bought = await purchaseLicence(consumer, { assetId });
      assert.equal(bought.transactionHashes.length, 1);
      const licence = await (await fetch(url(`/api/v1/licences/${assetId}/${account(4).address}`))).json();
      assert.equal(licence.hasAccess, true);

      // A wallet user gets unsigned transactions instead.
      const unsigned = await purchaseLicence(consumer, { assetId, mode: 'unsigned' });
      assert.equal(unsigned.transactions?.[0].to.toLowerCase(), licenses.toLowerCase());
      assert.equal(unsigned.transactions?.[0].value, String(10n ** 15n));

      const full = await downloadAsset(consumer, { assetId, account: account(4), chainId: 31337, licenses });
      const body = Buffer.from(await full.arrayBuffer());
      assert.equal(full.status, 200);
      assert.ok(body.equals(plaintext), 'plaintext round-trips');

      const partial = await downloadAsset(consumer, {
        assetId,
        account: account(4),
        chainId: 31337,
        licenses,
        range: { start: 1024 * 1024 - 5, end: 2 * 1024 * 1024 + 4 },
      });
      assert.equal(partial.status, 206);
      assert.equal(
        partial.headers.get('content-range'),
        `bytes ${1024 * 1024 - 5}-${2 * 1024 * 1024 + 4}/${plaintext.length}`,
      );
      assert.ok(
        Buffer.from(await partial.arrayBuffer()).equals(plaintext.subarray(1024 * 1024 - 5, 2 * 1024 * 1024 + 5)),
      );

      // Replaying the exact same signed request is refused.
      const accessRequest = await signAccessRequest({ assetId, account: account(4), chainId: 31337, licenses });
      const first = await downloadAsset(consumer, { assetId, accessRequest, range: { start: 0, end: 9 } });
      assert.ok(Buffer.from(await first.arrayBuffer()).equals(plaintext.subarray(0, 10)));
      await assert.rejects(
        downloadAsset(consumer, { assetId, accessRequest }),
        (e: SoukApiError) => e.status === 401 && /already used/.test(e.problem.detail),
      );
      // The index serves it with the manifest's name; text search finds it.
      const found = await waitFor(async () =>
        (await listAssets(consumer, { kind: 'model', q: 'Receipt' })).items.find((a) => a.id === String(assetId)),
      );
      assert.equal(found.name, 'Receipt OCR');
      assert.equal(found.creator, account(3).address.toLowerCase());
      const detail = await getAsset(consumer, { assetId });
      assert.equal(detail.versions.length, 1);
      const mine = await waitFor(async () => {
        const res = await (
          await fetch(url('/api/v1/licences/mine'), { headers: { authorization: `Bearer ${consumer.accessToken}` } })
        ).json();
        return res.items.find((l: { assetId: string }) => l.assetId === String(assetId));
      });
      assert.equal(mine.active, true);

      const manifest = await (await fetch(url(`/api/v1/assets/${assetId}/manifest`))).json();
      assert.equal(manifest.content.sha256, upload.sha256);
      assert.equal(manifest.royaltyBps, 500);
    });

    test('marketplace: list and buy through the API; the index, WebSocket and analytics follow', async (t) => {
      if (skip) return t.skip(skip);
      const seller = createSoukClient({ url: node.url });
      await signIn(seller, { account: account(5) });
      const upload = await uploadContent(seller, { data: new TextEncoder().encode('public agent'), encrypt: false });
      const published = await publishAsset(seller, {
        uploadId: upload.uploadId,
        name: 'Public agent',
        kind: 'agent',
        license: { terms: 'MIT' },
        royaltyBps: 1000,
      });
      const assetId = BigInt(published.assetId as string);
      // Public content streams without any access request.
      const open = await fetch(url(`/api/v1/assets/${assetId}/content`));
      assert.equal(await open.text(), 'public agent');

      const socket = new WebSocket(url('/ws').replace('http', 'ws'));
      const received: Array<{ event: string; topic: string }> = [];
      await new Promise<void>((resolve, reject) => {
        socket.onopen = () =>
          socket.send(JSON.stringify({ type: 'subscribe', topics: ['listing'], filter: { assetId: String(assetId) } }));
        socket.onerror = () => reject(new Error('websocket error'));
        socket.onmessage = (m) => {
          const message = JSON.parse(String(m.data));
          if (message.type === 'subscribed') resolve();
          if (message.type === 'event') received.push(message);
        };
      });

      await listAsset(seller, { assetId, price: 2n * 10n ** 18n });
      const buyer = createSoukClient({ url: node.url });
      await signIn(buyer, { account: account(6) });
      const bought = await buyAsset(buyer, { assetId });
      assert.equal(bought.transactionHashes.length, 1);

      const owned = await waitFor(async () => {
        const res = await (await fetch(url(`/api/v1/marketplace/user/${account(6).address}/agents`))).json();
        return res.items.find((a: { id: string }) => a.id === String(assetId));
      });
      assert.equal(owned.owner, account(6).address.toLowerCase());
      await waitFor(async () => (received.some((e) => e.event === 'Sold') ? true : undefined));
      assert.deepEqual(
        received.map((e) => e.event),
        ['Listed', 'Sold'],
      );
      socket.close();

      const volume = await (await fetch(url('/api/v1/analytics/volume?bucket=day'))).json();
      const native = volume.items.find((v: { currency: string }) => /^0x0{40}$/.test(v.currency));
      assert.ok(BigInt(native.sales_volume) >= 2n * 10n ** 18n);
      const listings = await (await fetch(url('/api/v1/marketplace/list?active=false'))).json();
      assert.ok(listings.items.some((l: { assetId: string }) => l.assetId === String(assetId)));
      // Buying again (no listing) is a clear 404, not a revert or a 500.
      await assert.rejects(buyAsset(buyer, { assetId }), (e: SoukApiError) => e.status === 404);
    });
  });
}
