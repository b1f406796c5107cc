/**
 * Runs one compute job the way every provider (and the node's referee) must, so that honest runs agree bit for bit:
 * unpack the model bundle, build the pipeline the manifest names, run it on the pinned runtime, and serialise the
 * output canonically (RFC 8785, `result.ts`). The SHA-256 of those bytes is the result hash committed on-chain.
 *
 * Job types are a registry (`pipelines` below): a new type (e.g. a training round) adds an entry that turns a
 * bundle and an input into a runtime job; everything after — hashing, commit–reveal, settlement — is shared.
 *
 * A batch order's input (a `SOUKBAT1` container, `@souk/protocol`'s `batch.ts`) runs the same built pipeline on each
 * input in order (`batch.ts` here) and yields one output `{ batch: […] }`, hashed like any other.
 */
import { createHash } from 'node:crypto';
import { decodeEvaluation, isBatch, isEvaluation } from '@souk/protocol';
import type { Hex } from 'viem';
import { InvalidInputError } from '../errors.ts';
import { evaluationJob } from '../pipelines/evaluate.ts';
import { createIsnetPipeline } from '../pipelines/isnet.ts';
import { loadModel } from '../pipelines/modelSource.ts';
import { createOcrPipeline } from '../pipelines/ocr.ts';
import { createOnnxPipeline } from '../pipelines/onnx.ts';
import { createTrainPipeline } from '../pipelines/train.ts';
import { createVadPipeline } from '../pipelines/vad.ts';
import { createWakewordPipeline, keywordFiles } from '../pipelines/wakeword.ts';
import { createZkPipeline } from '../pipelines/zk.ts';
import { canonicalResult, type PipelineOutput } from '../result.ts';
import type { RunOptions, Runtime } from '../runtime/createRuntime.ts';
import type { Job, RuntimeRecord } from '../runtime/types.ts';
import { runBatch } from './batch.ts';
import { type BundleFiles, bundleFile, unpackBundle } from './bundle.ts';
import { type PipelineName, supportedPipelines as pipelineNames } from './pipelines.ts';

/** Turns bundle files into a function from input bytes to a runtime job. */
type PipelineFactory = (files: BundleFiles) => Promise<(input: Uint8Array) => Job<PipelineOutput>>;

/** One factory per name of `pipelines.ts` (the type makes a missing or extra one a compile error). */
const pipelines: Record<PipelineName, PipelineFactory> = {
  isnet: async (files) => {
    const isnet = await createIsnetPipeline({ model: bundleFile(files, 'model.onnx', 'isnet') });
    return (input) => isnet.job(input);
  },
  ocr: async (files) => {
    const ocr = await createOcrPipeline({
      detectionModel: bundleFile(files, 'detection.onnx', 'ocr'),
      classifierModel: files['classifier.onnx'],
      recognitionModel: bundleFile(files, 'recognition.onnx', 'ocr'),
      dictionary: bundleFile(files, 'dictionary.txt', 'ocr'),
    });
    return (input) => ocr.job(input);
  },
  onnx: async (files) => {
    const onnx = await createOnnxPipeline({ model: bundleFile(files, 'model.onnx', 'onnx') });
    return (input) => onnx.job(input);
  },
  train: async (files) => {
    const train = await createTrainPipeline({ recipe: bundleFile(files, 'recipe.json', 'train') });
    return (input) => train.job(input);
  },
  vad: async (files) => {
    const vad = await createVadPipeline({ model: bundleFile(files, 'model.onnx', 'vad') });
    return (input) => vad.job(input);
  },
  wakeword: async (files) => {
    const wakeword = await createWakewordPipeline({
      melspectrogramModel: bundleFile(files, 'melspectrogram.onnx', 'wakeword'),
      embeddingModel: bundleFile(files, 'embedding_model.onnx', 'wakeword'),
      keywordModels: keywordFiles(files),
    });
    return (input) => wakeword.job(input);
  },
  zk: async (files) => {
    const zk = await createZkPipeline({ files });
    return (input) => zk.job(input);
  },
};

/** Pipeline names this provider can run (advertised in heartbeats). */
export const supportedPipelines: readonly string[] = pipelineNames;

/** What a job execution produced. */
export type ExecutedJob = {
  /** The pipeline output. */
  output: PipelineOutput;
  /** Its canonical bytes (RFC 8785 JSON, UTF-8): what is stored and hashed. */
  result: Uint8Array;
  /** `0x` + SHA-256 of `result`: the hash committed and revealed on-chain. */
  resultHash: Hex;
  /** What was pinned (ORT version, execution provider, threads, optimisation level, model hashes). */
  runtimeRecord: RuntimeRecord;
  /** Time in the runtime, milliseconds. */
  durationMs: number;
};

