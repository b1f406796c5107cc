import { JobStatus } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';
import { SoukError } from '../../errors/base.ts';
import { JobFailedError } from '../../errors/jobs.ts';
import { uploadContent } from '../assets/uploadContent.ts';
import { subscribeEvents } from '../events/subscribeEvents.ts';
import { getJob, type Job } from './getJob.ts';
import { getJobResult, type JobResult } from './getJobResult.ts';
import { isNodeUnreachable, type ReconnectedInfo, type ReconnectingInfo, reconnectDelayMs } from './reconnect.ts';
import { submitJob } from './submitJob.ts';

/** A step of a job's life, derived from its on-chain events in chain order. */
export type JobLifecycleEvent =
  | { type: 'submitted'; jobId: string; transactionHash: string }
  | { type: 'assigned'; provider: string; transactionHash: string }
  | { type: 'reassigned'; previous: string; replacement: string; transactionHash: string }
  | { type: 'committed'; provider: string; transactionHash: string }
  | { type: 'revealed'; provider: string; resultHash: string; transactionHash: string }
  | { type: 'disputed'; transactionHash: string }
  | { type: 'slashed'; provider: string; amountWei: string; transactionHash: string }
  | { type: 'finalized'; resultHash: string; transactionHash: string; payouts: Job['payouts'] }
  | { type: 'refunded'; amountWei: string; transactionHash: string }
  /** The job's input is one the model cannot take: refunded in full, nobody slashed (`reason` null if unknown). */
  | { type: 'failed'; reason: string | null; reasonHash: string; transactionHash: string };

export type JobLifecycleType = JobLifecycleEvent['type'];

export type RunJobParameters = {
  /** The model (or agent) to run. */
  assetId: bigint | string;
  /** The input: image bytes for OCR, JSON tensors (UTF-8) for a generic ONNX model. */
  input: Uint8Array;
  /** Providers that must agree, 1…5. @default 2 */
  redundancy?: number | undefined;
  /** The most the job may cost (escrowed), wei of `currency`. */
  maxPriceWei: bigint;
  /** ERC-20 to pay in; absent: native. */
  currency?: `0x${string}` | undefined;
  /** Seconds until the commit deadline. @default 900 */
  deadlineSeconds?: number | undefined;
  /**
   * How often the job is polled, ms. The job is also re-read at once on each of its events from the node's
   * WebSocket (`/ws`), so this is only the fallback when no event arrives. @default 300
   */
  pollIntervalMs?: number | undefined;
  /**
   * How long the job is still followed while the node cannot be reached (it restarted, the network dropped), ms:
   * requests are retried with backoff (0.5 s doubling to 10 s) until it answers again. @default 900,000 (15 min)
   */
  reconnectTimeoutMs?: number | undefined;
  /** Called before each retry while the node cannot be reached (e.g. to say so). */
  onReconnecting?: ((info: ReconnectingInfo) => void) | undefined;
  /** Called once the node answers again after failed requests. */
  onReconnected?: ((info: ReconnectedInfo) => void) | undefined;
};

/** A submitted job: typed lifecycle events and its result. */
export type JobHandle<TOutput = unknown> = {
  /** The job id. */
  readonly jobId: bigint;
  /** Listens to one lifecycle step (`'*'` for all); returns a function that removes the listener. */
  on<T extends JobLifecycleType | '*'>(
    type: T,
    listener: (event: T extends '*' ? JobLifecycleEvent : Extract<JobLifecycleEvent, { type: T }>) => void,
  ): () => void;
  /** Every lifecycle event so far, in order. */
  readonly history: readonly JobLifecycleEvent[];
  /**
   * Resolves with the verified result once the job is finalized (agreement or settled dispute).
   * @throws {JobFailedError} When the job failed: its input is one the model cannot take (`reason` says why;
   *   refunded in full, nobody slashed).
   * @throws {SoukError} When the job is refunded (no result before the deadline), or `timeoutMs` passes.
   */
  result(options?: { timeoutMs?: number | undefined }): Promise<JobResult<TOutput>>;
  /** Stops polling. */
  close(): void;
};

