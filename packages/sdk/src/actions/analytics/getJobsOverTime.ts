import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** Compute jobs submitted in one time bucket, their outcomes and latency. */
export type JobsBucket = {
  /** Start of the bucket, ISO 8601 (UTC). */
  bucket: string;
  submitted: number;
  /** Settled with a result (finalized, or dispute settled). */
  settled: number;
  /** Refunded: no verified result before the deadline. */
  refunded: number;
  /** Failed (`ComputeMarket.failJob`, status 7): the model cannot take the input; refunded, nobody slashed. */
  failed: number;
  /** Disputed at some point (disagreement or audit challenge). */
  disputed: number;
  /** Submission → settlement, seconds (block timestamps); null without settled jobs. */
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
};

export type GetJobsOverTimeParameters = {
  /** Bucket size. @default 'day' */
  bucket?: 'hour' | 'day' | undefined;
  /** Only jobs submitted at or after this time. */
  since?: Date | string | undefined;
};
export type GetJobsOverTimeErrorType = SoukApiError | SoukError;

/**
 * Compute jobs per time bucket with outcomes and latency percentiles (`GET /api/v1/analytics/jobs`).
 * @throws {SoukApiError} 400 on a bad bucket or date.
 * @example
 * ```ts
 * const hourly = await getJobsOverTime(client, { bucket: 'hour' })
 * ```
 */
export async function getJobsOverTime(
  client: SoukClient,
  { bucket, since }: GetJobsOverTimeParameters = {},
): Promise<JobsBucket[]> {
  const search = new URLSearchParams();
  if (bucket) search.set('bucket', bucket);
  if (since !== undefined) search.set('since', since instanceof Date ? since.toISOString() : since);
  const { items } = await client.json<{ items: JobsBucket[] }>(`/api/v1/analytics/jobs?${search}`);
  return items;
}
