/**
 * Compute jobs in the UI: the timeline of a job (submitted → assigned → committed → revealed → finalized) derived
 * from its indexed events, and lists of recent jobs.
 */
import { getChainEvents, getJob, type Job, type JobStatus, type SoukClient } from '@souk/sdk';

/** The steps of a job's life, in order. */
export const TIMELINE_STEPS = ['submitted', 'assigned', 'committed', 'revealed', 'finalized'] as const;
export type TimelineKey = (typeof TIMELINE_STEPS)[number];

/** One step of the timeline. */
export type TimelineStep = {
  key: TimelineKey;
  /** `Finalized`, or `Refunded` when the job ended without a result. */
  label: string;
  /** `done`, `current` (in progress), `pending` (not reached), `failed` (refunded, or disputed at reveal). */
  state: 'done' | 'current' | 'pending' | 'failed';
  /** e.g. `1 of 2 providers`. */
  detail: string;
  /** The transactions of the step, with the provider when one acted. */
  entries: { provider: string | null; transactionHash: string; at: string }[];
};

const ORDER: Record<JobStatus, number> = {
  none: 0,
  open: 1,
  assigned: 2,
  revealing: 3,
  disputed: 3,
  finalized: 5,
  refunded: 5,
  failed: 2, // failJob: only Open | Assigned jobs fail, so nothing after the assignment happened
};

/**
 * The timeline of a job from its indexed record.
 * @example
 * ```ts
 * import { jobTimeline } from './jobs.ts'
 * const steps = jobTimeline(job) // [{ key: 'submitted', state: 'done', … }, …]
 * ```
 */
export function jobTimeline(job: Job): TimelineStep[] {
  const entries = (...kinds: string[]) =>
    job.events
      .filter((e) => kinds.includes(e.kind))
      .map((e) => ({
        provider:
          e.provider ??
          ((e.data as Record<string, string> | null)?.replacement as string | undefined) ??
          ((e.data as Record<string, string> | null)?.provider as string | undefined) ??
          null,
        transactionHash: e.tx_hash,
        at: e.timestamp,
      }));
  const r = job.redundancy;
  const rank = ORDER[job.status] ?? 0;
  const assigned = job.assignments.filter((a) => a.assigned).length;
  const refunded = job.status === 'refunded';
  // The input is one the model cannot take (ComputeMarket.failJob): ended, refunded, nobody slashed.
  const failed = job.status === 'failed';
  const disputed = job.status === 'disputed' || job.events.some((e) => e.kind === 'JobChallenged');
  const state = (done: boolean, reached: boolean): TimelineStep['state'] =>
    done ? 'done' : refunded || failed ? 'failed' : reached ? 'current' : 'pending';

  const submitted = entries('JobSubmitted');
  const committedDone = job.committed_count >= r || rank >= 3;
  const revealedDone = (job.revealed_count >= r && !disputed) || job.status === 'finalized';
  return [
    {
      key: 'submitted',
      label: 'Submitted',
      state: submitted.length > 0 || rank >= 1 ? 'done' : 'current',
      detail: 'reward escrowed in ComputeMarket',
      entries: submitted,
    },
    {
      key: 'assigned',
      label: 'Assigned',
      state: state(assigned >= r || rank >= 2, rank >= 1),
      detail: `${Math.min(assigned, r)} of ${r} provider${r === 1 ? '' : 's'}`,
      entries: entries('ProviderAssigned', 'ProviderReassigned'),
    },
    {
      key: 'committed',
      label: 'Committed',
      state: state(committedDone, rank >= 2),
      detail: `${job.committed_count} of ${r} commitment${r === 1 ? '' : 's'}`,
      entries: entries('ResultCommitted'),
    },
    {
      key: 'revealed',
      label: 'Revealed',
      state: disputed && job.status !== 'finalized' ? 'failed' : state(revealedDone, rank >= 3),
      detail: disputed
        ? 'results differed: the referee re-executes the job'
        : `${job.revealed_count} of ${r} result${r === 1 ? '' : 's'}`,
      entries: entries('ResultRevealed', 'JobChallenged', 'ProviderSlashed'),
    },
    {
      key: 'finalized',
      label: failed ? 'Failed' : refunded ? 'Refunded' : 'Finalized',
      state: refunded || failed ? 'failed' : state(job.status === 'finalized', rank >= 3),
      detail: failed
        ? `the model cannot take this input${job.failure?.reason ? `: ${job.failure.reason}` : ''} — refunded in full, no provider slashed`
        : refunded
          ? 'no verified result before the deadline: the reward went back to the requester'
          : job.status === 'finalized'
            ? 'escrow paid out'
            : 'waiting for agreement',
      entries: entries('JobSettled', 'JobRefunded', 'JobFailed'),
    },
  ];
}