/** Parameters of {@link JobExecutor.execute}. */
export type ExecuteParameters = {
  /** The manifest's `runtime.pipeline`; absent means the generic `onnx` pipeline. */
  pipeline?: string | undefined;
  /** The model bundle (the asset's plaintext content). */
  bundle: Uint8Array;
  /** The job input's bytes (an image for `ocr`; JSON or tensors for `onnx`; a batch container of such inputs). */
  input: Uint8Array;
} & RunOptions;

/** Runs jobs on one runtime, keeping built pipelines per bundle. */
export type JobExecutor = {
  /**
   * Executes a job.
   * @throws {InvalidInputError} Unknown pipeline, bundle missing a file, or bad input.
   * @throws {JobCancelledError} | {JobDeadlineError} | {JobFailedError} From the runtime.
   */
  execute(parameters: ExecuteParameters): Promise<ExecutedJob>;
  /** SHA-256 (hex) of the bundles whose pipelines are built (the provider's model cache). */
  cachedBundles(): string[];
};

/**
 * SHA-256 (hex) of a bundle, computed once per bundle buffer: hashing a model of tens of MB on every job would cost
 * more than the inference. Keyed by the buffer object, so callers must not mutate a bundle they passed.
 */
const digests = new WeakMap<Uint8Array, string>();
function bundleDigest(bundle: Uint8Array): string {
  let digest = digests.get(bundle);
  if (!digest) {
    digest = createHash('sha256').update(bundle).digest('hex');
    digests.set(bundle, digest);
  }
  return digest;
}

/**
 * Creates a job executor over a runtime.
 * @param parameters - `runtime` from `createRuntime`; `maxCachedBundles` (default 4) bounds memory.
 * @example
 * ```ts
 * const executor = createJobExecutor({ runtime: createRuntime() })
 * const { resultHash, output } = await executor.execute({ pipeline: 'ocr', bundle, input: png })
 * ```
 */
export function createJobExecutor({
  runtime,
  maxCachedBundles = 4,
}: {
  runtime: Runtime;
  maxCachedBundles?: number | undefined;
}): JobExecutor {
  const built = new Map<string, Promise<(input: Uint8Array) => Job<PipelineOutput>>>();
  return {
    cachedBundles: () => [...built.keys()].map((key) => key.slice(key.indexOf(':') + 1)),
    async execute({ pipeline = 'onnx', bundle, input, ...options }) {
      const factory = Object.hasOwn(pipelines, pipeline) ? pipelines[pipeline as PipelineName] : undefined;
      if (!factory) {
        throw new InvalidInputError(`Unknown pipeline "${pipeline}".`, {
          details: `this provider runs: ${supportedPipelines.join(', ')}`,
        });
      }
      if (isEvaluation(input)) {
        // An evaluation order: the generic pipeline's model scored on a labelled dataset (pipelines/evaluate.ts).
        if (pipeline !== 'onnx') {
          throw new InvalidInputError(`An evaluation runs a generic ONNX classifier, not a "${pipeline}" model.`);
        }
        const model = await loadModel(bundleFile(unpackBundle(bundle), 'model.onnx', 'onnx'), 'model');
        const run = await runtime.run(evaluationJob(model, decodeEvaluation(input)), options);
        const result = canonicalResult(run.output);
        const resultHash = `0x${createHash('sha256').update(result).digest('hex')}` as Hex;
        return { output: run.output, result, resultHash, runtimeRecord: run.runtimeRecord, durationMs: run.durationMs };
      }
      const key = `${pipeline}:${bundleDigest(bundle)}`;
      let make = built.get(key);
      if (!make) {
        make = factory(unpackBundle(bundle));
        built.set(key, make);
        make.catch(() => built.delete(key));
        while (built.size > maxCachedBundles) built.delete(built.keys().next().value as string);
      }
      const { output, runtimeRecord, durationMs } = isBatch(input)
        ? await runBatch({ runtime, make: await make, container: input, ...options })
        : await runtime.run((await make)(input), options);
      const result = canonicalResult(output);
      const resultHash = `0x${createHash('sha256').update(result).digest('hex')}` as Hex;
      return { output, result, resultHash, runtimeRecord, durationMs };
    },
  };
}
