/**
 * Runs ONNX backend node tests two ways in one process, to compare Souk's generic pipeline with ONNX Runtime used
 * directly:
 *
 * - **raw**: onnxruntime-node as a user would call it — `InferenceSession.create(model)` with default options (logging errors only),
 *   `new ort.Tensor(dtype, data, dims)` per input, outputs read from `session.run`;
 * - **generic**: the market path — the model packed as a bundle (`packBundle`), the inputs sent as a `.npz`
 *   (`writeNpz`), checked as the node checks an order before escrow (`readModelSignature` + `checkJobInput`), run by
 *   the provider's `JobExecutor` (worker thread, pinned session options), and the outputs read back from the
 *   canonical result bytes (`decodeTensorResult`).
 *
 * A model with a non-tensor output is not run raw: onnxruntime-node 1.30 ends the process with a segmentation fault
 * when it returns one (seen with `test_if_opt`), so raw counts it as failed without running it.
 */
import * as ort from 'onnxruntime-node';
import { packBundle } from '../jobs/bundle.ts';
import { checkJobInput, readModelSignature } from '../jobs/checkInput.ts';
import { createJobExecutor, type JobExecutor } from '../jobs/execute.ts';
import { writeNpz } from '../pipelines/npz.ts';
import { type Tensor, tensorElement } from '../pipelines/tensor.ts';
import { decodeTensorResult } from '../pipelines/tensorOutput.ts';
import { createRuntime } from '../runtime/createRuntime.ts';
import { type BackendTestCase, compareOutput, type Element } from './onnxBackendTests.ts';

/** The outcome of one test case on one path. */
export type CaseOutcome = { ok: true } | { ok: false; reason: string };

/** Both paths' outcomes for a set of cases. */
export type ConformanceReport = {
  /** Cases run. */
  total: number;
  /** Cases that passed raw. */
  raw: number;
  /** Cases that passed the generic path. */
  generic: number;
  /** Per case id. */
  cases: Record<string, { raw: CaseOutcome; generic: CaseOutcome }>;
};

const fail = (reason: string): CaseOutcome => ({ ok: false, reason });

function expectedView(tensor: Tensor): OutputView {
  return {
    dtype: tensor.dtype,
    dims: tensor.dims,
    length: tensor.data.length,
    at: (i: number): Element => {
      const v = tensorElement(tensor, i);
      return typeof v === 'boolean' ? Number(v) : v;
    },
  };
}

/** An output as {@link compareOutput} reads it. */
type OutputView = Parameters<typeof compareOutput>[1];

function compareAll(testCase: BackendTestCase, actual: (name: string) => OutputView | undefined): CaseOutcome {
  for (const out of testCase.outputs) {
    if (out.kind !== 'tensor') return fail(`expected output ${out.name} is ${out.reason}`);
    const got = actual(out.name);
    if (!got) return fail(`no output ${out.name}`);
    const mismatch = compareOutput(out.name, got, expectedView(out.tensor));
    if (mismatch) return fail(mismatch);
  }
  return { ok: true };
}

const message = (error: unknown) => ((error as Error)?.message ?? String(error)).split('\n')[0].slice(0, 300);

/**
 * Runs one case on onnxruntime-node directly.
 * @param testCase - The case.
 * @param session - A session of its model (default options).
 * @returns Pass, or why not.
 */
export async function runRaw(testCase: BackendTestCase, session: ort.InferenceSession): Promise<CaseOutcome> {
  const other = testCase.inputs.find((i) => i.kind === 'other');
  if (other?.kind === 'other') return fail(`input ${other.name} is ${other.reason}`);
  const nonTensor = session.outputMetadata.find((m) => !m.isTensor);
  if (nonTensor) return fail(`output ${nonTensor.name} is not a tensor (onnxruntime-node segfaults returning it)`);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of testCase.inputs) {
      if (input.kind !== 'tensor') continue;
      const t = input.tensor;
      feeds[input.name] = new ort.Tensor(t.dtype, t.data as ort.Tensor.DataTypeMap[typeof t.dtype], t.dims);
    }
    const results = await session.run(feeds);
    return compareAll(testCase, (name) => {
      const r = results[name] as ort.Tensor | undefined;
      if (!r) return undefined;
      const data = r.data as ArrayLike<number | bigint | string>;
      return { dtype: r.type, dims: r.dims, length: data.length, at: (i) => data[i] };
    });
  } catch (error) {
    return fail(message(error));
  }
}

