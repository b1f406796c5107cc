/**
 * The Kubo store at the request level, against a local fake of the Kubo RPC API (node:http): the requests
 * `createKuboStore` sends (paths, query parameters, multipart bodies) and how it reads the answers — CIDs checked
 * against the bytes, not-found mapped to `ContentNotFoundError` / `false`, other failures to `StoreOperationError`.
 *
 * What this does NOT test: a real Kubo daemon (none can be installed on this machine: Kubo is not on the npm
 * registry or in Debian). Whether Kubo itself honours these parameters (CIDv1, raw leaves, 1 MiB chunks, pinning)
 * is Kubo's behaviour, checked only by the contract suite in blocks.test.ts when `KUBO_API_URL` names a daemon.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as Digest from 'multiformats/hashes/digest';
import { createKuboStore } from './blocks.ts';
import { BlockDigestMismatchError, ContentNotFoundError, StoreOperationError } from './errors.ts';
import { collect } from './testing.ts';

type Seen = { method: string; path: string; query: URLSearchParams; contentType: string | undefined; body: Buffer };
type Reply = { status?: number; type?: string; body: string | Uint8Array };

const rawCid = (bytes: Uint8Array) =>
  CID.createV1(raw.code, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString();
const kuboError = (message: string): Reply => ({
  status: 500,
  type: 'application/json',
  body: JSON.stringify({ Message: message, Code: 0, Type: 'error' }),
});

/** The one file part of a multipart/form-data body, as Kubo reads it. */
function multipartFile(seen: Seen): Buffer {
  const boundary = /boundary=(.+)$/.exec(seen.contentType ?? '')?.[1];
  assert.ok(boundary, `multipart body expected, got ${seen.contentType}`);
  const start = seen.body.indexOf('\r\n\r\n') + 4;
  const end = seen.body.indexOf(`\r\n--${boundary}--`);
  assert.ok(start > 3 && end >= start, 'one file part');
  assert.match(seen.body.subarray(0, start).toString(), /Content-Disposition: form-data; name="file"/);
  return seen.body.subarray(start, end);
}

const servers: http.Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

/** A fake Kubo RPC API: records each request and answers with `handle`. */
async function fakeKubo(handle: (seen: Seen) => Reply) {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://kubo');
    const request = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks),
    };
    seen.push(request);
    const reply = handle(request);
    res.writeHead(reply.status ?? 200, { 'content-type': reply.type ?? 'application/json' });
    res.end(reply.body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, store: createKuboStore({ apiUrl: url, pingTimeoutMs: 1_000 }) };
}

const bytes = new TextEncoder().encode('souk kubo bytes');
const cid = rawCid(bytes);

