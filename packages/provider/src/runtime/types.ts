/**
 * Types shared by the runtime (main thread), its worker thread and the pipelines.
 */
import type { Tensor } from '../pipelines/tensor.ts';

/** Execution providers the runtime can ask ONNX Runtime for. */
export type ExecutionProvider = 'cpu' | 'cuda';

/** Names of the pipelines a worker can run. */
export type PipelineName = 'onnx' | 'ocr' | 'vad' | 'isnet' | 'wakeword' | 'train' | 'evaluate' | 'zk';

/**
 * A model file a job needs: its bytes and their SHA-256 (the session cache key, and the manifest's `content.sha256`).
 */
export type ModelRef = {
  /** SHA-256 of `bytes`, 64 lower-case hex digits. */
  sha256: string;
  /** The ONNX model file. */
  bytes: Uint8Array;
};

/**
 * One unit of work for a runtime: a pipeline, the models it uses by role, and its input. Built by a pipeline's
 * `job(input)`; `TOutput` is the output type `runtime.run` resolves with.
 *
 * @example
 * ```ts
 * import { createOnnxPipeline, createRuntime } from '@souk/provider';
 * const pipeline = await createOnnxPipeline({ model: '/models/cls.onnx' });
 * const job = pipeline.job({ tensors: { x: { dtype: 'float32', dims: [1, 3, 48, 192], data } } });
 * const { output } = await createRuntime().run(job);
 * ```
 */
export type Job<TOutput = unknown> = {
  /** Which pre/post-processing runs around the models (the manifest's `runtime.pipeline`). */
  pipeline: PipelineName;
  /** Version of that pre/post-processing; part of the runtime record. */
  pipelineVersion: string;
  /** Models by role (`model` for the generic pipeline; `detection`, `classifier`, `recognition` for OCR). */
  models: Readonly<Record<string, ModelRef>>;
  /** Pipeline-specific input (structured-cloneable). */
  input: unknown;
  /** Pipeline-specific options (structured-cloneable), e.g. the OCR dictionary. */
  options?: Readonly<Record<string, unknown>> | undefined;
  /** Type-level only: the output type. Never set. */
  readonly __output?: TOutput | undefined;
};

/**
 * What was pinned to make a job's output reproducible. It travels with a revealed result so that agreement can be
 * checked against like-for-like runs; it is not part of the hashed result.
 */
export type RuntimeRecord = {
  /** ONNX Runtime version (`onnxruntime-node`), e.g. `1.30.0`. */
  ortVersion: string;
  /** Execution provider the sessions were created with. */
  executionProvider: ExecutionProvider;
  /** Why the requested execution provider was not used, when it was not. */
  executionProviderFallback?: string | undefined;
  /** Threads inside one operator (`intraOpNumThreads`). */
  intraOpNumThreads: number;
  /** Threads across operators (`interOpNumThreads`); always 1. */
  interOpNumThreads: number;
  /** Graph optimisation level (`all` unless the runtime was created with another). */
  graphOptimizationLevel: GraphOptimizationLevel;
  /** Execution mode; always `sequential`. */
  executionMode: 'sequential';
  /** Pipeline name. */
  pipeline: PipelineName;
  /** Pipeline version. */
  pipelineVersion: string;
  /** SHA-256 of each model file used, by role. */
  models: Record<string, string>;
};

/** A loaded model as a pipeline sees it inside the worker. */
export type ModelHandle = {
  /** Graph input names, in graph order. */
  inputNames: readonly string[];
  /** Graph output names, in graph order. */
  outputNames: readonly string[];
  /**
   * Rank of each graph input (its declared dimension count), in graph order; `undefined` where ONNX Runtime does not
   * say (a non-tensor input, or a graph without shapes).
   */
  inputRanks: ReadonlyArray<number | undefined>;
  /**
   * Runs the model.
   * @param feeds - Input tensors by name.
   * @returns Every graph output by name.
   */
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
};

/** What a pipeline gets from the worker: its models by role, through the pinned session cache. */
export type PipelineContext = {
  /**
   * The model of a role, its session created (or reused) with the pinned options.
   * @param role - Role name as in `Job.models`.
   */
  model(role: string): Promise<ModelHandle>;
  /** The roles the job has models for. */
  roles: readonly string[];
  /** The job's options. */
  options: Readonly<Record<string, unknown>>;
  /**
   * Throws `JobCancelledError` when the main thread cancelled the job; long-running pipelines (training) call it
   * between steps. Absent outside the worker.
   */
  checkpoint?: (() => void) | undefined;
};

/** Main thread → worker. */
export type WorkerRequest = {
  type: 'run';
  id: number;
  pipeline: PipelineName;
  pipelineVersion: string;
  /** Bytes are omitted for models the worker already holds. */
  models: Record<string, { sha256: string; bytes?: Uint8Array | undefined }>;
  input: unknown;
  options: Record<string, unknown>;
};

/** Main thread → worker: stop the job at the next checkpoint (before the next native call) and answer. */
export type WorkerCancel = { type: 'cancel'; id: number };

/** Worker → main thread. */
export type WorkerResponse =
  | { type: 'result'; id: number; output: unknown; runtimeRecord: RuntimeRecord }
  | { type: 'error'; id: number; error: { name: string; message: string; stack?: string | undefined } };

/** ONNX Runtime graph optimisation levels (`SessionOptions.graphOptimizationLevel`). */
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** Settings a worker is started with. */
export type WorkerSettings = {
  intraOpNumThreads: number;
  executionProvider: ExecutionProvider;
  graphOptimizationLevel: GraphOptimizationLevel;
};
