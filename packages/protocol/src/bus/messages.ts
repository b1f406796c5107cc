/**
 * What providers and the node say to each other over the job bus (subjects: `subjects.ts`). Payloads are
 * JSON; amounts are decimal strings of wei, times are milliseconds since the epoch unless named `…Seconds`.
 *
 * A provider codes against {@link ProviderBus}, the part of the node's `JobBus` it uses, so it works on the
 * in-process bus (local providers of `souk start`) and on NATS JetStream (providers on other machines) alike.
 */

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

/** A received bus message (the fields providers use). */
export type ProviderBusMessage<T> = { id: string; data: T; deliveryCount: number };

/** The job-bus operations a provider needs; the node's `JobBus` (in-process or NATS) satisfies it. */
export type ProviderBus = {
  readonly kind: string;
  readonly subjects: {
    /** The root token(s) of every subject, e.g. `souk` (order subjects: `orderSubjects(prefix)`). */
    readonly prefix: string;
    /** `<prefix>.providers.heartbeat`. */
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
