/**
 * OCR results (`ocr` pipeline): text lines top to bottom, each with a confidence and a box of 4 corners clockwise
 * from the top-left, in image pixels (docs/provider.md).
 */

/** One recognised line. */
export type OcrLine = {
  text: string;
  /** 0…1. */
  confidence: number;
  /** `[[x, y] × 4]`, clockwise from the top-left, image pixels. */
  box: number[][];
};
/** The output of an OCR model. */
export type OcrOutput = { lines: OcrLine[] };

/** Whether a result is an OCR result. */
export function isOcrOutput(output: unknown): output is OcrOutput {
  const lines = (output as { lines?: unknown } | null)?.lines;
  return Array.isArray(lines) && lines.every((l) => typeof (l as OcrLine)?.text === 'string' && Array.isArray(l.box));
}

/** An OCR box as an SVG `points` attribute (`"x,y x,y x,y x,y"`). */
export function boxPoints(box: number[][]): string {
  return box.map(([x, y]) => `${x},${y}`).join(' ');
}

/** Where a line's label goes: the box's top-left corner (above it when there is room). */
export function labelAnchor(box: number[][]): { x: number; y: number } {
  const xs = box.map((p) => p[0] ?? 0);
  const ys = box.map((p) => p[1] ?? 0);
  return { x: Math.min(...xs), y: Math.min(...ys) };
}
