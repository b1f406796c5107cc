/** Analytics rows as the charts draw them. */
import type { OrdersBucket } from '@souk/sdk';
import { formatEther, zeroAddress } from 'viem';

/** One bucket of the orders charts. */
export type OrderRow = {
  bucket: string;
  settled: number;
  disputed: number;
  slashed: number;
  /** ETH charged (native-currency orders only). */
  volume: number;
  /** Acceptance → settlement percentiles of the orders paid in ETH, seconds (null without such orders). */
  p50: number | null;
  p95: number | null;
};

/**
 * `GET /api/v1/analytics/orders` rows (one per bucket and currency) as one row per bucket: the counts summed over the
 * currencies, the volume and the latency percentiles of the native currency (percentiles of different currencies'
 * orders cannot be merged).
 * @param label - Formats a bucket's start (ISO 8601) for the axis.
 * @returns One row per bucket, oldest first.
 * @example
 * ```ts
 * orderRows(await getOrdersOverTime(client, { bucket: 'hour' }), (iso) => new Date(iso).toLocaleTimeString())
 * ```
 */
export function orderRows(rows: OrdersBucket[], label: (iso: string) => string): OrderRow[] {
  const byBucket = new Map<string, OrderRow>();
  for (const r of rows) {
    let row = byBucket.get(r.bucket);
    if (!row) {
      row = { bucket: label(r.bucket), settled: 0, disputed: 0, slashed: 0, volume: 0, p50: null, p95: null };
      byBucket.set(r.bucket, row);
    }
    row.settled += r.settled;
    row.disputed += r.disputed;
    row.slashed += r.slashed;
    if (r.currency.toLowerCase() === zeroAddress) {
      row.volume = Number(formatEther(BigInt(r.volume)));
      row.p50 = r.latencyP50 === null ? null : Math.round(r.latencyP50 * 10) / 10;
      row.p95 = r.latencyP95 === null ? null : Math.round(r.latencyP95 * 10) / 10;
    }
  }
  return [...byBucket.entries()].sort(([a], [b]) => Date.parse(a) - Date.parse(b)).map(([, row]) => row);
}
