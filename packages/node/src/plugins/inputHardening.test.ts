/**
 * Regression tests for input hardening ("Security and crash safety", item 5): text the database cannot store,
 * integers beyond their Solidity type, the node's own HTTP-level errors (408, 414, 431, 400) as problem+json, and
 * request-body timeouts. One node (embedded devnet, PGlite) with short timeouts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { UINT256_MAX } from '@souk/protocol';
import { createSoukClient, signIn } from '@souk/sdk';
import { loadConfig } from '../config.ts';
import { diffSnapshots, settledSnapshot, type WriteSnapshot, writeSnapshotter } from '../fuzz/snapshot.ts';
import { type RunningNode, startNode } from '../server.ts';
import { normaliseAddresses } from './inputGuard.ts';

const HEADERS_MS = 1_500;
const BODY_IDLE_MS = 1_500;
const BODY_MS = 3_000;
const ADDRESS = '0x000000000000000000000000000000000000dEaD';

let node: RunningNode;
let dataDir: string;
let token: string;
let snapshot: () => Promise<WriteSnapshot>;

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'souk-hardening-'));
  const config = loadConfig(
    { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()) },
    {
      SOUK_PROVIDERS: '0',
      SOUK_SAMPLE_MODEL: '0',
      RATE_LIMIT_PER_MINUTE: '100000',
      SOUK_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
      SOUK_BODY_IDLE_TIMEOUT_MS: String(BODY_IDLE_MS),
      SOUK_BODY_TIMEOUT_MS: String(BODY_MS),
    },
  );
  node = await startNode(config, { logger: false });
  const client = createSoukClient({ url: node.url });
  ({ accessToken: token } = await signIn(client, { account: node.services.chain.devAccounts[2].account }));
  snapshot = await writeSnapshotter(node.services.db, dataDir);
  const { indexer } = node.services;
  await settledSnapshot(snapshot, async () => !indexer || (await indexer.lag()) === 0);
});
after(async () => {
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

type Problem = { type: string; title: string; status: number; detail: string; code: string; errors?: unknown[] };

/** Sends a request and asserts the answer is a problem+json with `status`; returns the problem. */
async function expectProblem(
  status: number,
  url: string,
  init: { method?: string; body?: unknown; signedIn?: boolean; headers?: Record<string, string> } = {},
): Promise<Problem> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.signedIn) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(`${node.url}${url}`, {
    method: init.method ?? 'GET',
    headers,
    body: typeof init.body === 'string' || init.body === undefined ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  assert.equal(
    res.status,
    status,
    `${init.method ?? 'GET'} ${url.slice(0, 120)} → ${res.status} ${text.slice(0, 300)}`,
  );
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = JSON.parse(text) as Problem;
  assert.equal(problem.status, status);
  for (const field of ['type', 'title', 'detail'] as const) assert.equal(typeof problem[field], 'string');
  return problem;
}

/**
 * Writes `parts` to a raw TCP connection (a number is a pause in ms) and returns what came back once the server
 * closed the connection (or after 15 s, status 0), with the time from the first byte sent.
 */
async function rawHttp(
  parts: Array<string | number>,
): Promise<{ status: number; head: string; body: string; ms: number }> {
  const { port, hostname } = new URL(node.url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {}); // a reset after the answer is fine
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk;
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  // Without the timeouts under test the server would hold the connection open: give up (status 0) instead.
  const giveUp = setTimeout(() => socket.destroy(), 15_000);
  closed.then(() => clearTimeout(giveUp));
  await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  const started = Date.now();
  for (const part of parts) {
    if (socket.destroyed) break;
    if (typeof part === 'number') await new Promise((r) => setTimeout(r, part));
    else socket.write(part);
  }
  await closed;
  const [head = '', body = ''] = received.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head, body, ms: Date.now() - started };
}

/** Stores a small public upload for the signed-in account; returns its id. */
async function upload(bytes: string): Promise<string> {
  const res = await fetch(`${node.url}/api/v1/uploads?encrypt=false`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { uploadId: string }).uploadId;
}

