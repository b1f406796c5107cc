import type { OrdersBucket } from '@souk/sdk';
import { expect, test } from 'vitest';
import { orderRows } from './analytics.ts';

const stable = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const row = (bucket: string, currency: string, over: Partial<OrdersBucket> = {}): OrdersBucket => ({
  bucket,
  currency,
  settled: 1,
  volume: '0',
  disputed: 0,
  slashed: 0,
  latencyP50: null,
  latencyP95: null,
  ...over,
});

test('one row per bucket, oldest first: counts over every currency, volume and latency of the ETH orders', () => {
  const rows = orderRows(
    [
      row('2026-11-23T16:00:00.000Z', stable, {
        settled: 5,
        volume: '5000000',
        disputed: 1,
        slashed: 1,
        latencyP50: 99,
      }),
      row('2026-11-23T16:00:00.000Z', '0x0000000000000000000000000000000000000000', {
        settled: 3,
        volume: '30000000000000000',
        disputed: 1,
        slashed: 2,
        latencyP50: 1.234,
        latencyP95: 2.06,
      }),
      row('2026-11-23T15:00:00.000Z', stable, { settled: 2, volume: '2000000' }),
    ],
    (iso) => iso.slice(11, 16),
  );
  expect(rows).toEqual([
    { bucket: '15:00', settled: 2, disputed: 0, slashed: 0, volume: 0, p50: null, p95: null },
    { bucket: '16:00', settled: 8, disputed: 2, slashed: 3, volume: 0.03, p50: 1.2, p95: 2.1 },
  ]);
});

test('no orders, no rows', () => {
  expect(orderRows([], String)).toEqual([]);
});
