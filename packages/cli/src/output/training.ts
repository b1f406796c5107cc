/**
 * Printing a training result (`train` pipeline, docs/training.md): the trained model's weights hash — what the
 * agreeing providers reproduced — its shape, and the loss / accuracy curve; `--output-dir` saves the model as
 * `model.onnx`.
 */
import { writeFile } from 'node:fs/promises';
import { isTrainOutput, type TrainOutput } from '@souk/protocol';

export { isTrainOutput };

/** Epochs of the curve printed in full; longer curves print their first, every k-th and last epochs. */
const CURVE_LINES = 10;

/**
 * The trained model and its curve as lines.
 * @param output - A training result.
 * @returns Lines starting with `Trained model`.
 * @example
 * ```ts
 * formatTraining(run.output)
 * // ['Trained model  256 features → 10 classes (0, 1, …), 320 samples, 20 epochs',
 * //  '  weights hash 0x5f…', '  epoch   1  loss 2.1021  accuracy 31.9 %', …, '  --output-dir saves model.onnx']
 * ```
 */
export function formatTraining(output: TrainOutput): string[] {
  const { weightsHash, features, classes, samples, history, model } = output.training;
  const shown = classes.length <= 6 ? classes.join(', ') : `${classes.slice(0, 5).join(', ')}, …`;
  const epochs = history.loss.length;
  const lines = [
    `Trained model  ${features} features → ${classes.length} classes (${shown}), ${samples} samples, ${epochs} epochs`,
    `  weights hash ${weightsHash}`,
    `  ONNX model   ${Math.round((model.length * 3) / 4 / 1024)} KiB`,
  ];
  const step = Math.max(1, Math.ceil(epochs / CURVE_LINES));
  for (let e = 0; e < epochs; e++) {
    if (e % step !== 0 && e !== epochs - 1) continue;
    const loss = history.loss[e] ?? Number.NaN;
    const accuracy = (history.accuracy[e] ?? Number.NaN) * 100;
    lines.push(`  epoch ${String(e + 1).padStart(3)}  loss ${loss.toFixed(4)}  accuracy ${accuracy.toFixed(1)} %`);
  }
  return lines;
}

/**
 * Writes the trained model of a training result.
 * @param output - A training result.
 * @param file - Where to write the ONNX model.
 * @throws {Error} When the file cannot be written.
 */
export async function writeTrainedModel(output: TrainOutput, file: string): Promise<void> {
  await writeFile(file, Buffer.from(output.training.model, 'base64'));
}