/**
 * Runs one case through the market's generic path (see the file header).
 * @param testCase - The case.
 * @param executor - A job executor.
 * @param bundle - The case's model, packed.
 * @param signature - The model's signature, as the node reads it.
 * @returns Pass, or why not.
 */
export async function runGeneric(
  testCase: BackendTestCase,
  executor: JobExecutor,
  bundle: Uint8Array,
  signature: Awaited<ReturnType<typeof readModelSignature>> | Error,
): Promise<CaseOutcome> {
  const other = testCase.inputs.find((i) => i.kind === 'other');
  if (other?.kind === 'other') return fail(`input ${other.name} is ${other.reason}`);
  if (signature instanceof Error) return fail(`refused at order time: ${message(signature)}`);
  const tensors: Record<string, Tensor> = {};
  for (const input of testCase.inputs) if (input.kind === 'tensor') tensors[input.name] = input.tensor;
  const input = writeNpz(tensors);
  try {
    await checkJobInput({ pipeline: 'onnx', input, ...signature });
  } catch (error) {
    return fail(`refused at order time: ${message(error)}`);
  }
  try {
    const { result } = await executor.execute({ pipeline: 'onnx', bundle, input });
    const outputs = decodeTensorResult(result);
    return compareAll(testCase, (name) => (outputs[name] ? expectedView(outputs[name]) : undefined));
  } catch (error) {
    const e = error as { details?: string };
    return fail(message(e.details ?? error));
  }
}

/**
 * Runs cases on both paths, one model at a time (cases of one model are consecutive in `loadBackendTests`).
 * @param cases - From `loadBackendTests`.
 * @param options - `modelsPerRuntime`: the worker is replaced after this many models, bounding its session cache.
 * @returns The counts and each case's outcomes.
 */
export async function runConformance(
  cases: readonly BackendTestCase[],
  { modelsPerRuntime = 100 }: { modelsPerRuntime?: number } = {},
): Promise<ConformanceReport> {
  const report: ConformanceReport = { total: cases.length, raw: 0, generic: 0, cases: {} };
  let runtime = createRuntime();
  let executor = createJobExecutor({ runtime });
  let models = 0;
  type Current = {
    model: Uint8Array;
    session: ort.InferenceSession | Error;
    bundle: Uint8Array;
    signature: Awaited<ReturnType<typeof readModelSignature>> | Error;
  };
  let current = null as Current | null;
  try {
    for (const testCase of cases) {
      if (current?.model !== testCase.model) {
        if (current && !(current.session instanceof Error)) await current.session.release();
        if (++models > modelsPerRuntime) {
          await runtime.close();
          runtime = createRuntime();
          executor = createJobExecutor({ runtime });
          models = 1;
        }
        const bundle = packBundle({ 'model.onnx': testCase.model });
        current = {
          model: testCase.model,
          session: await ort.InferenceSession.create(testCase.model, { logSeverityLevel: 3 }).catch(
            (error: Error) => error,
          ),
          bundle,
          signature: await readModelSignature(bundle).catch((error: Error) => error),
        };
      }
      const raw =
        current.session instanceof Error
          ? fail(`cannot load: ${message(current.session)}`)
          : await runRaw(testCase, current.session);
      const generic = await runGeneric(testCase, executor, current.bundle, current.signature);
      if (raw.ok) report.raw++;
      if (generic.ok) report.generic++;
      report.cases[testCase.id] = { raw, generic };
    }
  } finally {
    if (current && !(current.session instanceof Error)) await current.session.release();
    await runtime.close();
  }
  return report;
}
