/** Printing a speech activity result (`vad` pipeline, Silero VAD): one line per speech segment, then the total. */

/** One speech segment, as the `vad` pipeline's canonical result carries it. */
export type VadSegment = {
  /** Start, seconds from the beginning of the recording. */
  start: number;
  /** End, seconds. */
  end: number;
  /** Mean speech probability of the segment, 0…1. */
  probability: number;
};

/** A `vad` result. */
export type VadResult = {
  /** Length of the recording, seconds. */
  duration: number;
  /** Speech segments in time order. */
  segments: VadSegment[];
};

/** Whether `output` is a VAD result `{ duration, segments: [{ start, end, probability }] }`. */
export function isVadOutput(output: unknown): output is VadResult {
  const o = output as Partial<VadResult> | null;
  return (
    typeof o?.duration === 'number' &&
    Array.isArray(o.segments) &&
    o.segments.every(
      (s) => typeof s?.start === 'number' && typeof s.end === 'number' && typeof s.probability === 'number',
    )
  );
}

/**
 * The speech segments, one line each (`0.52 s – 1.87 s  (p 0.97)`: seconds to 2 decimals, the mean probability to
 * 2), then the total speech: the sum of the segments' lengths and its share of the recording.
 * @param output - A VAD result.
 * @returns Lines to print.
 * @example
 * ```ts
 * formatVad({ duration: 4, segments: [{ start: 0.52, end: 1.87, probability: 0.9712 }] })
 * // ['Speech  1 segment in 4.00 s', '  0.52 s – 1.87 s  (p 0.97)', '  total speech 1.35 s (33.8 %)']
 * ```
 */
export function formatVad(output: VadResult): string[] {
  const { duration, segments } = output;
  const n = segments.length;
  const lines = [`Speech  ${n} segment${n === 1 ? '' : 's'} in ${duration.toFixed(2)} s`];
  if (n === 0) return [...lines, '  no speech found'];
  let speech = 0;
  for (const s of segments) {
    speech += s.end - s.start;
    lines.push(`  ${s.start.toFixed(2)} s – ${s.end.toFixed(2)} s  (p ${s.probability.toFixed(2)})`);
  }
  const share = duration > 0 ? ` (${((speech / duration) * 100).toFixed(1)} %)` : '';
  lines.push(`  total speech ${speech.toFixed(2)} s${share}`);
  return lines;
}