describe('text the database cannot store', () => {
  test('a NUL byte in the search query is a 400 naming querystring/q (was a 500 from PostgreSQL)', async () => {
    const problem = await expectProblem(400, '/api/v1/assets?q=a%00b');
    assert.equal(problem.code, 'SOUK_ERR_VALIDATION');
    assert.deepEqual(problem.errors, [
      { field: 'querystring/q', message: 'must not contain NUL (U+0000): the database cannot store it' },
    ]);
  });

  test('a lone surrogate in an API-key label is a 400 naming body/label (was a 500 from PostgreSQL)', async () => {
    const before = await snapshot();
    const problem = await expectProblem(400, '/api/v1/auth/api-keys', {
      method: 'POST',
      signedIn: true,
      body: '{"label":"key \\ud800"}',
    });
    assert.match(problem.detail, /^body\/label must be well-formed Unicode/);
    assert.deepEqual(diffSnapshots(before, await snapshot()), []);
  });

  test('publishing with a NUL byte in the name is a 400 and stores no manifest (was a 500 after an orphaned one)', async () => {
    const uploadId = await upload('hello, hardening');
    const before = await snapshot();
    const body = { uploadId, name: 'model\u0000x', kind: 'dataset', license: { terms: 'CC0' }, royaltyBps: 0 };
    const problem = await expectProblem(400, '/api/v1/assets', { method: 'POST', signedIn: true, body });
    assert.deepEqual(problem.errors, [
      { field: 'body/name', message: 'must not contain NUL (U+0000): the database cannot store it' },
    ]);
    const nested = { ...body, name: 'ok', license: { terms: 'terms\u0000' } };
    const second = await expectProblem(400, '/api/v1/assets', { method: 'POST', signedIn: true, body: nested });
    assert.match(second.detail, /^body\/license\/terms must not contain NUL/);
    assert.deepEqual(diffSnapshots(before, await snapshot()), [], 'nothing written: no manifest row, no block');
  });
});

describe('integers beyond their Solidity type', () => {
  const big = (UINT256_MAX + 1n).toString();
  const viem = 'a 500 from viem';
  const cases: Array<[string, string, { method?: string; body?: unknown }, string, string]> = [
    ['licence check', `/api/v1/licences/${big}/${ADDRESS}`, {}, 'params/assetId', viem],
    [
      'licence terms',
      '/api/v1/licences/terms',
      { method: 'POST', body: { assetId: '1', price: big } },
      'body/price',
      viem,
    ],
    ['licence purchase', '/api/v1/licences/purchase', { method: 'POST', body: { assetId: big } }, 'body/assetId', viem],
    [
      'marketplace purchase',
      '/api/v1/marketplace/purchase',
      { method: 'POST', body: { assetId: big } },
      'body/assetId',
      viem,
    ],
    [
      'order submission',
      '/api/v1/orders',
      { method: 'POST', body: { assetId: '1', uploadId: crypto.randomUUID(), maxPriceWei: big } },
      'body/maxPriceWei',
      'an order priced past uint256',
    ],
    ['asset read', `/api/v1/assets/${big}`, {}, 'params/id', 'a 404 for an impossible id'],
    ['asset id', `/api/v1/assets/${big}/manifest`, {}, 'params/id', 'a chain read of an impossible id'],
    ['event scan', `/api/v1/chain/events?fromBlock=${1n << 64n}`, {}, 'querystring/fromBlock', 'a block past uint64'],
  ];
  for (const [name, url, init, field, was] of cases) {
    test(`an integer past its type in the ${name} is a 400 naming ${field} (was ${was})`, async () => {
      const problem = await expectProblem(400, url, { ...init, signedIn: true });
      assert.equal((problem.errors as Array<{ field: string }>)[0]?.field, field);
      assert.match(problem.detail, /must be a decimal integer from 0 to 2\^(256|64) − 1/);
    });
  }

  test('a 309-digit durationSeconds is a 400 naming body/durationSeconds (was Infinity past maximum, a 500 from viem)', async () => {
    const body = { assetId: '1', price: '1', durationSeconds: '7'.repeat(400) };
    const problem = await expectProblem(400, '/api/v1/licences/terms', { method: 'POST', signedIn: true, body });
    assert.deepEqual(problem.errors, [{ field: 'body/durationSeconds', message: 'must be a finite number' }]);
  });

  test('a 309-digit limit in a query is a 400 naming querystring/limit (was Infinity past the schema maximum)', async () => {
    const problem = await expectProblem(400, `/api/v1/assets?limit=${'9'.repeat(400)}`);
    assert.deepEqual(problem.errors, [{ field: 'querystring/limit', message: 'must be a finite number' }]);
  });

  test('2^256 − 1 is still a valid uint256 (the bound is inclusive)', async () => {
    const res = await fetch(`${node.url}/api/v1/licences/${UINT256_MAX}/${ADDRESS}`);
    assert.equal(res.status, 200, await res.text());
    await expectProblem(404, `/api/v1/assets/${UINT256_MAX}`);
  });
});

