/**
 * A runtime runs jobs off the main thread, in one `node:worker_threads` worker that owns the ONNX Runtime sessions.
 * Jobs run one at a time, in the order `run` was called. Cancelling a running job (its `AbortSignal`, its deadline,
 * or `close()`) rejects it at once and retires its worker: a fresh worker takes the next jobs straight away (its
 * sessions are re-created on first use), while the old one stops before its next native ONNX Runtime call and is then
 * terminated (terminating it inside a native call would abort the process).
 */
import { Worker } from 'node:worker_threads';
import { JobCancelledError, JobDeadlineError, JobFailedError, RuntimeClosedError } from '../errors.ts';
import type {
  ExecutionProvider,
  GraphOptimizationLevel,
  Job,
  RuntimeRecord,
  WorkerCancel,
  WorkerRequest,
  WorkerResponse,
  WorkerSettings,
} from './types.ts';

export type CreateRuntimeParameters = {
  /** ONNX Runtime intra-op threads per session (`intraOpNumThreads`), an integer ≥ 1. @default 1 */
  threads?: number | undefined;
  /** Execution provider to ask for; `cuda` falls back to `cpu` (with a recorded reason) when unavailable. @default 'cpu' */
  executionProvider?: ExecutionProvider | undefined;
  /**
   * ONNX Runtime graph optimisation level. Levels fuse operators differently, so float outputs differ in their last
   * bits between levels: models of the `exact` verification class need every provider on the default.
   * @default 'all'
   */
  graphOptimizationLevel?: GraphOptimizationLevel | undefined;
};

export type RunOptions = {
  /** Aborts the job: rejects with `JobCancelledError`, and terminates the worker if the job is running. */
  signal?: AbortSignal | undefined;
  /** Time budget in milliseconds, counted from the `run` call (queueing included); past it, `JobDeadlineError`. */
  deadlineMs?: number | undefined;
};

export type RunResult<TOutput> = {
  /** The pipeline's output. */
  output: TOutput;
  /** What was pinned to produce it. */
  runtimeRecord: RuntimeRecord;
  /** Wall-clock time in the worker's hands, in milliseconds (model loading included; queueing excluded). */
  durationMs: number;
};

export type Runtime = {
  /**
   * Runs a job on the worker thread.
   * @param job - Built by a pipeline's `job(input)`.
   * @param options - Cancellation signal and deadline.
   * @returns The output, the runtime record and the duration.
   * @throws {JobCancelledError} Aborted through `options.signal` or `close()`.
   * @throws {JobDeadlineError} Not finished within `options.deadlineMs`.
   * @throws {JobFailedError} Invalid input, a model ONNX Runtime rejects, or a crashed worker.
   * @throws {RuntimeClosedError} Called after `close()`.
   */
  run<TOutput>(job: Job<TOutput>, options?: RunOptions): Promise<RunResult<TOutput>>;
  /**
   * Cancels every pending job (`JobCancelledError`) and stops the worker. Idempotent.
   */
  close(): Promise<void>;
  /** The settings the runtime was created with. */
  readonly settings: Readonly<WorkerSettings>;
};

type Pending = {
  id: number;
  job: Job;
  started: boolean;
  startedAt: number;
  resolve(value: RunResult<unknown>): void;
  reject(error: Error): void;
  cleanup(): void;
};

const WORKER_URL = new URL('./worker.ts', import.meta.url);

/**
 * Creates a runtime: one worker thread with ONNX Runtime sessions pinned for reproducible output (intra-op threads as
 * given, inter-op threads 1, graph optimisation `all` unless given, sequential execution, CPU unless CUDA is asked
 * for and available), cached per model SHA-256.
 * @param parameters - Threads, execution provider and graph optimisation level.
 * @throws {RangeError} When `graphOptimizationLevel` is not one of ONNX Runtime's four.
 * @returns The runtime; call `close()` when done.
 * @throws {RangeError} When `threads` is not an integer ≥ 1.
 * @example
 * ```ts
 * import { createOcrPipeline, createRuntime } from '@souk/provider';
 * const runtime = createRuntime({ threads: 1 });
 * const ocr = await createOcrPipeline({ detectionModel, recognitionModel, dictionary });
 * const { output, runtimeRecord } = await runtime.run(ocr.job(png), { deadlineMs: 30_000 });
 * await runtime.close();
 * ```
 */
