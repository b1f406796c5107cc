import { isnetMask } from '@souk/provider';
import { expect, test } from 'vitest';
import { decodeRunLengthMask, isIsnetOutput, maskRgba } from './mask.ts';

test('decodes a hand-made COCO RLE column by column, background first', () => {
  // 3 rows × 4 columns; foreground: (x=1, y=0..1) and (x=2, y=1..2) and (x=3, y=2).
  //   . # . .
  //   . # # .
  //   . . # #
  // Column-major: col0 = 0 0 0, col1 = 1 1 0, col2 = 0 1 1, col3 = 0 0 1
  // Runs: 3 bg, 2 fg, 2 bg, 2 fg, 2 bg, 1 fg.
  const pixels = decodeRunLengthMask({ size: [3, 4], counts: [3, 2, 2, 2, 2, 1] });
  expect(Array.from(pixels)).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
  // A first pixel in the foreground: a leading 0-length background run.
  expect(Array.from(decodeRunLengthMask({ size: [2, 2], counts: [0, 1, 3] }))).toEqual([1, 0, 0, 0]);
});

test("draws the provider's mask of a disc pixel for pixel, with its box and area", () => {
  const side = 24;
  const inside = (x: number, y: number) => (x - 14) ** 2 + (y - 9) ** 2 <= 36;
  const map = new Float32Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) map[y * side + x] = inside(x, y) ? 0.9 : 0.05;
  const output = isnetMask(map, side, side, side);
  expect(isIsnetOutput(output)).toBe(true);
  const pixels = decodeRunLengthMask(output.mask);
  let area = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      expect(pixels[y * side + x], `pixel (${x}, ${y})`).toBe(inside(x, y) ? 1 : 0);
      area += pixels[y * side + x] ?? 0;
    }
  }
  expect(area).toBe(output.area);
  expect(output.box).toEqual([8, 3, 13, 13]);
  const rgba = maskRgba(pixels, [1, 2, 3, 4]);
  expect(Array.from(rgba.subarray((9 * side + 14) * 4, (9 * side + 14) * 4 + 4))).toEqual([1, 2, 3, 4]);
  expect(Array.from(rgba.subarray(0, 4))).toEqual([0, 0, 0, 0]);
  const dimmed = maskRgba(pixels, [0, 0, 0, 0], [9, 9, 9, 99]);
  expect(Array.from(dimmed.subarray(0, 4))).toEqual([9, 9, 9, 99]);
});

test('refuses counts that do not add up to the size', () => {
  expect(() => decodeRunLengthMask({ size: [2, 2], counts: [1, 2] })).toThrow(/add up to 3, not 4/);
  expect(() => decodeRunLengthMask({ size: [2, 2], counts: [1, 2, 3] })).toThrow(/add up to 6, not 4/);
  expect(() => decodeRunLengthMask({ size: [2, 2], counts: [1, -1, 4] })).toThrow(/Bad run length/);
});
