import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** Licence purchases in one time bucket and currency. */
export type LicencesBucket = {
  /** Start of the bucket, ISO 8601 (UTC). */
  bucket: string;
  currency: string;
  /** Purchases in the bucket. */
  purchases: number;
  /** Distinct licensees in the bucket. */
  licensees: number;
  /** Total paid, wei as a decimal string. */
  volume: string;
};

export type GetLicencesOverTimeParameters = {
  /** Bucket size. @default 'day' */
  bucket?: 'hour' | 'day' | undefined;
  /** Only purchases at or after this time (a `Date` or an ISO 8601 date-time). */
  since?: Date | string | undefined;
};
/** Buckets oldest first. */
export type GetLicencesOverTimeReturnType = LicencesBucket[];
export type GetLicencesOverTimeErrorType = SoukApiError | SoukError;

/**
 * Licence purchases per time bucket and currency (`GET /api/v1/analytics/licences`).
 * @param client - A Souk client.
 * @param parameters - {@link GetLicencesOverTimeParameters}
 * @returns One row per bucket and currency, oldest first.
 * @throws {SoukApiError} 400 on a bad bucket or date.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getLicencesOverTime } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const hourly = await getLicencesOverTime(client, { bucket: 'hour' })
 * ```
 */
export async function getLicencesOverTime(
  client: SoukClient,
  { bucket, since }: GetLicencesOverTimeParameters = {},
): Promise<GetLicencesOverTimeReturnType> {
  const search = new URLSearchParams();
  if (bucket) search.set('bucket', bucket);
  if (since !== undefined) search.set('since', since instanceof Date ? since.toISOString() : since);
  const { items } = await client.json<{ items: LicencesBucket[] }>(`/api/v1/analytics/licences?${search}`);
  return items;
}
