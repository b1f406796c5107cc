/**
 * Analytics responses shared by the node (which computes them) and the SDK and web app (which read them).
 */

/**
 * One bucket of `GET /api/v1/analytics/orders`: signed orders (compute protocol v2) settled on-chain in one time
 * bucket and one currency. Amounts are wei as decimal strings; latencies seconds.
 */
export type OrdersBucket = {
  /** Start of the bucket, ISO 8601 (UTC), of the orders' settlement. */
  bucket: string;
  /** Payment currency (`0x000…0` = native). */
  currency: string;
  /** Orders settled on-chain in the bucket (`ComputeEscrow.JobSettled`, in a batch or after a dispute). */
  settled: number;
  /** Wei of `currency` charged for them, decimal string. */
  volume: string;
  /** Of those, settled by the referee after a dispute. */
  disputed: number;
  /** Providers slashed by the disputes settled in the bucket. */
  slashed: number;
  /**
   * Order acceptance → on-chain settlement, seconds, for the orders this market's database accepted; null without
   * such orders.
   */
  latencyP50: number | null;
  latencyP95: number | null;
};
