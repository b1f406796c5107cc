/**
 * Evaluation of a generic ONNX classifier on a labelled dataset (`@souk/protocol`'s `evaluation.ts`): the model
 * runs on every sample of the dataset, in chunks, and its most probable class (the first on a tie) is scored against
 * the labels with `training/metrics.ts` (accuracy, macro precision/recall/F1, confusion matrix). The samples are fed
 * as float32 (uint8 scaled to 0…1) to the graph's first input: flattened to `[n, features]` when that input has rank
 * 2, else in the dataset's own shape `[n, ...sampleShape]`; the graph's first output must be class scores
 * `[n, classes]`. Everything the output holds follows from the class
 * indices, so runs on different hardware agree unless a prediction itself differs.
 */
import type { EvaluationOutput } from '@souk/protocol';
import { InvalidInputError } from '../errors.ts';
import type { Job, ModelRef, PipelineContext } from '../runtime/types.ts';
import { readLabelledDataset } from '../training/dataset.ts';
import { classificationMetrics } from '../training/metrics.ts';

/** Version of the evaluation pipeline; recorded in `RuntimeRecord.pipelineVersion`. */
export const EVALUATE_PIPELINE_VERSION = '1.0.0';

/** Samples per model run (bounds the memory of one run). */
const CHUNK = 512;

/**
 * The runtime job that evaluates `model` on a dataset.
 * @param model - The classifier (the bundle's `model.onnx`).
 * @param dataset - The labelled `.npz` (the container's payload).
 */
export function evaluationJob(model: ModelRef, dataset: Uint8Array): Job<EvaluationOutput> {
  return { pipeline: 'evaluate', pipelineVersion: EVALUATE_PIPELINE_VERSION, models: { model }, input: dataset };
}

/**
 * Runs an evaluation inside the worker.
 * @throws {InvalidInputError} When the dataset is not a labelled `.npz`, the model's first output is not `[n, k]`
 *   float scores, or a label is outside `0…k−1`.
 */
export async function runEvaluate(context: PipelineContext, input: unknown): Promise<EvaluationOutput> {
  const model = await context.model('model');
  const dataset = readLabelledDataset(input as Uint8Array, Number.MAX_SAFE_INTEGER);
  const [inputName] = model.inputNames;
  const [outputName] = model.outputNames;
  if (!inputName || !outputName) throw new InvalidInputError('The model has no input or no output to evaluate.');
  const n = dataset.y.length;
  const predicted = new Int32Array(n);
  let classes = 0;
  for (let start = 0; start < n; start += CHUNK) {
    context.checkpoint?.();
    const count = Math.min(CHUNK, n - start);
    const data = dataset.x.slice(start * dataset.features, (start + count) * dataset.features);
    // A model taking rows ([n, features]) gets each sample flattened; any other, the samples in their own shape.
    const dims = model.inputRanks[0] === 2 ? [count, dataset.features] : [count, ...dataset.sampleShape];
    const out = await model.run({ [inputName]: { dtype: 'float32', dims, data } });
    const scores = out[outputName];
    if (!scores || (scores.dtype !== 'float32' && scores.dtype !== 'float64') || scores.dims.length !== 2) {
      throw new InvalidInputError(`The model's output "${outputName}" is not class scores [n, classes].`, {
        details: scores ? `it is ${scores.dtype}[${scores.dims.join(', ')}]` : 'it is missing',
      });
    }
    classes = scores.dims[1] as number;
    const values = scores.data as Float32Array | Float64Array;
    for (let r = 0; r < count; r++) {
      let best = 0;
      for (let k = 1; k < classes; k++)
        if ((values[r * classes + k] as number) > (values[r * classes + best] as number)) best = k;
      predicted[start + r] = best;
    }
  }
  const outside = dataset.y.findIndex((label) => label >= classes);
  if (outside >= 0) {
    throw new InvalidInputError(
      `Label ${dataset.y[outside]} of sample ${outside} is outside the model's ${classes} classes.`,
    );
  }
  const { confusion, accuracy, precision, recall, f1 } = classificationMetrics(predicted, dataset.y, classes);
  return { evaluation: { samples: n, classes, accuracy, precision, recall, f1, confusion } };
}
