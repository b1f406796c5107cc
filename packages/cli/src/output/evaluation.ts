/**
 * Printing an evaluation result (an evaluation order on a generic ONNX classifier, docs/training.md): accuracy and
 * the macro-averaged precision, recall and F1, then the confusion matrix (rows: actual class, columns: predicted).
 */
import { type EvaluationOutput, isEvaluationOutput } from '@souk/protocol';

export { isEvaluationOutput };

/** Largest confusion matrix printed in full (classes); a larger one is summarised by its diagonal. */
const MAX_MATRIX = 12;

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

/**
 * The metrics and the confusion matrix as lines.
 * @param output - An evaluation result.
 * @returns Lines starting with `Evaluation`.
 * @example
 * ```ts
 * formatEvaluation({ evaluation: { samples: 4, classes: 2, accuracy: 0.75, precision: 0.83, recall: 0.75, f1: 0.73,
 *   confusion: [[2, 0], [1, 1]] } })
 * // ['Evaluation  4 samples, 2 classes', '  accuracy   75.0 %', …, '  confusion (rows actual, columns predicted)', …]
 * ```
 */
export function formatEvaluation(output: EvaluationOutput): string[] {
  const { samples, classes, accuracy, precision, recall, f1, confusion } = output.evaluation;
  const lines = [
    `Evaluation  ${samples} samples, ${classes} classes`,
    `  accuracy   ${percent(accuracy)}`,
    `  precision  ${percent(precision)}  (macro)`,
    `  recall     ${percent(recall)}  (macro)`,
    `  F1         ${percent(f1)}  (macro)`,
  ];
  if (classes <= MAX_MATRIX) {
    const width = Math.max(3, ...confusion.flat().map((n) => String(n).length));
    lines.push('  confusion (rows actual, columns predicted)');
    lines.push(`  ${' '.repeat(4)}${confusion.map((_, c) => String(c).padStart(width + 1)).join('')}`);
    confusion.forEach((row, a) => {
      lines.push(`  ${String(a).padStart(3)} ${row.map((n) => String(n).padStart(width + 1)).join('')}`);
    });
  } else {
    lines.push(`  correct per class: ${confusion.map((row, c) => row[c] ?? 0).join(', ')}`);
  }
  return lines;
}