/** Maps one indexed job event to lifecycle events. */
function toLifecycle(event: Job['events'][number], job: Job): JobLifecycleEvent[] {
  const data = (event.data ?? {}) as Record<string, string>;
  const tx = event.tx_hash;
  switch (event.kind) {
    case 'JobSubmitted':
      return [{ type: 'submitted', jobId: job.id, transactionHash: tx }];
    case 'ProviderAssigned':
      return [{ type: 'assigned', provider: event.provider ?? data.provider, transactionHash: tx }];
    case 'ProviderReassigned':
      return [{ type: 'reassigned', previous: data.previous, replacement: data.replacement, transactionHash: tx }];
    case 'ResultCommitted':
      return [{ type: 'committed', provider: event.provider ?? data.provider, transactionHash: tx }];
    case 'ResultRevealed':
      return [
        {
          type: 'revealed',
          provider: event.provider ?? data.provider,
          resultHash: data.resultHash,
          transactionHash: tx,
        },
      ];
    case 'ProviderSlashed':
      return [
        { type: 'slashed', provider: event.provider ?? data.provider, amountWei: data.amount, transactionHash: tx },
      ];
    case 'JobStatusChanged':
      return Number(data.to) === JobStatus.Disputed || data.to === 'Disputed'
        ? [{ type: 'disputed', transactionHash: tx }]
        : [];
    case 'JobSettled':
      return [
        {
          type: 'finalized',
          resultHash: data.resultHash ?? job.result_hash ?? '',
          transactionHash: tx,
          payouts: job.payouts.filter((p) => p.tx_hash === tx),
        },
      ];
    case 'JobRefunded':
      return [{ type: 'refunded', amountWei: data.amount, transactionHash: tx }];
    case 'JobFailed':
      return [
        { type: 'failed', reason: job.failure?.reason ?? null, reasonHash: data.reasonHash, transactionHash: tx },
      ];
    default:
      return [];
  }
}

/**
 * Runs a model through the compute market: uploads the input, submits the job with its reward in escrow, and
 * follows it to settlement. Requires sign-in (devnet accounts are submitted for by the node).
 * @returns A {@link JobHandle} once the job is on-chain.
 * @throws {SoukApiError} From the upload or submission (e.g. 422 with the decoded contract error).
 * @throws {SoukError} When the node returned unsigned transactions (a wallet must send them; use `submitJob`).
 * @example
 * ```ts
 * const handle = await runJob(client, { assetId: 1n, input: png, redundancy: 2, maxPriceWei: parseEther('0.01') })
 * handle.on('committed', (e) => console.log('committed by', e.provider))
 * const { output } = await handle.result()
 * ```
 */
