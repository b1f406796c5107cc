import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** Signed orders (compute protocol v2) settled on-chain in one time bucket and one currency. */
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

export type GetOrdersOverTimeParameters = {
  /** Bucket size. @default 'day' */
  bucket?: 'hour' | 'day' | undefined;
  /** Only orders settled at or after this time. */
  since?: Date | string | undefined;
};
export type GetOrdersOverTimeReturnType = OrdersBucket[];
export type GetOrdersOverTimeErrorType = SoukApiError | SoukError;

/**
 * Signed orders settled per time bucket and currency, oldest first, with the volume charged, disputes, slashings and
 * acceptance → settlement percentiles (`GET /api/v1/analytics/orders`).
 * @throws {SoukApiError} 400 on a bad bucket or date.
 * @example
 * ```ts
 * const hourly = await getOrdersOverTime(client, { bucket: 'hour' })
 * ```
 */
export async function getOrdersOverTime(
  client: SoukClient,
  { bucket, since }: GetOrdersOverTimeParameters = {},
): Promise<GetOrdersOverTimeReturnType> {
  const search = new URLSearchParams();
  if (bucket) search.set('bucket', bucket);
  if (since !== undefined) search.set('since', since instanceof Date ? since.toISOString() : since);
  const { items } = await client.json<{ items: OrdersBucket[] }>(`/api/v1/analytics/orders?${search}`);
  return items;
}
