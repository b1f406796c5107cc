/**
 * The transport every action uses, against a local HTTP server: credentials and bodies sent, problem+json and
 * non-JSON error bodies turned into SoukApiError, an unreachable node into SoukError, and no hidden retries.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { SoukApiError, SoukError } from '../errors/base.ts';
import { problem, startFakeNode } from '../testing/fakeNode.ts';
import { createSoukClient } from './createSoukClient.ts';

const nodes: Array<{ close: () => Promise<void> }> = [];
after(() => Promise.all(nodes.map((n) => n.close())));
async function fake(...args: Parameters<typeof startFakeNode>) {
  const node = await startFakeNode(...args);
  nodes.push(node);
  return node;
}

describe('createSoukClient: requests', () => {
  test('sends the bearer token, the API key and a JSON body to the base URL (trailing slashes dropped)', async () => {
    const node = await fake(() => ({ body: { ok: true } }));
    const client = createSoukClient({ url: `${node.url}//`, accessToken: 'tok', apiKey: 'key' });
    assert.equal(client.url, node.url);
    assert.deepEqual(await client.json('/api/v1/things', { method: 'POST', body: { a: 1n.toString() } }), { ok: true });
    const [req] = node.received;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/api/v1/things');
    assert.equal(req.headers.authorization, 'Bearer tok');
    assert.equal(req.headers['x-api-key'], 'key');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req.body.toString()), { a: '1' });
  });

  test('sends no credentials when it has none, and picks up a token set later (as signIn does)', async () => {
    const node = await fake(() => ({ status: 204 }));
    const client = createSoukClient({ url: node.url });
    assert.equal(await client.json('/a'), undefined); // 204: no body
    client.accessToken = 'later';
    await client.request('/b');
    assert.equal(node.received[0].headers.authorization, undefined);
    assert.equal(node.received[0].headers['x-api-key'], undefined);
    assert.equal(node.received[1].headers.authorization, 'Bearer later');
  });

  test('returns statuses listed in accept like a 2xx (503 of /ready)', async () => {
    const node = await fake(() => ({ status: 503, body: { status: 'not ready' } }));
    const client = createSoukClient({ url: node.url });
    assert.deepEqual(await client.json('/ready', { accept: [503] }), { status: 'not ready' });
    await assert.rejects(client.json('/ready'), (err: unknown) => err instanceof SoukApiError && err.status === 503);
  });
});

describe('createSoukClient: errors', () => {
  test('a problem+json answer becomes a SoukApiError with status, code, title, detail and field errors', async () => {
    const node = await fake(() =>
      problem(422, 'Unprocessable Content', 'SOUK_ERR_VALIDATION', 'body/price must be a decimal string', {
        errors: [{ field: 'price', message: 'must be a decimal string' }],
        requestId: 'req-1',
      }),
    );
    const client = createSoukClient({ url: node.url });
    await assert.rejects(client.json('/api/v1/x'), (err: unknown) => {
      assert.ok(err instanceof SoukApiError);
      assert.ok(err instanceof SoukError);
      assert.equal(err.name, 'SoukApiError');
      assert.equal(err.status, 422);
      assert.equal(err.problem.code, 'SOUK_ERR_VALIDATION');
      assert.equal(err.problem.requestId, 'req-1');
      assert.deepEqual(err.problem.errors, [{ field: 'price', message: 'must be a decimal string' }]);
      assert.equal(err.shortMessage, 'Unprocessable Content (422 SOUK_ERR_VALIDATION)');
      assert.equal(err.details, 'body/price must be a decimal string');
      assert.match(err.message, /Details: body\/price must be a decimal string/);
      return true;
    });
  });

  test('a non-JSON error body (an HTML 502 from a proxy) becomes a SoukApiError with the status and its text', async () => {
    const node = await fake(() => ({
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html><body>Bad Gateway</body></html>',
    }));
    const client = createSoukClient({ url: node.url });
    await assert.rejects(client.request('/api/v1/x'), (err: unknown) => {
      assert.ok(err instanceof SoukApiError);
      assert.equal(err.status, 502);
      assert.equal(err.problem.code, 'UNKNOWN');
      assert.equal(err.problem.title, 'Bad Gateway');
      assert.equal(err.details, 'Bad Gateway');
      return true;
    });
  });

  test('a JSON error body that is not a problem keeps the HTTP status and status text (regression: status was the body’s)', async () => {
    const node = await fake(() => ({ status: 503, body: { status: 'not ready', checks: { chain: false } } }));
    await assert.rejects(createSoukClient({ url: node.url }).json('/ready'), (err: unknown) => {
      assert.ok(err instanceof SoukApiError);
      assert.equal(err.status, 503);
      assert.equal(err.shortMessage, 'Service Unavailable (503 UNKNOWN)');
      return true;
    });
  });

  test('an empty error body (a bare 500) becomes a SoukApiError too', async () => {
    const node = await fake(() => ({ status: 500 }));
    await assert.rejects(createSoukClient({ url: node.url }).json('/x'), (err: unknown) => {
      assert.ok(err instanceof SoukApiError);
      assert.equal(err.status, 500);
      assert.equal(err.problem.title, 'Internal Server Error');
      return true;
    });
  });

  test('an unreachable node is a SoukError naming the URL, with the network error as its cause', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    await assert.rejects(createSoukClient({ url }).json('/health'), (err: unknown) => {
      assert.ok(err instanceof SoukError);
      assert.ok(!(err instanceof SoukApiError));
      assert.equal(err.shortMessage, `Cannot reach the Souk node at ${url}.`);
      assert.ok(err.cause instanceof Error);
      assert.ok(
        err.walk(
          (e) => (e as { code?: string }).code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String((e as Error).message)),
        ),
      );
      return true;
    });
  });

  for (const status of [429, 503]) {
    test(`does not retry a ${status}: one request per call, the error carries the status (and Retry-After) for the caller`, async () => {
      let calls = 0;
      const node = await fake(() => {
        calls += 1;
        return calls === 1
          ? {
              ...problem(
                status,
                'Too busy',
                status === 429 ? 'SOUK_ERR_RATE_LIMITED' : 'SOUK_ERR_UNAVAILABLE',
                'later',
              ),
              headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
            }
          : { body: { ok: true } };
      });
      const client = createSoukClient({ url: node.url });
      await assert.rejects(
        client.json('/x', { method: 'POST', body: {} }),
        (err: unknown) => err instanceof SoukApiError && err.status === status,
      );
      assert.equal(node.received.length, 1, 'a POST must never be re-sent behind the caller’s back');
      assert.deepEqual(await client.json('/x'), { ok: true }); // the caller's own retry succeeds
    });
  }

  test('a custom fetch is used for every request (e.g. to add retries or tracing)', async () => {
    const seen: string[] = [];
    const client = createSoukClient({
      url: 'http://souk.invalid',
      fetch: async (input) => {
        seen.push(String(input));
        return new Response(JSON.stringify({ ok: 1 }), { headers: { 'content-type': 'application/json' } });
      },
    });
    assert.deepEqual(await client.json('/api/v1/health'), { ok: 1 });
    assert.deepEqual(seen, ['http://souk.invalid/api/v1/health']);
  });
});
