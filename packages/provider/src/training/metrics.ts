/**
 * Classification metrics of an evaluation: accuracy, macro-averaged precision, recall and F1, and the confusion
 * matrix. Definitions as scikit-learn's `classification_report` with `average='macro'` and `zero_division=0`: a class
 * never predicted has precision 0, a class never present has recall 0, and the macro average weighs every class alike.
 */

/** What an evaluation reports; ratios in 0…1. */
export type ClassificationMetrics = {
  /** Samples evaluated. */
  samples: number;
  /** Share of samples predicted right. */
  accuracy: number;
  /** Mean over classes of TP / (TP + FP). */
  precision: number;
  /** Mean over classes of TP / (TP + FN). */
  recall: number;
  /** Mean over classes of 2·P·R / (P + R). */
  f1: number;
  /** `confusion[actual][predicted]`: sample counts. */
  confusion: number[][];
};

/**
 * Computes {@link ClassificationMetrics} from predicted and actual class indices.
 * @param predicted - Predicted class of each sample.
 * @param actual - True class of each sample, same length.
 * @param classes - Number of classes (indices `0…classes−1`).
 * @throws {RangeError} When the lengths differ, nothing is given, or an index is out of range.
 */
export function classificationMetrics(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  classes: number,
): ClassificationMetrics {
  if (predicted.length !== actual.length) throw new RangeError('predicted and actual differ in length');
  if (predicted.length === 0) throw new RangeError('no samples to evaluate');
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const row = confusion[actual[i] as number];
    const p = predicted[i] as number;
    if (!row || p < 0 || p >= classes) throw new RangeError(`class index out of range at sample ${i}`);
    row[p] = (row[p] as number) + 1;
  }
  let correct = 0;
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c]?.[c] as number;
    correct += tp;
    const predictedC = confusion.reduce((sum, row) => sum + (row[c] as number), 0);
    const actualC = (confusion[c] as number[]).reduce((a, b) => a + b, 0);
    const p = predictedC === 0 ? 0 : tp / predictedC;
    const r = actualC === 0 ? 0 : tp / actualC;
    precision += p;
    recall += r;
    f1 += p + r === 0 ? 0 : (2 * p * r) / (p + r);
  }
  return {
    samples: actual.length,
    accuracy: correct / actual.length,
    precision: precision / classes,
    recall: recall / classes,
    f1: f1 / classes,
    confusion,
  };
}
