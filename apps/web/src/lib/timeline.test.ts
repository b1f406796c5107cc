import { expect, test } from 'vitest';
import { formatSeconds, isVadOutput, isWakewordOutput, timelineSpan, timelineTicks } from './timeline.ts';

test('places segments on the timeline in percent of the duration, clamped to it', () => {
  expect(timelineSpan(10, 2.5, 5)).toEqual({ left: 25, width: 25 });
  expect(timelineSpan(4, 0, 4)).toEqual({ left: 0, width: 100 });
  expect(timelineSpan(4, 3, 9)).toEqual({ left: 75, width: 25 });
  expect(timelineSpan(0, 1, 2)).toEqual({ left: 0, width: 0 });
});

test('ticks at round steps up to the duration', () => {
  expect(timelineTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
  expect(timelineTicks(2.7)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  expect(timelineTicks(3600)).toEqual([0, 1000, 2000, 3000]);
});

test('formats seconds to the millisecond and tells VAD from wake-word output', () => {
  expect(formatSeconds(1.5)).toBe('1.500 s');
  expect(formatSeconds(75.25)).toBe('1:15.250');
  expect(isVadOutput({ duration: 3, segments: [{ start: 0.5, end: 1, probability: 0.9 }] })).toBe(true);
  expect(isVadOutput({ duration: 3, keywords: [], detections: [] })).toBe(false);
  expect(isWakewordOutput({ duration: 3, keywords: [], detections: [] })).toBe(true);
});
