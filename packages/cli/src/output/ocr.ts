/** Printing an OCR result (`ocr` pipeline): the recognised lines with their confidence. */

/** One recognised line, as the `ocr` pipeline's canonical result carries it. */
export type OcrLine = {
  /** The text. */
  text: string;
  /** Recognition confidence, 0…1 (4 decimals). */
  confidence: number;
  /** The line's quadrilateral in image pixels, four `[x, y]` corners. */
  box?: [number, number][] | undefined;
};

/** Whether `output` is an OCR result `{ lines: [{ text, confidence }] }`. */
export function isOcrOutput(output: unknown): output is { lines: OcrLine[] } {
  const lines = (output as { lines?: unknown } | null)?.lines;
  return (
    Array.isArray(lines) &&
    lines.every(
      (l) => typeof (l as OcrLine | null)?.text === 'string' && typeof (l as OcrLine | null)?.confidence === 'number',
    )
  );
}

/**
 * The recognised text, one line per line with its confidence to 3 decimals.
 * @param output - An OCR result.
 * @returns Lines to print: `Recognised text`, then `  <text>    (0.987)` each, or `  (no text found)`.
 * @example
 * ```ts
 * formatOcr({ lines: [{ text: 'Souk', confidence: 0.9871 }] }) // ['Recognised text', '  Souk    (0.987)']
 * ```
 */
export function formatOcr(output: { lines: OcrLine[] }): string[] {
  if (output.lines.length === 0) return ['Recognised text', '  (no text found)'];
  return ['Recognised text', ...output.lines.map((l) => `  ${l.text}    (${l.confidence.toFixed(3)})`)];
}