describe('addresses in any spelling', () => {
  // 0x…aa9 (dev account 6) with its EIP-55 checksum broken: viem's encodeFunctionData refuses it.
  const badChecksum = '0x976ea74026e726554db657fa54763abd0c3a0AA9';
  test('regression: a wrongly checksummed address in a body is read as the address, not a 500 from viem', async () => {
    for (const body of [
      { assetId: '1', price: '1', currency: badChecksum },
      { assetId: '1', price: '1', currency: badChecksum.toUpperCase().replace('0X', '0x') },
    ]) {
      const res = await fetch(`${node.url}/api/v1/licences/terms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${text.slice(0, 300)}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
  });

  test('normaliseAddresses lower-cases exact addresses at any depth and leaves other strings alone', () => {
    const value = { a: badChecksum, b: [{ c: badChecksum }], d: `x${badChecksum}`, e: '0xABCD' };
    assert.deepEqual(normaliseAddresses(value), {
      a: badChecksum.toLowerCase(),
      b: [{ c: badChecksum.toLowerCase() }],
      d: `x${badChecksum}`,
      e: '0xABCD',
    });
  });
});

describe("the node's own HTTP errors are problem+json", () => {
  test('431 when the request line and headers exceed 16 KiB (was Fastify JSON)', async () => {
    const problem = await expectProblem(431, `/api/v1/assets?q=${'a'.repeat(20_000)}`);
    assert.equal(problem.code, 'SOUK_ERR_HEADERS_TOO_LARGE');
  });

  test('414 when a path parameter exceeds maxParamLength (was Fastify JSON)', async () => {
    const problem = await expectProblem(414, `/api/v1/assets/${'9'.repeat(300)}/versions`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(problem.code, 'SOUK_ERR_URI_TOO_LONG');
  });

  test('400 for a malformed percent-escape in the path (was Fastify JSON)', async () => {
    const problem = await expectProblem(400, '/api/v1/orders/%E0%A4%A');
    assert.equal(problem.code, 'SOUK_ERR_BAD_URL');
  });

  test('400 for bytes that are not HTTP (was Fastify JSON)', async () => {
    const res = await rawHttp(['NOT-HTTP\r\n\r\n']);
    assert.equal(res.status, 400);
    assert.match(res.head, /content-type: application\/problem\+json/i);
    assert.equal(JSON.parse(res.body).code, 'SOUK_ERR_BAD_HTTP');
  });

  test('408 when the headers never finish (headersTimeout; was Fastify JSON)', async () => {
    const res = await rawHttp(['GET /health HTTP/1.1\r\nHost: x\r\n']);
    assert.equal(res.status, 408);
    assert.match(res.head, /content-type: application\/problem\+json/i);
    assert.equal(JSON.parse(res.body).code, 'SOUK_ERR_REQUEST_TIMEOUT');
    assert.ok(res.ms < HEADERS_MS + 2_000, `answered after ${res.ms} ms`);
  });
});

describe('request-body timeouts', () => {
  const post = (url: string, type: string, length: number) =>
    `POST ${url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;

  test('a JSON body that stops arriving is a 408 after the idle timeout and the connection closes', async () => {
    const before = await snapshot();
    const res = await rawHttp([post('/api/v1/auth/api-keys', 'application/json', 100), '{"label":']);
    assert.equal(res.status, 408, res.head);
    assert.match(res.head, /connection: close/i);
    assert.equal(JSON.parse(res.body).code, 'SOUK_ERR_REQUEST_TIMEOUT');
    assert.ok(res.ms >= BODY_IDLE_MS - 100 && res.ms < BODY_IDLE_MS + 2_000, `answered after ${res.ms} ms`);
    assert.deepEqual(diffSnapshots(before, await snapshot()), []);
  });

  test('a JSON body trickled past the body deadline is a 408 even though it never idles', async () => {
    const trickle = Array.from({ length: 12 }, () => [' ', 500]).flat();
    const res = await rawHttp([post('/api/v1/auth/api-keys', 'application/json', 100), ...trickle]);
    assert.equal(res.status, 408, res.head);
    assert.match(JSON.parse(res.body).detail, /not received within 3000 ms/);
  });

  test('a stalled upload is a 408 after the idle timeout (was held open for minutes)', async () => {
    const res = await rawHttp([post('/api/v1/uploads', 'application/octet-stream', 1 << 20), 'x'.repeat(4096)]);
    assert.equal(res.status, 408, res.head);
    assert.ok(res.ms < BODY_IDLE_MS + 2_000, `answered after ${res.ms} ms`);
  });

  test('a slow but progressing upload that outlasts both timeouts completes', async () => {
    const pieces = 12; // one piece every 500 ms: ~6 s in all, > BODY_MS, each gap < BODY_IDLE_MS
    const piece = 'y'.repeat(1024);
    const parts = [post('/api/v1/uploads?encrypt=false', 'application/octet-stream', pieces * piece.length)];
    for (let i = 0; i < pieces; i++) parts.push(piece, 500 as unknown as string);
    const res = await rawHttp(parts);
    assert.equal(res.status, 201, `${res.head}\n${res.body}`);
    assert.ok(res.ms > BODY_MS, `took ${res.ms} ms`);
    assert.equal(JSON.parse(res.body).size, pieces * piece.length);
  });
});
