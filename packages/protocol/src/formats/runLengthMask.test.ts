import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FormatError } from './errors.ts';
import { decodeRunLengthMask } from './runLengthMask.ts';

test('decodes a hand-made COCO RLE column by column, background first', () => {
  // 3 rows × 4 columns; foreground: (x=1, y=0..1) and (x=2, y=1..2) and (x=3, y=2).
  //   . # . .
  //   . # # .
  //   . . # #
  // Column-major: col0 = 0 0 0, col1 = 1 1 0, col2 = 0 1 1, col3 = 0 0 1
  // Runs: 3 bg, 2 fg, 2 bg, 2 fg, 2 bg, 1 fg.
  const pixels = decodeRunLengthMask({ size: [3, 4], counts: [3, 2, 2, 2, 2, 1] });
  assert.deepEqual(Array.from(pixels), [0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
  // A first pixel in the foreground: a leading 0-length background run.
  assert.deepEqual(Array.from(decodeRunLengthMask({ size: [2, 2], counts: [0, 1, 3] })), [1, 0, 0, 0]);
  // Nothing but background, and an empty image.
  assert.deepEqual(Array.from(decodeRunLengthMask({ size: [1, 3], counts: [3] })), [0, 0, 0]);
  assert.equal(decodeRunLengthMask({ size: [0, 5], counts: [0] }).length, 0);
});

test('refuses counts that do not add up to the size, negative or fractional runs, and a bad size', () => {
  assert.throws(() => decodeRunLengthMask({ size: [2, 2], counts: [1, 2] }), /add up to 3, not 4/);
  assert.throws(() => decodeRunLengthMask({ size: [2, 2], counts: [1, 2, 3] }), /add up to 6, not 4/);
  assert.throws(() => decodeRunLengthMask({ size: [2, 2], counts: [1, -1, 4] }), /Bad run length/);
  // A negative run after an overlong one must not make the sum come out right.
  assert.throws(() => decodeRunLengthMask({ size: [2, 2], counts: [1, 5, -2] }), /Bad run length -2/);
  assert.throws(() => decodeRunLengthMask({ size: [2, 2], counts: [1.5, 2.5] }), FormatError);
  assert.throws(() => decodeRunLengthMask({ size: [-2, 2], counts: [] }), /Bad mask size/);
});
