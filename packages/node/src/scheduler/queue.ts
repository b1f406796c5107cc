/**
 * The queue of jobs waiting for providers: a binary max-heap on {@link jobPriority} (reward per second of deadline
 * slack, fixed at enqueue), FIFO among equal priorities, with a hard size limit for backpressure. See
 * `docs/scheduler.md`.
 */
import { JobDeadlinePassedError, QueueFullError } from './errors.ts';

/** A job waiting for providers. */
export type QueuedJob<T = unknown> = {
  /** On-chain job id; a job is queued at most once. */
  jobId: bigint;
  /** The job's reward, in wei of the payment currency (normalise mixed currencies to one unit first). */
  rewardWei: bigint;
  /** The job's deadline, in milliseconds since the epoch. */
  deadlineMs: number;
  /** Expected run time, in milliseconds; subtracted from the slack. @default 0 */
  estimatedRunMs?: number | undefined;
  /** Whatever the scheduler needs to assign it (e.g. its `JobRequirements`). */
  data: T;
};

/** Options of {@link createJobQueue}. */
export type JobQueueOptions<T = unknown> = {
  /** Most jobs held; `enqueue` throws {@link QueueFullError} beyond it. @default 10_000 */
  maxQueued?: number | undefined;
  /** Floor of the slack in the priority, in milliseconds, so a job at its deadline does not get infinite priority. @default 1_000 */
  minSlackMs?: number | undefined;
  /** Retry hint before any dequeue was observed, in milliseconds. @default 1_000 */
  defaultRetryAfterMs?: number | undefined;
  /** Cap of the retry hint, in milliseconds. @default 60_000 */
  maxRetryAfterMs?: number | undefined;
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined;
  /** Called with each job `dequeue` or `pruneExpired` drops because its deadline passed (it can only be refunded). */
  onExpired?: ((job: QueuedJob<T>) => void) | undefined;
};

/** A priority queue of pending jobs with backpressure; build it with {@link createJobQueue}. */
export type JobQueue<T = unknown> = {
  /** Jobs queued now. */
  readonly size: number;
  /** The size limit. */
  readonly maxQueued: number;
  /**
   * Queues a job. Idempotent: a job id already queued is left as it is (at-least-once delivery may repeat it).
   * @returns `true` when added, `false` when it was already queued.
   * @throws {QueueFullError} When `size === maxQueued` (with a retry hint).
   * @throws {JobDeadlinePassedError} When the deadline is not in the future.
   */
  enqueue(job: QueuedJob<T>): boolean;
  /** Removes and returns the highest-priority job whose deadline is still ahead (expired ones are dropped). */
  dequeue(): QueuedJob<T> | undefined;
  /** The job `dequeue` would return next (it may have expired meanwhile), without removing it. */
  peek(): QueuedJob<T> | undefined;
  /** Whether a job id is queued. */
  has(jobId: bigint): boolean;
  /** Removes a job (e.g. cancelled or assigned elsewhere). @returns Whether it was queued. */
  remove(jobId: bigint): boolean;
  /** Drops every job whose deadline passed, in O(n). @returns The dropped jobs. */
  pruneExpired(): QueuedJob<T>[];
  /** The jobs in dequeue order (a sorted copy, O(n log n); for inspection). */
  toArray(): QueuedJob<T>[];
};

/**
 * A job's priority: its reward per second of deadline slack, `reward / max(deadline − now − estimatedRun,
 * minSlack)`, in wei per second. A rich job and an urgent job both rise.
 *
 * @param params The job's reward and times, and the slack floor.
 * @returns The priority, in wei per second (higher first).
 *
 * @example
 * ```ts
 * import { jobPriority } from './queue.ts'
 * jobPriority({ rewardWei: 10n ** 18n, deadlineMs: Date.now() + 60_000, now: Date.now() }) // ≈ 1.67e16 wei/s
 * ```
 */
export function jobPriority({
  rewardWei,
  deadlineMs,
  estimatedRunMs = 0,
  now,
  minSlackMs = 1_000,
}: {
  /** Reward, in wei. */
  rewardWei: bigint;
  /** Deadline, in milliseconds since the epoch. */
  deadlineMs: number;
  /** Expected run time, in milliseconds. */
  estimatedRunMs?: number | undefined;
  /** Current time, in milliseconds since the epoch. */
  now: number;
  /** Slack floor, in milliseconds. */
  minSlackMs?: number | undefined;
}): number {
  const slackMs = Math.max(deadlineMs - now - estimatedRunMs, minSlackMs);
  return (Number(rewardWei) * 1000) / slackMs;
}

type Entry<T> = { job: QueuedJob<T>; priority: number; seq: number };

