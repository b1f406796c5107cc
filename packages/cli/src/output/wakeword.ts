/**
 * Printing a wake-word result (`wakeword` pipeline, openWakeWord): one line per detection — the wake word, when the
 * model had heard it and its score — then each wake word's highest score over the recording.
 */
import type { WakewordOutput } from '@souk/provider';

/** Whether `output` is a wake-word result `{ duration, keywords: [{ keyword, maxScore }], detections: [{ keyword, time, score }] }`. */
export function isWakewordOutput(output: unknown): output is WakewordOutput {
  const o = output as Partial<WakewordOutput> | null;
  return (
    typeof o?.duration === 'number' &&
    Array.isArray(o.keywords) &&
    o.keywords.every((k) => typeof k?.keyword === 'string' && typeof k.maxScore === 'number') &&
    Array.isArray(o.detections) &&
    o.detections.every(
      (d) => typeof d?.keyword === 'string' && typeof d.time === 'number' && typeof d.score === 'number',
    )
  );
}

/**
 * The detections, one line each (`hey_jarvis  at 1.86 s  (score 0.99)`: the keyword padded to the longest one, seconds
 * to 2 decimals, the score to 2), or `none detected`; then each wake word listened for with its highest score (4
 * decimals), so a near miss shows.
 * @param output - A wake-word result.
 * @returns Lines to print, starting with `Wake words`.
 * @example
 * ```ts
 * formatWakeword({
 *   duration: 3.2,
 *   keywords: [{ keyword: 'alexa', maxScore: 0.0011 }, { keyword: 'hey_jarvis', maxScore: 0.9953 }],
 *   detections: [{ keyword: 'hey_jarvis', time: 1.862, score: 0.9953 }],
 * })
 * // ['Wake words  1 detected in 3.20 s', '  hey_jarvis  at 1.86 s  (score 1.00)',
 * //  '  highest scores: alexa 0.0011, hey_jarvis 0.9953']
 * ```
 */
export function formatWakeword(output: WakewordOutput): string[] {
  const { duration, keywords, detections } = output;
  const lines = [`Wake words  ${detections.length} detected in ${duration.toFixed(2)} s`];
  if (detections.length === 0) lines.push('  none detected');
  const width = Math.max(0, ...detections.map((d) => d.keyword.length));
  for (const { keyword, time, score } of detections) {
    lines.push(`  ${keyword.padEnd(width)}  at ${time.toFixed(2)} s  (score ${score.toFixed(2)})`);
  }
  if (keywords.length > 0) {
    lines.push(`  highest scores: ${keywords.map((k) => `${k.keyword} ${k.maxScore.toFixed(4)}`).join(', ')}`);
  }
  return lines;
}
