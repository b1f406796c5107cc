/**
 * A job whose input the model cannot take ends `failed` (ComputeMarket.failJob): runJob's `result()` rejects at once
 * with a `JobFailedError` carrying the reason, and the lifecycle has a `failed` step — instead of waiting for the
 * deadline and a refund (issue "Security and crash safety", item 6).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createSoukClient } from '../../clients/createSoukClient.ts';
import { SoukError } from '../../errors/base.ts';
import { JobFailedError } from '../../errors/jobs.ts';
import { startFakeNode } from '../../testing/fakeNode.ts';
import { runJob } from './runJob.ts';

const nodes: Array<{ close: () => Promise<void> }> = [];
after(() => Promise.all(nodes.map((n) => n.close())));

const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const provider = `0x${'ab'.repeat(20)}`;
const reason = 'The input is not a readable image: vipspng: libpng read error';
const failedJob = {
  id: '42',
  status: 'failed',
  result_hash: null,
  events: [
    { kind: 'JobSubmitted', tx_hash: tx(1), log_index: 0, provider: null, data: {} },
    { kind: 'ProviderAssigned', tx_hash: tx(2), log_index: 0, provider, data: { provider } },
    { kind: 'JobFailed', tx_hash: tx(3), log_index: 1, provider: null, data: { reasonHash: tx(7) } },
  ],
  payouts: [{ tx_hash: tx(3), account: `0x${'cd'.repeat(20)}`, amount: '100', role: 'refund' }],
  failure: {
    reason,
    reasonHash: tx(7),
    code: 'invalid-input',
    reportedBy: provider,
    reportedReason: reason,
    reproducedByReferee: true,
    transactionHash: tx(3),
  },
};

describe('runJob on a failed job', () => {
  test('result() rejects with a JobFailedError carrying the reason; the lifecycle ends with failed', async () => {
    const fake = await startFakeNode((req) => {
      if (req.method === 'POST' && req.path.startsWith('/api/v1/uploads')) {
        return { body: { uploadId: 'up-1', contentCid: 'bafy', size: 1, sha256: '00', encrypted: true } };
      }
      if (req.method === 'POST' && req.path === '/api/v1/jobs') {
        return { body: { jobId: '42', inputHash: tx(5), deadline: 0, transactionHashes: [tx(1)], transactions: null } };
      }
      if (req.path === '/api/v1/jobs/42') return { body: failedJob };
      return undefined;
    });
    nodes.push(fake);
    const handle = await runJob(createSoukClient({ url: fake.url, accessToken: 't' }), {
      assetId: 1n,
      input: new Uint8Array([1]),
      maxPriceWei: 100n,
      pollIntervalMs: 20,
    });
    const error = await handle.result({ timeoutMs: 10_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof JobFailedError, String(error));
    assert.ok(error instanceof SoukError, 'on the SDK base');
    assert.equal(error.name, 'JobFailedError');
    assert.equal(error.jobId, 42n);
    assert.equal(error.reason, reason);
    assert.equal(error.code, 'invalid-input');
    assert.equal(error.reportedBy, provider);
    assert.equal(error.reproducedByReferee, true);
    assert.equal(error.transactionHash, tx(3));
    assert.match(error.message, /Job 42 failed/);
    assert.match(error.details ?? '', /not a readable image.*nobody slashed/);
    assert.deepEqual(
      handle.history.map((e) => e.type),
      ['submitted', 'assigned', 'failed'],
    );
    const failed = handle.history.at(-1);
    assert.ok(failed?.type === 'failed');
    assert.equal(failed.reason, reason);
    assert.equal(fake.received.filter((r) => r.path === '/api/v1/jobs/42/result').length, 0, 'no result asked for');
  });

  test('a failure the node only indexed (no reason text) still rejects with JobFailedError', async () => {
    const fake = await startFakeNode((req) => {
      if (req.method === 'POST' && req.path.startsWith('/api/v1/uploads')) {
        return { body: { uploadId: 'up-1', contentCid: 'bafy', size: 1, sha256: '00', encrypted: true } };
      }
      if (req.method === 'POST' && req.path === '/api/v1/jobs') {
        return { body: { jobId: '42', inputHash: tx(5), deadline: 0, transactionHashes: [tx(1)], transactions: null } };
      }
      if (req.path === '/api/v1/jobs/42') {
        return { body: { ...failedJob, failure: { ...failedJob.failure, reason: null, reportedReason: null } } };
      }
      return undefined;
    });
    nodes.push(fake);
    const handle = await runJob(createSoukClient({ url: fake.url, accessToken: 't' }), {
      assetId: 1n,
      input: new Uint8Array([1]),
      maxPriceWei: 100n,
      pollIntervalMs: 20,
    });
    await assert.rejects(handle.result({ timeoutMs: 10_000 }), (e: unknown) => {
      assert.ok(e instanceof JobFailedError);
      assert.equal(e.reason, 'unknown reason');
      return true;
    });
  });
});