/**
 * Creates a job queue. The priority of a job ({@link jobPriority}) is computed once, when it is enqueued: the order
 * of two reward-per-slack ratios can flip as time passes, and re-keying a heap costs O(n), so the queue keeps the
 * key fixed and instead drops jobs whose deadline has passed. Among equal priorities the older job goes first.
 * `enqueue`, `dequeue` and `remove` are O(log n); `has` and `size` O(1).
 *
 * Backpressure: at `maxQueued` jobs, `enqueue` throws {@link QueueFullError} whose `retryAfterMs` is the mean
 * interval between recent dequeues (an exponentially weighted average: about when one slot frees up), capped at
 * `maxRetryAfterMs`.
 *
 * @param options Limits, clock and expiry callback.
 * @returns An empty queue.
 *
 * @example
 * ```ts
 * import { createJobQueue } from './queue.ts'
 * import { QueueFullError } from './errors.ts'
 * const queue = createJobQueue<JobRequirements>({ maxQueued: 5_000, onExpired: (job) => refund(job.jobId) })
 * try {
 *   queue.enqueue({ jobId: 7n, rewardWei: 3n * 10n ** 16n, deadlineMs: Date.now() + 600_000, data: requirements })
 * } catch (err) {
 *   if (err instanceof QueueFullError) reply.header('retry-after', err.retryAfterSeconds).code(503)
 * }
 * const next = queue.dequeue()
 * ```
 */
export function createJobQueue<T = unknown>({
  maxQueued = 10_000,
  minSlackMs = 1_000,
  defaultRetryAfterMs = 1_000,
  maxRetryAfterMs = 60_000,
  now = Date.now,
  onExpired,
}: JobQueueOptions<T> = {}): JobQueue<T> {
  if (!Number.isInteger(maxQueued) || maxQueued < 1) throw new RangeError('maxQueued must be an integer >= 1');
  if (!(minSlackMs > 0)) throw new RangeError('minSlackMs must be > 0');

  const heap: Entry<T>[] = [];
  const position = new Map<bigint, number>();
  let seq = 0;
  let lastDequeueMs: number | undefined;
  let dequeueIntervalMs: number | undefined;

  // `a` goes before `b`: higher priority, then older.
  const before = (a: Entry<T>, b: Entry<T>) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);

  const place = (entry: Entry<T>, i: number) => {
    heap[i] = entry;
    position.set(entry.job.jobId, i);
  };
  const up = (i: number) => {
    const entry = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      place(heap[parent], i);
      i = parent;
    }
    place(entry, i);
  };
  const down = (i: number) => {
    const entry = heap[i];
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right], heap[left]) ? right : left;
      if (!before(heap[child], entry)) break;
      place(heap[child], i);
      i = child;
    }
    place(entry, i);
  };
  const removeAt = (i: number): Entry<T> => {
    const entry = heap[i];
    position.delete(entry.job.jobId);
    const last = heap.pop() as Entry<T>;
    if (i < heap.length) {
      place(last, i);
      up(i);
      down(position.get(last.job.jobId) as number);
    }
    return entry;
  };
  const expired = (job: QueuedJob<T>, t: number) => job.deadlineMs <= t;

  const retryAfterMs = (): number => {
    const hint = dequeueIntervalMs === undefined ? defaultRetryAfterMs : Math.ceil(dequeueIntervalMs);
    return Math.min(Math.max(hint, 1), maxRetryAfterMs);
  };

  return {
    get size() {
      return heap.length;
    },
    maxQueued,
    enqueue(job) {
      if (position.has(job.jobId)) return false;
      const t = now();
      if (expired(job, t)) throw new JobDeadlinePassedError({ jobId: job.jobId, deadlineMs: job.deadlineMs, now: t });
      if (heap.length >= maxQueued) {
        throw new QueueFullError({ size: heap.length, maxQueued, retryAfterMs: retryAfterMs() });
      }
      const priority = jobPriority({
        rewardWei: job.rewardWei,
        deadlineMs: job.deadlineMs,
        estimatedRunMs: job.estimatedRunMs,
        now: t,
        minSlackMs,
      });
      heap.push({ job, priority, seq: seq++ });
      up(heap.length - 1);
      return true;
    },
    dequeue() {
      const t = now();
      while (heap.length > 0) {
        const { job } = removeAt(0);
        if (expired(job, t)) {
          onExpired?.(job);
          continue;
        }
        if (lastDequeueMs !== undefined) {
          const interval = Math.max(0, t - lastDequeueMs);
          dequeueIntervalMs =
            dequeueIntervalMs === undefined ? interval : dequeueIntervalMs + 0.2 * (interval - dequeueIntervalMs);
        }
        lastDequeueMs = t;
        return job;
      }
      return undefined;
    },
    peek() {
      return heap[0]?.job;
    },
    has(jobId) {
      return position.has(jobId);
    },
    remove(jobId) {
      const i = position.get(jobId);
      if (i === undefined) return false;
      removeAt(i);
      return true;
    },
    pruneExpired() {
      const t = now();
      const dropped: QueuedJob<T>[] = [];
      const survivors: Entry<T>[] = [];
      for (const entry of heap) {
        if (expired(entry.job, t)) dropped.push(entry.job);
        else survivors.push(entry);
      }
      if (dropped.length === 0) return dropped;
      // Rebuild the heap from the survivors (O(n) heapify).
      heap.length = 0;
      position.clear();
      for (const entry of survivors) place(entry, heap.length);
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
      for (const job of dropped) onExpired?.(job);
      return dropped;
    },
    toArray() {
      return [...heap].sort((a, b) => (before(a, b) ? -1 : 1)).map((entry) => entry.job);
    },
  };
}
