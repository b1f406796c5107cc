/**
 * Audio results on a timeline: speech segments (`vad` pipeline, `{ duration, segments: [{ start, end, probability }] }`)
 * and wake-word detections (`wakeword`, `{ duration, keywords, detections: [{ keyword, time, score }] }`), seconds from
 * the start of the recording (docs/provider.md).
 */

/** One speech segment, seconds. */
export type VadSegment = { start: number; end: number; probability: number };
/** Output of a VAD model. */
export type VadOutput = { duration: number; segments: VadSegment[] };
/** One wake-word detection. */
export type WakewordDetection = { keyword: string; time: number; score: number };
/** Output of a wake-word model. */
export type WakewordOutput = {
  duration: number;
  keywords: { keyword: string; maxScore: number }[];
  detections: WakewordDetection[];
};

/** Whether a result is speech segments. */
export function isVadOutput(output: unknown): output is VadOutput {
  const o = output as Partial<VadOutput> | null;
  return (
    typeof o?.duration === 'number' &&
    Array.isArray(o.segments) &&
    o.segments.every((s) => typeof s?.start === 'number' && typeof s.end === 'number')
  );
}

/** Whether a result is wake-word detections. */
export function isWakewordOutput(output: unknown): output is WakewordOutput {
  const o = output as Partial<WakewordOutput> | null;
  return typeof o?.duration === 'number' && Array.isArray(o.detections) && Array.isArray(o.keywords);
}

/** Where a segment sits on a timeline, in percent of its width. */
export type TimelineSpan = {
  /** Left edge, 0…100. */
  left: number;
  /** Width, 0…100 − left. */
  width: number;
};

/**
 * A segment's place on a timeline of `duration` seconds, clamped to the timeline.
 * @param duration - Length of the recording, seconds (> 0; a zero-length recording puts everything at 0).
 * @param start - Start, seconds.
 * @param end - End, seconds (≥ start).
 * @returns Left edge and width in percent.
 * @example
 * ```ts
 * timelineSpan(10, 2.5, 5) // { left: 25, width: 25 }
 * ```
 */
export function timelineSpan(duration: number, start: number, end: number): TimelineSpan {
  if (!(duration > 0)) return { left: 0, width: 0 };
  const at = (t: number) => Math.min(100, Math.max(0, (t / duration) * 100));
  const left = at(start);
  return { left, width: Math.max(0, at(end) - left) };
}

/**
 * Ticks for a timeline of `duration` seconds: a round step (1, 2, 5 × 10ⁿ s) giving at most `max` intervals.
 * @returns Tick times in seconds, from 0 to at most `duration`.
 * @example
 * ```ts
 * timelineTicks(10) // [0, 2, 4, 6, 8, 10]
 * ```
 */
export function timelineTicks(duration: number, max = 6): number[] {
  if (!(duration > 0)) return [0];
  const raw = duration / max;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let k = 0; k * step <= duration + 1e-9; k++) ticks.push(Number((k * step).toFixed(6)));
  return ticks;
}

/**
 * Seconds as `m:ss.mmm` (or `ss.mmm s` under a minute), the resolution of the canonical result (1 ms).
 * @example formatSeconds(75.25) // '1:15.250'
 */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(3)} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(3).padStart(6, '0')}`;
}