/** A job in a list. */
export type JobSummary = {
  id: string;
  requester: string;
  modelId: string;
  status: JobStatus;
  /** wei of `currency`. */
  reward: string;
  currency: string;
  redundancy: number;
  /** ISO 8601, when known. */
  createdAt: string | null;
};

export type ListJobsParameters = {
  /** Jobs running this asset. */
  modelId?: string | undefined;
  /** Jobs this provider held a slot in. */
  provider?: string | undefined;
  /** Jobs this account submitted. */
  requester?: string | undefined;
  /** @default 10 */
  limit?: number | undefined;
};

const summary = (job: Job): JobSummary => ({
  id: job.id,
  requester: job.requester,
  modelId: job.model_id,
  status: job.status,
  reward: job.reward,
  currency: job.currency,
  redundancy: job.redundancy,
  createdAt: job.created_at ?? null,
});

const jobIndex = new WeakMap<SoukClient, Promise<boolean>>();
/** Whether the node serves a job list (`GET /api/v1/jobs`), per its OpenAPI document (asked once per client). */
function hasJobIndex(client: SoukClient): Promise<boolean> {
  let known = jobIndex.get(client);
  if (!known) {
    known = client
      .json<{ paths?: Record<string, { get?: unknown }> }>('/openapi.json')
      .then(({ paths = {} }) => Boolean(paths['/api/v1/jobs/']?.get ?? paths['/api/v1/jobs']?.get))
      .catch(() => false);
    jobIndex.set(client, known);
  }
  return known;
}

/**
 * Recent jobs, newest first, from the node's job index (`GET /api/v1/jobs?model=&provider=&requester=&limit=`)
 * when it has one; otherwise found in the recent chain events (`GET /api/v1/chain/events`, the last 5,000 blocks)
 * and read one by one.
 */
export async function listJobs(
  client: SoukClient,
  { modelId, provider, requester, limit = 10 }: ListJobsParameters,
): Promise<{ items: JobSummary[]; source: 'index' | 'chain' }> {
  const search = new URLSearchParams({ limit: String(limit) });
  if (modelId) search.set('model', modelId);
  if (provider) search.set('provider', provider.toLowerCase());
  if (requester) search.set('requester', requester.toLowerCase());
  if (await hasJobIndex(client)) {
    const page = await client.json<{ items: Job[] }>(`/api/v1/jobs?${search}`);
    return { items: page.items.map(summary), source: 'index' };
  }
  const events = await getChainEvents(client, { limit: 500 });
  const ids: string[] = [];
  const lower = (v: unknown) => String(v ?? '').toLowerCase();
  for (const event of events) {
    if (event.contract !== 'computeMarket') continue;
    const jobId = String(event.args.jobId ?? '');
    if (!jobId || ids.includes(jobId)) continue;
    if (provider) {
      const who = event.event === 'ProviderReassigned' ? event.args.replacement : event.args.provider;
      if (event.event !== 'ProviderAssigned' && event.event !== 'ProviderReassigned') continue;
      if (lower(who) !== provider.toLowerCase()) continue;
    } else {
      if (event.event !== 'JobSubmitted') continue;
      if (modelId && String(event.args.modelId) !== modelId) continue;
      if (requester && lower(event.args.requester) !== requester.toLowerCase()) continue;
    }
    ids.push(jobId);
    if (ids.length >= limit) break;
  }
  const jobs = await Promise.all(ids.map((id) => getJob(client, { jobId: BigInt(id) }).catch(() => undefined)));
  return { items: jobs.filter((j): j is Job => j !== undefined).map(summary), source: 'chain' };
}
