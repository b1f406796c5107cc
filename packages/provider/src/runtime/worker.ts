/**
 * The worker thread behind a runtime: it owns the ONNX Runtime sessions (cached per model SHA-256), creates them with
 * the pinned options, runs one job at a time and posts the output back. Started by `createRuntime`; not imported
 * directly.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { runEvaluate } from '../pipelines/evaluate.ts';
import { runIsnet } from '../pipelines/isnet.ts';
import { runOcr } from '../pipelines/ocr.ts';
import { runOnnx } from '../pipelines/onnx.ts';
import { assertTensorOutputs, fromOrtTensor, toOrtFeeds } from '../pipelines/ortTensor.ts';
import type { Tensor } from '../pipelines/tensor.ts';
import { runTrain } from '../pipelines/trainWorker.ts';
import { runVad } from '../pipelines/vad.ts';
import { runWakeword } from '../pipelines/wakeword.ts';
import { runZk } from '../pipelines/zkWorker.ts';
import { cudaAvailability, ortVersion } from './executionProviders.ts';
import type {
  ExecutionProvider,
  ModelHandle,
  PipelineContext,
  PipelineName,
  RuntimeRecord,
  WorkerCancel,
  WorkerRequest,
  WorkerResponse,
  WorkerSettings,
} from './types.ts';

const settings = workerData as WorkerSettings;
const port = parentPort;
if (!port) throw new Error('runtime/worker.ts must run in a worker thread');

const PIPELINES: Record<PipelineName, (context: PipelineContext, input: unknown) => Promise<unknown>> = {
  onnx: runOnnx,
  ocr: runOcr,
  isnet: runIsnet,
  vad: runVad,
  wakeword: runWakeword,
  train: runTrain,
  evaluate: runEvaluate,
  zk: runZk,
};

/** Resolved once per worker: the provider actually used and, if it differs from the request, why. */
let resolvedProvider: { ep: ExecutionProvider; fallback?: string | undefined } | undefined;
const sessions = new Map<string, Promise<ModelHandle>>();
const VERSION = ortVersion();

function sessionOptions(ep: ExecutionProvider): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ep === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    intraOpNumThreads: settings.intraOpNumThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: settings.graphOptimizationLevel,
    executionMode: 'sequential',
  };
}

async function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  if (!resolvedProvider) {
    if (settings.executionProvider === 'cuda') {
      const { available, reason } = cudaAvailability();
      resolvedProvider = available ? { ep: 'cuda' } : { ep: 'cpu', fallback: `CUDA unavailable: ${reason}` };
    } else {
      resolvedProvider = { ep: 'cpu' };
    }
  }
  if (resolvedProvider.ep === 'cuda') {
    try {
      return await ort.InferenceSession.create(bytes, sessionOptions('cuda'));
    } catch (error) {
      // Registering the CUDA provider failed (driver or library mismatch): every later session uses the CPU.
      resolvedProvider = { ep: 'cpu', fallback: `CUDA session failed: ${(error as Error).message}` };
    }
  }
  return ort.InferenceSession.create(bytes, sessionOptions('cpu'));
}

function loadModel(sha256: string, bytes: Uint8Array | undefined): Promise<ModelHandle> {
  const cached = sessions.get(sha256);
  if (cached) return cached;
  if (!bytes) return Promise.reject(new Error(`Model ${sha256} is not loaded in this worker.`));
  const handle = createSession(bytes).then(
    (session): ModelHandle => ({
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      inputRanks: session.inputMetadata.map((m) =>
        m.isTensor && Array.isArray((m as { shape?: unknown }).shape)
          ? (m as { shape: readonly unknown[] }).shape.length
          : undefined,
      ),
      async run(feeds) {
        checkpoint();
        // Refused before the native call: the binding cannot return non-tensor outputs (see ortTensor.ts).
        assertTensorOutputs(session);
        const results = await session.run(toOrtFeeds(session, feeds));
        const out: Record<string, Tensor> = {};
        for (const name of session.outputNames) out[name] = fromOrtTensor(name, results[name]);
        return out;
      },
    }),
  );
  sessions.set(sha256, handle);
  handle.catch(() => sessions.delete(sha256));
  return handle;
}

/** The job being run, and whether the main thread cancelled it. */
let active: { id: number; cancelled: boolean } | undefined;

/**
 * Throws when the active job was cancelled. Called before every native ONNX Runtime call: a worker must never be
 * terminated inside one (onnxruntime-node would abort the process), so a cancelled job stops at the next checkpoint,
 * answers, and only then does the main thread terminate this worker.
 */
function checkpoint(): void {
  if (active?.cancelled) throw Object.assign(new Error('The job was cancelled.'), { name: 'JobCancelledError' });
}

async function run(request: WorkerRequest): Promise<WorkerResponse> {
  const runner = PIPELINES[request.pipeline];
  if (!runner) throw new Error(`Unknown pipeline "${request.pipeline}".`);
  const context: PipelineContext = {
    options: request.options,
    roles: Object.keys(request.models),
    checkpoint,
    model(role) {
      checkpoint();
      const ref = request.models[role];
      if (!ref) return Promise.reject(new Error(`The job has no "${role}" model.`));
      return loadModel(ref.sha256, ref.bytes);
    },
  };
  // Load every model before running, so that the record names the provider the sessions really use.
  await Promise.all(Object.keys(request.models).map((role) => context.model(role)));
  const output = await runner(context, request.input);
  const provider = resolvedProvider ?? { ep: 'cpu' as const };
  const runtimeRecord: RuntimeRecord = {
    ortVersion: VERSION,
    executionProvider: provider.ep,
    ...(provider.fallback ? { executionProviderFallback: provider.fallback } : {}),
    intraOpNumThreads: settings.intraOpNumThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: settings.graphOptimizationLevel,
    executionMode: 'sequential',
    pipeline: request.pipeline,
    pipelineVersion: request.pipelineVersion,
    models: Object.fromEntries(Object.entries(request.models).map(([role, ref]) => [role, ref.sha256])),
  };
  return { type: 'result', id: request.id, output, runtimeRecord };
}

port.on('message', (message: WorkerRequest | WorkerCancel) => {
  if (message.type === 'cancel') {
    if (active?.id === message.id) active.cancelled = true;
    return;
  }
  const request = message;
  active = { id: request.id, cancelled: false };
  run(request).then(
    (response) => port.postMessage(response),
    (error: Error) =>
      port.postMessage({
        type: 'error',
        id: request.id,
        error: { name: error?.name ?? 'Error', message: error?.message ?? String(error), stack: error?.stack },
      } satisfies WorkerResponse),
  );
});