export function createRuntime({
  threads = 1,
  executionProvider = 'cpu',
  graphOptimizationLevel = 'all',
}: CreateRuntimeParameters = {}): Runtime {
  if (!Number.isSafeInteger(threads) || threads < 1)
    throw new RangeError(`threads must be an integer ≥ 1, got ${threads}.`);
  if (executionProvider !== 'cpu' && executionProvider !== 'cuda') {
    throw new RangeError(`executionProvider must be 'cpu' or 'cuda', got ${String(executionProvider)}.`);
  }
  if (!['disabled', 'basic', 'extended', 'all'].includes(graphOptimizationLevel)) {
    throw new RangeError(
      `graphOptimizationLevel must be disabled, basic, extended or all, got ${String(graphOptimizationLevel)}.`,
    );
  }
  const settings: WorkerSettings = Object.freeze({
    intraOpNumThreads: threads,
    executionProvider,
    graphOptimizationLevel,
  });
  const queue: Pending[] = [];
  let current: Pending | undefined;
  let nextId = 1;
  let closed = false;
  let worker: Worker;
  /** Model hashes whose bytes the current worker already received. */
  let loaded = new Set<string>();

  /** Workers replaced while busy: each is terminated once it answers its cancelled job. */
  const retired = new Map<Worker, Promise<void>>();

  function spawn(): void {
    const w = new Worker(WORKER_URL, { workerData: settings, name: 'souk-provider-runtime' });
    w.on('message', (response: WorkerResponse) => {
      if (retired.has(w)) {
        // Idle now (its cancelled job answered): safe to terminate.
        w.terminate().catch(() => {});
        return;
      }
      if (w !== worker || !current || response.id !== current.id) return;
      const pending = current;
      current = undefined;
      finish(pending);
      if (response.type === 'result') {
        pending.resolve({
          output: response.output,
          runtimeRecord: response.runtimeRecord,
          durationMs: performance.now() - pending.startedAt,
        });
      } else {
        // The worker may have dropped a session it could not create: send the bytes again next time.
        for (const ref of Object.values(pending.job.models)) loaded.delete(ref.sha256);
        const cause = Object.assign(new Error(response.error.message), {
          name: response.error.name,
          stack: response.error.stack,
        });
        pending.reject(new JobFailedError({ details: `${response.error.name}: ${response.error.message}`, cause }));
      }
      pump();
    });
    const onDeath = (reason: string, cause?: unknown) => {
      if (w !== worker || closed) return;
      const pending = current;
      current = undefined;
      spawn();
      if (pending) {
        finish(pending);
        pending.reject(new JobFailedError({ details: `The worker thread stopped: ${reason}`, cause }));
      }
      pump();
    };
    w.on('error', (error) => onDeath(error.message, error));
    w.on('exit', (code) => onDeath(`exit code ${code}`));
    w.unref();
    worker = w;
    loaded = new Set();
  }

  /**
   * Retires the busy worker and starts a fresh one for the next jobs. The old worker is told to stop its job at the
   * next checkpoint and is terminated as soon as it answers: terminating a thread inside a native ONNX Runtime call
   * would abort the whole process, so at most the one native call in progress runs to its end (on its own thread,
   * ignored). The retired worker keeps the process alive until then.
   */
  function retire(jobId: number): void {
    const old = worker;
    retired.set(
      old,
      new Promise<void>((resolve) => old.once('exit', () => resolve())).then(() => {
        retired.delete(old);
      }),
    );
    old.ref();
    old.postMessage({ type: 'cancel', id: jobId } satisfies WorkerCancel);
    spawn();
  }

  function finish(pending: Pending): void {
    pending.cleanup();
    if (!current && queue.length === 0) worker.unref();
  }

  function pump(): void {
    if (current || closed) return;
    const pending = queue.shift();
    if (!pending) return;
    current = pending;
    pending.started = true;
    pending.startedAt = performance.now();
    const models: WorkerRequest['models'] = {};
    for (const [role, ref] of Object.entries(pending.job.models)) {
      models[role] = loaded.has(ref.sha256) ? { sha256: ref.sha256 } : { sha256: ref.sha256, bytes: ref.bytes };
      loaded.add(ref.sha256);
    }
    const request: WorkerRequest = {
      type: 'run',
      id: pending.id,
      pipeline: pending.job.pipeline,
      pipelineVersion: pending.job.pipelineVersion,
      models,
      input: pending.job.input,
      options: { ...(pending.job.options ?? {}) },
    };
    worker.ref();
    worker.postMessage(request);
  }

  /** Rejects a pending job; if it is running, replaces the worker. */
  function cancel(pending: Pending, error: Error): void {
    if (pending === current) {
      current = undefined;
      retire(pending.id);
    } else {
      const index = queue.indexOf(pending);
      if (index === -1) return; // already settled
      queue.splice(index, 1);
    }
    finish(pending);
    pending.reject(error);
    pump();
  }

  spawn();

  return {
    settings,
    run<TOutput>(job: Job<TOutput>, { signal, deadlineMs }: RunOptions = {}): Promise<RunResult<TOutput>> {
      if (closed) return Promise.reject(new RuntimeClosedError());
      if (signal?.aborted) return Promise.reject(new JobCancelledError({ reason: signal.reason }));
      if (deadlineMs !== undefined && !(deadlineMs >= 0)) {
        return Promise.reject(new RangeError(`deadlineMs must be ≥ 0, got ${deadlineMs}.`));
      }
      return new Promise<RunResult<TOutput>>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const onAbort = () => cancel(pending, new JobCancelledError({ reason: signal?.reason }));
        const pending: Pending = {
          id: nextId++,
          job,
          started: false,
          startedAt: 0,
          resolve: resolve as (value: RunResult<unknown>) => void,
          reject,
          cleanup() {
            if (timer) clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        if (deadlineMs !== undefined) {
          timer = setTimeout(() => cancel(pending, new JobDeadlineError({ deadlineMs })), deadlineMs);
        }
        queue.push(pending);
        pump();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const running = current;
      const pendings = [...(running ? [running] : []), ...queue.splice(0)];
      current = undefined;
      for (const pending of pendings) {
        pending.cleanup();
        pending.reject(new JobCancelledError({ details: 'The runtime was closed.' }));
      }
      if (running) retire(running.id);
      else await worker.terminate();
      await Promise.all(retired.values());
      // retire() started a fresh worker that never got a job: stop it too.
      if (running) await worker.terminate();
    },
  };
}
