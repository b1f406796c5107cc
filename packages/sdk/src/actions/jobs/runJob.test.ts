/**
 * runJob's follow-up against a local HTTP server: it keeps polling while the job is not indexed yet (404), emits
 * the lifecycle from the job's events, resolves with the result once finalized, and stops at the first other error.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createSoukClient } from '../../clients/createSoukClient.ts';
import { SoukApiError, SoukError } from '../../errors/base.ts';
import { problem, startFakeNode } from '../../testing/fakeNode.ts';
import { runJob } from './runJob.ts';

const nodes: Array<{ close: () => Promise<void> }> = [];
after(() => Promise.all(nodes.map((n) => n.close())));

const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const provider = `0x${'ab'.repeat(20)}`;
const settledJob = {
  id: '42',
  status: 'finalized',
  result_hash: tx(9),
  events: [
    { kind: 'JobSubmitted', tx_hash: tx(1), log_index: 0, provider: null, data: {} },
    { kind: 'ProviderAssigned', tx_hash: tx(2), log_index: 0, provider, data: { provider } },
    { kind: 'JobSettled', tx_hash: tx(3), log_index: 1, provider: null, data: { resultHash: tx(9) } },
  ],
  payouts: [{ tx_hash: tx(3), recipient: provider, amount_wei: '80', role: 'provider' }],
};
const result = {
  jobId: '42',
  status: 'finalized',
  resultHash: tx(9),
  resultCid: 'bafy',
  output: { lines: [] },
  providers: [],
  audit: null,
};

/** A fake node whose `GET /jobs/42` answers with `jobAnswers` in turn (the last one repeats). */
async function market(jobAnswers: Array<() => ReturnType<typeof problem> | { body: unknown }>) {
  let polls = 0;
  const fake = await startFakeNode((req) => {
    if (req.method === 'POST' && req.path.startsWith('/api/v1/uploads')) {
      return { body: { uploadId: 'up-1', contentCid: 'bafy', size: req.body.length, sha256: '00', encrypted: true } };
    }
    if (req.method === 'POST' && req.path === '/api/v1/jobs') {
      return { body: { jobId: '42', inputHash: tx(5), deadline: 0, transactionHashes: [tx(1)], transactions: null } };
    }
    if (req.path === '/api/v1/jobs/42') return jobAnswers[Math.min(polls++, jobAnswers.length - 1)]();
    if (req.path === '/api/v1/jobs/42/result') return { body: result };
    return undefined;
  });
  nodes.push(fake);
  return fake;
}

describe('runJob', () => {
  test('polls on through 404s (not indexed yet), emits the lifecycle in order, and returns the result', async () => {
    const notIndexed = () => problem(404, 'Not Found', 'SOUK_ERR_NOT_FOUND', 'job 42 is not indexed');
    const fake = await market([notIndexed, notIndexed, () => ({ body: settledJob })]);
    const client = createSoukClient({ url: fake.url, accessToken: 't' });
    const handle = await runJob(client, {
      assetId: 1n,
      input: new Uint8Array([1, 2, 3]),
      maxPriceWei: 100n,
      pollIntervalMs: 20,
    });
    assert.equal(handle.jobId, 42n);
    const types: string[] = [];
    handle.on('*', (e) => types.push(e.type));
    assert.deepEqual(await handle.result({ timeoutMs: 10_000 }), result);
    assert.deepEqual(types, ['submitted', 'assigned', 'finalized']);
    assert.equal(fake.received.filter((r) => r.path === '/api/v1/jobs/42').length, 3);
    const submit = fake.received.find((r) => r.method === 'POST' && r.path === '/api/v1/jobs');
    assert.deepEqual(JSON.parse(String(submit?.body)), {
      assetId: '1',
      rewardWei: '100',
      uploadId: 'up-1',
      redundancy: 2,
    });
  });

  test('stops at the first error that is not a 404 and rethrows it from result()', async () => {
    const fake = await market([() => problem(500, 'Internal Server Error', 'SOUK_ERR_INTERNAL', 'database down')]);
    const handle = await runJob(createSoukClient({ url: fake.url, accessToken: 't' }), {
      assetId: 1n,
      input: new Uint8Array([1]),
      maxPriceWei: 1n,
      pollIntervalMs: 20,
    });
    await assert.rejects(
      handle.result({ timeoutMs: 10_000 }),
      (err: unknown) => err instanceof SoukApiError && err.status === 500,
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fake.received.filter((r) => r.path === '/api/v1/jobs/42').length, 1, 'no polling after the error');
  });

  test('a refunded job rejects with a SoukError saying so', async () => {
    const refunded = {
      ...settledJob,
      status: 'refunded',
      payouts: [],
      events: [{ kind: 'JobRefunded', tx_hash: tx(4), log_index: 0, provider: null, data: { amount: '100' } }],
    };
    const fake = await market([() => ({ body: refunded })]);
    const handle = await runJob(createSoukClient({ url: fake.url, accessToken: 't' }), {
      assetId: 1n,
      input: new Uint8Array([1]),
      maxPriceWei: 100n,
      pollIntervalMs: 20,
    });
    await assert.rejects(handle.result({ timeoutMs: 10_000 }), (err: unknown) => {
      assert.ok(err instanceof SoukError);
      assert.match(err.message, /Job 42 was refunded/);
      return true;
    });
    assert.deepEqual(
      handle.history.map((e) => e.type),
      ['refunded'],
    );
  });

  test('the upload’s problem stops runJob before any job is submitted', async () => {
    const fake = await startFakeNode((req) =>
      req.path.startsWith('/api/v1/uploads')
        ? problem(413, 'Content Too Large', 'SOUK_ERR_TOO_LARGE', 'over 1 GiB')
        : undefined,
    );
    nodes.push(fake);
    await assert.rejects(
      runJob(createSoukClient({ url: fake.url, accessToken: 't' }), {
        assetId: 1n,
        input: new Uint8Array([1]),
        maxPriceWei: 1n,
      }),
      (err: unknown) => err instanceof SoukApiError && err.status === 413 && err.details === 'over 1 GiB',
    );
    assert.equal(
      fake.received.some((r) => r.path === '/api/v1/jobs'),
      false,
    );
  });
});
