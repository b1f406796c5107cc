import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** One time bucket and currency of trading volume. */
export type MarketVolume = {
  /** Start of the bucket, ISO 8601 (UTC). */
  bucket: string;
  /** Payment currency, `0x000…0` = native. */
  currency: string;
  /** NFT sales in the bucket. */
  sales: number;
  /** Their total price, wei as a decimal string. */
  sales_volume: string;
  /** Licence purchases in the bucket. */
  licences: number;
  /** Their total price, wei as a decimal string. */
  licence_volume: string;
};

export type GetMarketVolumeParameters = {
  /** Bucket size. @default 'day' */
  bucket?: 'hour' | 'day' | undefined;
  /** Only trades at or after this time (a `Date` or an ISO 8601 date-time). */
  since?: Date | string | undefined;
};
/** Buckets oldest first. */
export type GetMarketVolumeReturnType = MarketVolume[];
export type GetMarketVolumeErrorType = SoukApiError | SoukError;

/**
 * Sales and licence volume per time bucket and currency, from the index (`GET /api/v1/analytics/volume`).
 * @param client - A Souk client.
 * @param parameters - {@link GetMarketVolumeParameters}
 * @returns One row per bucket and currency, oldest first.
 * @throws {SoukApiError} 400 on a bad bucket or date.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getMarketVolume } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const daily = await getMarketVolume(client, { bucket: 'day', since: new Date(Date.now() - 7 * 86_400_000) })
 * ```
 */
export async function getMarketVolume(
  client: SoukClient,
  { bucket, since }: GetMarketVolumeParameters = {},
): Promise<GetMarketVolumeReturnType> {
  const search = new URLSearchParams();
  if (bucket) search.set('bucket', bucket);
  if (since !== undefined) search.set('since', since instanceof Date ? since.toISOString() : since);
  const { items } = await client.json<{ items: MarketVolume[] }>(`/api/v1/analytics/volume?${search}`);
  return items;
}
