/**
 * Analytics over compute jobs and providers: `jobsOverTime` counts each outcome once — settled, refunded, failed
 * (`ComputeMarket.failJob`, status 7), disputed — per submission bucket, and `providerStats` totals the stake locked
 * by open assignments; `ordersOverTime` sums the signed orders (compute protocol v2) settled on-chain per currency.
 * On PGlite and on the machine's PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SoukDb } from './index.ts';
import { jobsOverTime, ordersOverTime, providerStats } from './queries.ts';
import { dbVariants } from './test-utils.ts';

let logIndex = 0;
/** A `job_events` row, as the indexer writes one per ComputeMarket log. */
async function jobEvent(db: SoukDb, jobId: number, kind: string, at: string, data: Record<string, string> = {}) {
  logIndex += 1;
  await db
    .insertInto('job_events')
    .values({
      tx_hash: `0x${logIndex.toString(16).padStart(64, '0')}`,
      log_index: logIndex,
      job_id: String(jobId),
      kind,
      provider: null,
      data: JSON.stringify({ jobId: String(jobId), ...data }),
      block_number: logIndex,
      timestamp: new Date(at),
    })
    .execute();
}

/** An `order_settlements` row, as the indexer writes one per ComputeEscrow `JobSettled` / `DisputeSettled` log. */
async function settlement(
  db: SoukDb,
  orderHash: string,
  at: string,
  row: { kind?: 'batch' | 'dispute'; currency?: string; amount?: bigint; slashed?: string[] } = {},
) {
  logIndex += 1;
  const batch = (row.kind ?? 'batch') === 'batch';
  await db
    .insertInto('order_settlements')
    .values({
      tx_hash: `0x${logIndex.toString(16).padStart(64, '0')}`,
      log_index: logIndex,
      order_hash: orderHash,
      kind: row.kind ?? 'batch',
      requester: batch ? `0x${'88'.repeat(20)}` : null,
      model_id: batch ? '1' : null,
      currency: batch ? (row.currency ?? `0x${'00'.repeat(20)}`) : null,
      amount: batch ? String(row.amount ?? 0n) : null,
      result_hash: `0x${'cd'.repeat(32)}`,
      paid: JSON.stringify([`0x${'66'.repeat(20)}`]),
      slashed: JSON.stringify(row.slashed ?? []),
      block_number: logIndex,
      timestamp: new Date(at),
    })
    .execute();
}

