/**
 * What providers and the node say to each other over the job bus (subjects: `subjects.ts`). Payloads are
 * JSON; amounts are decimal strings of wei, times are milliseconds since the epoch unless named `…Seconds`.
 *
 * A provider codes against {@link ProviderBus}, the part of the node's `JobBus` it uses, so it works on the
 * in-process bus (local providers of `souk start`) and on NATS JetStream (providers on other machines) alike.
 */

import type { JobFailureReport } from '../jobFailure.ts';

/** `souk.jobs.assigned.<provider>`: the node assigned this provider a slot of a job (on-chain already). */
export type AssignmentMessage = {
  /** Job id, decimal. */
  jobId: string;
  /** Model asset id, decimal. */
  modelId: string;
  /** The manifest's `runtime.pipeline` (`ocr`, `onnx`…). */
  pipeline: string;
  /** CID of the model bundle's content (the provider's model-cache key). */
  contentCid: string;
  /** SHA-256 (hex) of the bundle plaintext, from the manifest. */
  contentSha256: string;
  /** Base URL of the node whose gateway serves the job's model and input. */
  nodeUrl: string;
  /** Last second (Unix) at which a commit is accepted. */
  deadlineSeconds: number;
  /**
   * `reveal`: every commitment of the job is in, reveal now (sent once the job is `Revealing`; a provider that has
   * nothing to reveal ignores it). Absent or `assign`: run the job.
   */
  purpose?: 'assign' | 'reveal' | undefined;
};

/** `souk.providers.heartbeat`: a provider's advertisement, sent every few seconds. */
export type HeartbeatMessage = {
  /** Provider address (checksummed). */
  address: string;
  /** Who runs it (address or name); the scheduler never puts two of one operator on a job. */
  operator: string;
  /** Price per job this provider asks, wei of the job currency. */
  priceWei: string;
  /** Inference engines, e.g. `onnxruntime@1.30.0`. */
  runtimes: string[];
  /** Pipelines it runs. */
  pipelines: string[];
  /** Execution providers available (`cpu`, `cuda`). */
  executionProviders: string[];
  /** Total memory, bytes. */
  memoryBytes: number;
  /** CPU model and core count, for display. */
  cpu: string;
  /** GPUs (names), when any. */
  gpus: string[];
  /** Jobs it runs at once. */
  maxConcurrency: number;
  /** Jobs running now. */
  running: number;
  /** Recent job latency (EWMA), ms; null before the first job. */
  latencyMs: number | null;
  /** Content CIDs of model bundles it holds. */
  cachedModels: string[];
  /** When it was sent. */
  sentAtMs: number;
};

/** `souk.jobs.results.<jobId>`: a provider's notice after working on a job. */
export type ResultNotice = {
  jobId: string;
  provider: string;
  /**
   * `received`: the assignment message reached the provider (sent on every delivery, before any work: the node
   * re-announces an assignment nobody confirmed, then reassigns it — which does not slash — rather than let the
   * provider be slashed at the deadline for work it never got); `committed`: result stored and commitment on-chain;
   * `failed`: it could not run the job (reason given).
   */
  outcome: 'received' | 'committed' | 'failed';
  /** The bus message id of the assignment this notice answers (scoped by chain and deployment: `messageIds.ts`). */
  assignmentId?: string | undefined;
  reason?: string | undefined;
  /** Time from assignment receipt to commit, ms. */
  durationMs?: number | undefined;
};

/** A received bus message (the fields providers use). */
export type ProviderBusMessage<T> = { id: string; data: T; deliveryCount: number };

/** The job-bus operations a provider needs; the node's `JobBus` (in-process or NATS) satisfies it. */
export type ProviderBus = {
  readonly kind: string;
  readonly subjects: {
    assigned(provider: string): string;
    results(jobId: bigint | string): string;
    /** `<prefix>.jobs.failures.<jobId>`: signed {@link JobFailureReport}s: the job itself cannot run. */
    failures(jobId: bigint | string): string;
    readonly heartbeat: string;
  };
  publish<T>(subject: string, data: T, options?: { id?: string | undefined }): Promise<unknown>;
  subscribe<T>(
    subject: string,
    handler: (message: ProviderBusMessage<T>) => void | Promise<void>,
    options?: {
      durable?: string | undefined;
      deliverPolicy?: 'all' | 'new' | undefined;
      maxDeliver?: number | undefined;
      ackWaitMs?: number | undefined;
      backoffMs?: number | undefined;
      onError?: ((error: unknown, message: unknown, info: { willRetry: boolean }) => void) | undefined;
    },
  ): Promise<{ close(): Promise<void> }>;
};
