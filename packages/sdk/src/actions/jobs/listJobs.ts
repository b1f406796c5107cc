import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';
import type { Job, JobStatus } from './getJob.ts';

export type ListJobsParameters = {
  /** Jobs running this model (asset id). */
  modelId?: bigint | string | undefined;
  /** Jobs submitted by this account. */
  requester?: string | undefined;
  /** Jobs this provider held a slot of. */
  provider?: string | undefined;
  status?: Exclude<JobStatus, 'none'> | undefined;
  /** 1..100. @default 20 */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
};
/** A page of jobs (without their events and payouts: use `getJob` for those). */
export type ListJobsReturnType = {
  items: Omit<Job, 'assignments' | 'events' | 'payouts'>[];
  nextCursor: string | null;
};
export type ListJobsErrorType = SoukApiError | SoukError;

/**
 * Jobs from the node's index, newest first (`GET /api/v1/jobs`).
 * @throws {SoukApiError} 400 on a malformed filter or cursor.
 * @example
 * ```ts
 * const { items } = await listJobs(client, { modelId: 1n, limit: 10 })
 * ```
 */
export function listJobs(client: SoukClient, parameters: ListJobsParameters = {}): Promise<ListJobsReturnType> {
  const search = new URLSearchParams();
  const { modelId, ...rest } = parameters;
  if (modelId !== undefined) search.set('model', String(modelId));
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) search.set(key, String(value));
  return client.json(`/api/v1/jobs?${search}`);
}