for (const variant of await dbVariants()) {
  describe(`compute analytics (${variant.name})`, { skip: variant.skip }, () => {
    let db: SoukDb;
    before(async () => {
      db = await variant.open();
    });
    after(async () => {
      await variant.dispose(db);
    });

    test('jobsOverTime counts failed jobs (JobFailed) apart from refunded ones', async () => {
      // Day 1: job 1 settles after 60 s, job 2 is refunded at its deadline, job 3 fails (the model cannot take it).
      await jobEvent(db, 1, 'JobSubmitted', '2026-11-01T10:00:00Z');
      await jobEvent(db, 2, 'JobSubmitted', '2026-11-01T11:00:00Z');
      await jobEvent(db, 3, 'JobSubmitted', '2026-11-01T12:00:00Z');
      await jobEvent(db, 1, 'JobSettled', '2026-11-01T10:01:00Z');
      await jobEvent(db, 2, 'JobRefunded', '2026-11-01T13:00:00Z');
      await jobEvent(db, 3, 'JobStatusChanged', '2026-11-01T12:00:05Z', { from: '1', to: '7' });
      await jobEvent(db, 3, 'JobFailed', '2026-11-01T12:00:05Z', { reasonHash: `0x${'ab'.repeat(32)}` });
      // Day 2: two jobs fail, one is disputed and then settles.
      await jobEvent(db, 4, 'JobSubmitted', '2026-11-02T09:00:00Z');
      await jobEvent(db, 5, 'JobSubmitted', '2026-11-02T09:30:00Z');
      await jobEvent(db, 6, 'JobSubmitted', '2026-11-02T10:00:00Z');
      await jobEvent(db, 4, 'JobFailed', '2026-11-02T09:00:10Z');
      await jobEvent(db, 5, 'JobFailed', '2026-11-02T09:31:00Z');
      await jobEvent(db, 6, 'JobStatusChanged', '2026-11-02T10:05:00Z', { from: '3', to: '4' });
      await jobEvent(db, 6, 'JobSettled', '2026-11-02T10:10:00Z');

      const rows = await jobsOverTime(db, { bucket: 'day' });
      assert.deepEqual(
        rows.map(({ bucket, submitted, settled, refunded, failed, disputed }) => ({
          day: new Date(bucket).toISOString().slice(0, 10),
          submitted,
          settled,
          refunded,
          failed,
          disputed,
        })),
        [
          { day: '2026-11-01', submitted: 3, settled: 1, refunded: 1, failed: 1, disputed: 0 },
          { day: '2026-11-02', submitted: 3, settled: 1, refunded: 0, failed: 2, disputed: 1 },
        ],
      );
      // A failed job has no settlement: it does not enter the latency percentiles.
      assert.equal(rows[0]?.latencyP50, 60);

      const since = await jobsOverTime(db, { bucket: 'day', since: new Date('2026-11-02T00:00:00Z') });
      assert.deepEqual(
        since.map((r) => r.failed),
        [2],
      );
    });

    test('ordersOverTime sums settled orders per currency and counts disputes and slashings', async () => {
      const native = `0x${'00'.repeat(20)}`;
      const usd = `0x${'aa'.repeat(20)}`;
      const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
      // Order 1 was accepted by this market's node at 10:00:00 and settled at 10:00:04.
      await db
        .insertInto('orders')
        .values({
          order_hash: hash(1),
          requester: `0x${'88'.repeat(20)}`,
          model_id: '1',
          model_version: 0,
          input_hash: hash(0),
          input_cid: 'bafkqaaa',
          input_size: 0,
          currency: native,
          max_price: '100',
          amount: '80',
          redundancy: 2,
          deadline: 0,
          nonce: '1',
          requester_signature: '0x',
          phase: 'settled',
          state: '{}',
          created_at: new Date('2026-11-03T10:00:00Z'),
        })
        .execute();
      await settlement(db, hash(1), '2026-11-03T10:00:04Z', { amount: 80n });
      await settlement(db, hash(2), '2026-11-03T11:00:00Z', { amount: 20n });
      await settlement(db, hash(3), '2026-11-03T12:00:00Z', { amount: 7n, currency: usd });
      // Order 2 was also disputed: the referee paid one provider and slashed two.
      await settlement(db, hash(2), '2026-11-03T11:05:00Z', { kind: 'dispute', slashed: ['0x1', '0x2'] });

      const rows = await ordersOverTime(db, { bucket: 'day', since: new Date('2026-11-03T00:00:00Z') });
      assert.deepEqual(
        rows.map(({ bucket, latencyP50, latencyP95, ...row }) => ({ bucket: bucket.toISOString(), ...row })),
        [
          { bucket: '2026-11-03T00:00:00.000Z', currency: native, settled: 2, volume: '100', disputed: 1, slashed: 2 },
          { bucket: '2026-11-03T00:00:00.000Z', currency: usd, settled: 1, volume: '7', disputed: 0, slashed: 0 },
        ],
      );
      assert.equal(rows[0].latencyP50, 4, 'acceptance → settlement of the one order this market accepted');
      assert.equal(rows[1].latencyP50, null);
      assert.deepEqual(await ordersOverTime(db, { bucket: 'day', since: new Date('2026-11-04T00:00:00Z') }), []);
    });

    test('providerStats totals the stake locked by open assignments', async () => {
      for (const [n, stake, locked] of [
        [1, 300n, 200n],
        [2, 500n, 0n],
        [3, 100n, 100n],
      ] as const) {
        await db
          .insertInto('providers')
          .values({
            address: `0x${n.toString(16).padStart(40, '0')}`,
            stake: stake.toString(),
            locked_stake: locked.toString(),
            unbonding: '0',
            metadata_uri: `ipfs://p${n}`,
            registered_block: n,
            updated_block: n,
          })
          .execute();
      }
      const { totals, providers } = await providerStats(db);
      assert.equal(totals.stake, '900');
      assert.equal(totals.locked, '300');
      assert.deepEqual(providers.map((p) => [p.address.slice(-1), String(p.locked_stake)]).sort(), [
        ['1', '200'],
        ['2', '0'],
        ['3', '100'],
      ]);
    });
  });
}
