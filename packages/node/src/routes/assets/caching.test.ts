/**
 * HTTP caching of the asset read path on a running node: a manifest by CID is immutable (its bytes hash to the CID;
 * `ETag` = the quoted CID, `Cache-Control: public, max-age=31536000, immutable`, `If-None-Match` → 304 without a
 * body), an asset's current manifest revalidates (`no-cache`, weak ETag of its CID, 304 while unchanged), errors
 * carry no cache headers, and licensed plaintext is `private, no-store`.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { createSoukClient, downloadAsset, publishAsset, type SoukClient, signIn, uploadContent } from '@souk/sdk';
import { CID } from 'multiformats/cid';
import { loadConfig } from '../../config.ts';
import { type RunningNode, startNode } from '../../server.ts';
import { ifNoneMatch } from './read.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('ifNoneMatch', () => {
  test('weak comparison, lists and *', () => {
    assert.equal(ifNoneMatch('"a"', '"a"'), true);
    assert.equal(ifNoneMatch('W/"a"', '"a"'), true);
    assert.equal(ifNoneMatch('"a"', 'W/"a"'), true);
    assert.equal(ifNoneMatch('"x", "a"', '"a"'), true);
    assert.equal(ifNoneMatch('*', '"a"'), true);
    assert.equal(ifNoneMatch('"b"', '"a"'), false);
    assert.equal(ifNoneMatch('a', '"a"'), false);
    assert.equal(ifNoneMatch(undefined, '"a"'), false);
  });
});

describe('HTTP caching of manifests and licensed content', () => {
  let node: RunningNode;
  let dataDir: string;
  let client: SoukClient;
  let licensed: { assetId: bigint; manifestCid: string };
  let open: { assetId: bigint; manifestCid: string };

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-caching-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_SAMPLE_MODEL: '0' },
    );
    node = await startNode(config, { logger: false });
    client = createSoukClient({ url: node.url });
    await signIn(client, { account: node.services.chain.devAccounts[1].account });
    const publish = async (encrypt: boolean) => {
      const upload = await uploadContent(client, { data: randomBytes(4096), encrypt });
      const published = await publishAsset(client, {
        uploadId: upload.uploadId,
        name: encrypt ? 'Licensed model' : 'Open model',
        kind: 'model',
        license: { terms: encrypt ? 'proprietary' : 'MIT' },
        royaltyBps: 0,
      });
      assert.ok(published.assetId);
      return { assetId: BigInt(published.assetId), manifestCid: published.manifestCid };
    };
    licensed = await publish(true);
    open = await publish(false);
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = {}) => fetch(`${node.url}${url}`, { headers });

  test('GET /manifests/:cid is immutable: the stored bytes, ETag = CID, max-age one year', async () => {
    for (const { manifestCid } of [licensed, open]) {
      const response = await get(`/api/v1/manifests/${manifestCid}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('etag'), `"${manifestCid}"`);
      assert.equal(response.headers.get('cache-control'), IMMUTABLE);
      const bytes = Buffer.from(await response.arrayBuffer());
      const cid = CID.parse(manifestCid);
      assert.deepEqual(
        Buffer.from(cid.multihash.digest),
        createHash('sha256').update(bytes).digest(),
        'the body hashes to the CID',
      );
      assert.equal(JSON.parse(bytes.toString('utf8')).content.cid !== undefined, true);
    }
  });

  test('GET /manifests/:cid with a matching If-None-Match answers 304 without a body', async () => {
    for (const tag of [`"${open.manifestCid}"`, `W/"${open.manifestCid}"`, `"other", "${open.manifestCid}"`, '*']) {
      const response = await get(`/api/v1/manifests/${open.manifestCid}`, { 'if-none-match': tag });
      assert.equal(response.status, 304, tag);
      assert.equal((await response.arrayBuffer()).byteLength, 0);
      assert.equal(response.headers.get('etag'), `"${open.manifestCid}"`);
      assert.equal(response.headers.get('cache-control'), IMMUTABLE);
    }
    const stale = await get(`/api/v1/manifests/${open.manifestCid}`, { 'if-none-match': `"${licensed.manifestCid}"` });
    assert.equal(stale.status, 200);
  });

  test('an unknown manifest CID is a 404 problem that is not cached', async () => {
    const unknown = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
    const response = await get(`/api/v1/manifests/${unknown}`, { 'if-none-match': `"${unknown}"` });
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /problem\+json/);
    assert.equal(response.headers.get('cache-control'), null);
    assert.equal(response.headers.get('etag'), null);
    const malformed = await get('/api/v1/manifests/not-a-cid');
    assert.equal(malformed.status, 400);
  });

  test('GET /assets/:id/manifest revalidates: no-cache, weak ETag of the current CID, 304 while unchanged', async () => {
    const response = await get(`/api/v1/assets/${open.assetId}/manifest`);
    assert.equal(response.status, 200);
    const etag = response.headers.get('etag');
    assert.equal(etag, `W/"${open.manifestCid}"`);
    assert.equal(response.headers.get('cache-control'), 'public, no-cache');
    const again = await get(`/api/v1/assets/${open.assetId}/manifest`, { 'if-none-match': etag as string });
    assert.equal(again.status, 304);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    const other = await get(`/api/v1/assets/${licensed.assetId}/manifest`, { 'if-none-match': etag as string });
    assert.equal(other.status, 200);
  });

  test('licensed plaintext is private, no-store', async () => {
    const response = await downloadAsset(client, {
      assetId: licensed.assetId,
      account: node.services.chain.devAccounts[1].account,
      chainId: node.services.chain.deployment.chainId,
      licenses: node.services.chain.deployment.contracts.licenses,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'private, no-store');
    await response.arrayBuffer();
  });
});
