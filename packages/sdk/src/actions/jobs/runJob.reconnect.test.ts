/**
 * runJob follows its job through a node outage: against a local HTTP server, requests that cannot reach the node
 * (the client's fetch fails, as when the node's process is gone) or that a proxy answers 502/503/504 are retried with
 * backoff and reported through `onReconnecting` / `onReconnected`; other errors stay final, and so does an outage
 * longer than `reconnectTimeoutMs`. (The CLI's run.resume.test.ts restarts a real node.)
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createSoukClient } from '../../clients/createSoukClient.ts';
import { SoukApiError, SoukError } from '../../errors/base.ts';
import { problem, startFakeNode } from '../../testing/fakeNode.ts';
import { isNodeUnreachable, type ReconnectingInfo, reconnectDelayMs } from './reconnect.ts';
import { runJob } from './runJob.ts';

const nodes: Array<{ close: () => Promise<void> }> = [];
after(() => Promise.all(nodes.map((n) => n.close())));

const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const settledJob = {
  id: '42',
  status: 'finalized',
  result_hash: tx(9),
  events: [
    { kind: 'JobSubmitted', tx_hash: tx(1), log_index: 0, provider: null, data: {} },
    { kind: 'JobSettled', tx_hash: tx(3), log_index: 1, provider: null, data: { resultHash: tx(9) } },
  ],
  payouts: [{ tx_hash: tx(3), recipient: `0x${'ab'.repeat(20)}`, amount_wei: '80', role: 'provider' }],
};

/**
 * A node whose job endpoint answers `answers` in turn (then the settled job); `down` is how many job polls find no
 * node at all (the client's fetch throws, as on a refused connection).
 */
async function flakyNode(answers: Array<() => ReturnType<typeof problem>>, down: number) {
  let polls = 0;
  const fake = await startFakeNode((req) => {
    if (req.method === 'POST' && req.path.startsWith('/api/v1/uploads')) {
      return { body: { uploadId: 'up-1', contentCid: 'bafy', size: req.body.length, sha256: '00', encrypted: true } };
    }
    if (req.method === 'POST' && req.path === '/api/v1/jobs') {
      return { body: { jobId: '42', inputHash: tx(5), deadline: 0, transactionHashes: [tx(1)], transactions: null } };
    }
    if (req.path === '/api/v1/jobs/42') {
      const answer = answers[polls++];
      return answer ? answer() : { body: settledJob };
    }
    if (req.path === '/api/v1/jobs/42/result') {
      return { body: { jobId: '42', status: 'finalized', resultHash: tx(9), output: { ok: true }, providers: [] } };
    }
    return undefined;
  });
  nodes.push(fake);
  let refused = 0;
  const fetchThroughOutage: typeof fetch = (input, init) => {
    if (String(input).endsWith('/api/v1/jobs/42') && refused < down) {
      refused++;
      return Promise.reject(new TypeError('fetch failed'));
    }
    return fetch(input, init);
  };
  return { url: fake.url, fetch: fetchThroughOutage };
}

describe('runJob through a node outage', () => {
  test('refused connections and 503s are retried with backoff, reported, and the job is followed to its result', async () => {
    const unavailable = () => problem(503, 'Service Unavailable', 'SOUK_ERR_UNAVAILABLE', 'starting');
    const node = await flakyNode([unavailable], 2);
    const client = createSoukClient({ url: node.url, accessToken: 't', fetch: node.fetch });
    const retries: ReconnectingInfo[] = [];
    const back: Array<{ attempts: number; downMs: number }> = [];
    const handle = await runJob(client, {
      assetId: 1n,
      input: new Uint8Array([1]),
      maxPriceWei: 1n,
      pollIntervalMs: 10,
      onReconnecting: (info) => retries.push(info),
      onReconnected: (info) => back.push(info),
    });
    const result = await handle.result({ timeoutMs: 20_000 });
    assert.deepEqual(result.output, { ok: true });
    // Two refused connections, then a 503: three retries, 0.5 s, 1 s, 2 s apart.
    assert.deepEqual(
      retries.map((r) => [r.attempt, r.delayMs, r.jobId]),
      [
        [1, 500, 42n],
        [2, 1_000, 42n],
        [3, 2_000, 42n],
      ],
    );
    assert.match(retries[0].error.shortMessage, /Cannot reach the Souk node/);
    assert.ok(retries[2].error instanceof SoukApiError && retries[2].error.status === 503);
    assert.equal(back.length, 1, 'reconnected once');
    assert.equal(back[0].attempts, 3);
    assert.ok(back[0].downMs >= 3_000, `${back[0].downMs} ms down`);
    assert.deepEqual(
      handle.history.map((e) => e.type),
      ['submitted', 'finalized'],
    );
  });

  test('an outage longer than reconnectTimeoutMs ends the follow with the transport error', async () => {
    const node = await flakyNode([], 1_000);
    const client = createSoukClient({ url: node.url, accessToken: 't', fetch: node.fetch });
    const handle = await runJob(client, {
      assetId: 1n,
      input: new Uint8Array([1]),
      maxPriceWei: 1n,
      reconnectTimeoutMs: 1_200,
    });
    await assert.rejects(handle.result({ timeoutMs: 20_000 }), /Cannot reach the Souk node/);
  });

  test('only transport failures and 502/503/504 count as the node being away', () => {
    assert.equal(isNodeUnreachable(new SoukError('Cannot reach the Souk node at http://x.')), true);
    for (const status of [502, 503, 504]) {
      assert.equal(isNodeUnreachable(new SoukApiError({ type: '', title: 't', status, detail: '', code: 'X' })), true);
    }
    for (const status of [400, 401, 404, 409, 422, 500]) {
      assert.equal(isNodeUnreachable(new SoukApiError({ type: '', title: 't', status, detail: '', code: 'X' })), false);
    }
    assert.equal(isNodeUnreachable(new Error('Cannot reach the Souk node')), false, 'not an SDK error');
    assert.deepEqual(
      [1, 2, 3, 5, 6, 9].map((n) => reconnectDelayMs(n)),
      [500, 1_000, 2_000, 8_000, 10_000, 10_000],
    );
  });
});
