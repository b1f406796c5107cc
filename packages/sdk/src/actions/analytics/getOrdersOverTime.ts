import type { OrdersBucket } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** The wire type lives in `@souk/protocol` (`api/analytics.ts`); re-exported for SDK users. */
export type { OrdersBucket };

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
