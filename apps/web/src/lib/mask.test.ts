import { decodeRunLengthMask } from '@souk/protocol';
import { isnetMask } from '@souk/provider';
import { expect, test } from 'vitest';
import { isIsnetOutput, maskRgba } from './mask.ts';

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