describe('createKuboStore requests (fake Kubo RPC API)', () => {
  test('addFile POSTs /api/v0/add with CIDv1, raw leaves, 1 MiB chunks and pin, streaming the bytes as multipart', async () => {
    const { seen, store } = await fakeKubo((s) => ({
      type: 'application/x-ndjson',
      body: `${JSON.stringify({ Name: '', Hash: rawCid(multipartFile(s)), Size: String(multipartFile(s).length) })}\n`,
    }));
    const result = await store.addFile([bytes.subarray(0, 5), bytes.subarray(5)]);
    assert.deepEqual(result, { cid, size: bytes.length });
    assert.equal(seen.length, 1);
    const [add] = seen;
    assert.equal(add.method, 'POST');
    assert.equal(add.path, '/api/v0/add');
    assert.equal(add.query.get('cid-version'), '1');
    assert.equal(add.query.get('raw-leaves'), 'true');
    assert.equal(add.query.get('chunker'), 'size-1048576');
    assert.equal(add.query.get('pin'), 'true');
    assert.deepEqual(new Uint8Array(multipartFile(add)), bytes);
  });

  test('cat POSTs /api/v0/cat with the CID, offset and length, and yields the answer’s bytes', async () => {
    const { seen, store } = await fakeKubo(() => ({ type: 'text/plain', body: bytes.subarray(2, 6) }));
    assert.deepEqual(await collect(store.cat(cid, { offset: 2, length: 4 })), bytes.subarray(2, 6));
    assert.equal(seen[0].path, '/api/v0/cat');
    assert.equal(seen[0].query.get('arg'), cid);
    assert.equal(seen[0].query.get('offset'), '2');
    assert.equal(seen[0].query.get('length'), '4');
  });

  test('cat of a CID Kubo does not have is ContentNotFoundError', async () => {
    const { store } = await fakeKubo(() => kuboError('block was not found locally (offline): ipld: could not find'));
    await assert.rejects(collect(store.cat(cid)), (err: unknown) => err instanceof ContentNotFoundError);
  });

  test('putRaw POSTs /api/v0/block/put (sha2-256, raw codec, pinned) and returns the CID of the bytes', async () => {
    const { seen, store } = await fakeKubo((s) => ({
      body: JSON.stringify({ Key: rawCid(multipartFile(s)), Size: multipartFile(s).length }),
    }));
    assert.equal(await store.putRaw(bytes), cid);
    const [put] = seen;
    assert.equal(put.path, '/api/v0/block/put');
    assert.equal(put.query.get('mhtype'), 'sha2-256');
    assert.equal(put.query.get('cid-codec'), 'raw');
    assert.equal(put.query.get('pin'), 'true');
    assert.deepEqual(new Uint8Array(multipartFile(put)), bytes);
  });

  test('putRaw refuses a daemon that answers another CID than the bytes’ own', async () => {
    const { store } = await fakeKubo(() => ({ body: JSON.stringify({ Key: rawCid(new Uint8Array([9])), Size: 1 }) }));
    await assert.rejects(store.putRaw(bytes), BlockDigestMismatchError);
  });

  test('getRaw POSTs /api/v0/block/get and checks the digest of what comes back', async () => {
    const good = await fakeKubo(() => ({ type: 'text/plain', body: bytes }));
    assert.deepEqual(await good.store.getRaw(cid), bytes);
    assert.equal(good.seen[0].path, '/api/v0/block/get');
    assert.equal(good.seen[0].query.get('arg'), cid);
    const tampered = await fakeKubo(() => ({ type: 'text/plain', body: new TextEncoder().encode('souk kubo bytez') }));
    await assert.rejects(tampered.store.getRaw(cid), BlockDigestMismatchError);
  });

  test('has asks /api/v0/block/stat offline: true when found, false on not-found, StoreOperationError otherwise', async () => {
    const found = await fakeKubo(() => ({ body: JSON.stringify({ Key: cid, Size: bytes.length }) }));
    assert.equal(await found.store.has(cid), true);
    assert.equal(found.seen[0].path, '/api/v0/block/stat');
    assert.equal(found.seen[0].query.get('offline'), 'true');
    assert.equal(found.seen[0].query.get('arg'), cid);
    const missing = await fakeKubo(() => kuboError('block was not found locally (offline)'));
    assert.equal(await missing.store.has(cid), false);
    const broken = await fakeKubo(() => kuboError('repo is locked'));
    await assert.rejects(broken.store.has(cid), (err: unknown) => {
      assert.ok(err instanceof StoreOperationError);
      assert.match(err.message, /kubo.*check a block.*repo is locked/);
      return true;
    });
  });

  test('ping POSTs /api/v0/version: true when it answers, false on an error status', async () => {
    const up = await fakeKubo(() => ({ body: JSON.stringify({ Version: '0.30.0', Commit: '', Repo: '16' }) }));
    assert.equal(await up.store.ping(), true);
    assert.equal(up.seen[0].path, '/api/v0/version');
    assert.equal(up.seen[0].method, 'POST');
    const down = await fakeKubo(() => kuboError('daemon shutting down'));
    assert.equal(await down.store.ping(), false);
  });

  test('an error answer of add is StoreOperationError with the daemon’s message', async () => {
    const { store } = await fakeKubo(() => kuboError('no space left on device'));
    await assert.rejects(store.addFile([bytes]), (err: unknown) => {
      assert.ok(err instanceof StoreOperationError);
      assert.match(err.message, /no space left on device/);
      return true;
    });
  });
});