export async function runJob<TOutput = unknown>(
  client: SoukClient,
  {
    assetId,
    input,
    redundancy = 2,
    maxPriceWei,
    currency,
    deadlineSeconds,
    pollIntervalMs = 300,
    reconnectTimeoutMs = 15 * 60_000,
    onReconnecting,
    onReconnected,
  }: RunJobParameters,
): Promise<JobHandle<TOutput>> {
  const { uploadId } = await uploadContent(client, { data: input, encrypt: true });
  const submitted = await submitJob(client, {
    assetId,
    uploadId,
    redundancy,
    rewardWei: maxPriceWei,
    currency,
    deadlineSeconds,
  });
  if (submitted.jobId === null) {
    throw new SoukError('The node returned unsigned transactions: send them from your wallet, then follow the job.');
  }
  const jobId = BigInt(submitted.jobId);
  const listeners = new Map<string, Set<(event: JobLifecycleEvent) => void>>();
  const history: JobLifecycleEvent[] = [];
  const seen = new Set<string>();
  let closed = false;
  let settled: Job | undefined;
  let failure: unknown;
  const waiters: Array<() => void> = [];

  const emit = (event: JobLifecycleEvent) => {
    history.push(event);
    for (const key of [event.type, '*']) for (const listener of listeners.get(key) ?? []) listener(event);
  };
  // Re-read the job as soon as the node indexes one of its events; polling stays the fallback.
  let eventArrived = false;
  let wake: (() => void) | undefined;
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });
  const subscribe = () =>
    subscribeEvents(client, {
      topics: ['job'],
      filter: { jobId },
      onEvent: () => {
        eventArrived = true;
        wake?.();
      },
    }).catch(() => undefined); // no WebSocket: polling alone
  let subscription = subscribe();
  const unsubscribe = () => void subscription.then((s) => s?.close());
  // While the node cannot be reached: since when, and how many retries so far.
  let downSince: number | undefined;
  let retries = 0;
  /** Waits before the next retry; `false` when the node has been gone longer than `reconnectTimeoutMs`. */
  const retryLater = async (error: SoukError): Promise<boolean> => {
    downSince ??= Date.now();
    if (Date.now() - downSince > reconnectTimeoutMs) return false;
    retries++;
    const delayMs = reconnectDelayMs(retries);
    onReconnecting?.({ jobId, attempt: retries, delayMs, error });
    await nap(delayMs);
    return true;
  };
  const reconnected = () => {
    if (downSince === undefined) return;
    onReconnected?.({ jobId, attempts: retries, downMs: Date.now() - downSince });
    downSince = undefined;
    retries = 0;
    unsubscribe(); // the old WebSocket died with the node's process: listen on a new one
    subscription = subscribe();
  };
  const poll = async () => {
    while (!closed) {
      eventArrived = false;
      try {
        const job = await getJob(client, { jobId }).catch((error) => {
          if ((error as { status?: number }).status === 404) return undefined; // not indexed yet
          throw error;
        });
        reconnected(); // it answered
        if (job) {
          for (const event of job.events) {
            const key = `${event.tx_hash}:${event.log_index}`;
            if (seen.has(key)) continue;
            // Settlement events are emitted once payouts are indexed with them (same transaction).
            if (event.kind === 'JobSettled' && job.payouts.length === 0) break;
            seen.add(key);
            for (const lifecycle of toLifecycle(event, job)) emit(lifecycle);
          }
          if (job.status === 'finalized' || job.status === 'refunded' || job.status === 'failed') {
            settled = job;
            break;
          }
        }
      } catch (error) {
        if (isNodeUnreachable(error) && !closed && (await retryLater(error))) continue;
        failure = error;
        break;
      }
      if (!eventArrived) await nap(pollIntervalMs);
    }
    unsubscribe();
    for (const waiter of waiters.splice(0)) waiter();
  };
  const polling = poll();

  return {
    jobId,
    history,
    on(type, listener) {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set);
      set.add(listener as (event: JobLifecycleEvent) => void);
      return () => set.delete(listener as (event: JobLifecycleEvent) => void);
    },
    async result({ timeoutMs = 15 * 60_000 } = {}) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([polling.then(() => 'done' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') throw new SoukError(`Job ${jobId} did not settle within ${timeoutMs} ms.`);
      if (failure) throw failure;
      if (!settled) throw new SoukError(`Stopped following job ${jobId} before it settled.`);
      if (settled.status === 'failed') {
        const failure = settled.failure;
        throw new JobFailedError({
          jobId,
          reason: failure?.reason ?? failure?.reportedReason,
          code: failure?.code,
          reportedBy: failure?.reportedBy,
          reproducedByReferee: failure?.reproducedByReferee,
          transactionHash: failure?.transactionHash,
        });
      }
      if (settled.status === 'refunded') {
        throw new SoukError(`Job ${jobId} was refunded: no verified result before its deadline.`);
      }
      return getJobResult<TOutput>(client, { jobId });
    },
    close() {
      closed = true;
      wake?.();
      unsubscribe();
    },
  };
}
