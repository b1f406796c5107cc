/**
 * Greedy (best-path) CTC decoding, after Graves et al., "Connectionist Temporal Classification", ICML 2006, §3.2, as
 * PaddleOCR's `CTCLabelDecode` does it (`ppocr/postprocess/rec_postprocess.py`): the most probable class per time
 * step, repeats merged, blanks (class 0) removed; the confidence is the mean probability of the kept steps.
 */

/** A decoded text line. */
export type CtcDecoded = {
  /** The text. */
  text: string;
  /** Mean probability of the emitted characters, 0…1; 0 when nothing was emitted. */
  confidence: number;
};

/**
 * Decodes one sequence of class probabilities.
 * @param probs - `steps × classes` probabilities (softmax output), row-major.
 * @param steps - Number of time steps.
 * @param classes - Number of classes: blank + `charset.length`.
 * @param charset - Characters of classes 1…classes−1 (PaddleOCR: the dictionary's lines, then a space).
 * @returns The text and its confidence.
 * @throws {RangeError} When `classes` is not `charset.length + 1`.
 * @example
 * ```ts
 * import { ctcGreedyDecode } from '@souk/provider';
 * // steps: a, a, blank, b  →  "ab"
 * ctcGreedyDecode(new Float32Array([0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1]), 4, 3, ['a', 'b']).text; // 'ab'
 * ```
 */
export function ctcGreedyDecode(
  probs: Float32Array,
  steps: number,
  classes: number,
  charset: readonly string[],
): CtcDecoded {
  if (classes !== charset.length + 1) {
    throw new RangeError(`The model has ${classes} classes; blank + ${charset.length} characters expected.`);
  }
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = t * classes;
    let best = 0;
    let bestProb = probs[row];
    for (let c = 1; c < classes; c++) {
      if (probs[row + c] > bestProb) {
        best = c;
        bestProb = probs[row + c];
      }
    }
    if (best !== 0 && best !== previous) {
      text += charset[best - 1];
      sum += bestProb;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept === 0 ? 0 : sum / kept };
}
