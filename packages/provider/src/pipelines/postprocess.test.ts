import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ctcGreedyDecode } from './ctc.ts';
import { dbPostprocess, roundHalfEven } from './dbPostprocess.ts';

describe('dbPostprocess', () => {
  const map = (width: number, height: number, rects: [number, number, number, number, number][]) => {
    const prob = new Float32Array(width * height);
    for (const [x0, y0, x1, y1, p] of rects) {
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) prob[y * width + x] = p;
    }
    return prob;
  };

  test('turns a text kernel into its unclipped box (offset = area × 1.5 / perimeter), scaled to the source', () => {
    // kernel: pixel centres x 20…79, y 10…19 → 59 × 9, offset 59·9·1.5 / (2·68) ≈ 5.86
    const prob = map(100, 40, [[20, 10, 79, 19, 0.9]]);
    assert.deepEqual(
      dbPostprocess(prob, 100, 40, 100, 40).map((b) => b.box),
      [
        [
          [14, 4],
          [85, 4],
          [85, 25],
          [14, 25],
        ],
      ],
    );
    assert.deepEqual(dbPostprocess(prob, 100, 40, 200, 80)[0].box, [
      [28, 8],
      [170, 8],
      [170, 50],
      [28, 50],
    ]);
  });

  test('drops regions under the box threshold (0.6), too thin (< 3 px) or too small after scaling', () => {
    const prob = map(100, 40, [
      [10, 5, 60, 14, 0.5], // above thresh 0.3 but mean 0.5 < 0.6
      [70, 5, 95, 6, 0.9], // 2 px tall
      [10, 25, 60, 34, 0.9], // kept
    ]);
    const boxes = dbPostprocess(prob, 100, 40, 100, 40);
    assert.equal(boxes.length, 1);
    assert.ok(boxes[0].score > 0.6);
    assert.equal(boxes[0].box[0][1], 25 - 6);
  });

  test('boxes a tilted line with a tilted rectangle', () => {
    const width = 200;
    const height = 100;
    const prob = new Float32Array(width * height);
    for (let x = 20; x < 180; x++) {
      const yc = 30 + (x - 20) * 0.25; // ~14°
      for (let y = Math.round(yc) - 5; y <= Math.round(yc) + 5; y++) prob[y * width + x] = 0.95;
    }
    const [{ box }] = dbPostprocess(prob, width, height, width, height);
    const angle = (Math.atan2(box[1][1] - box[0][1], box[1][0] - box[0][0]) * 180) / Math.PI;
    assert.ok(Math.abs(angle - 14) < 1.5, `angle ${angle}`);
  });

  test('rounds half to even as NumPy does', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, -2, 2, 3]);
  });
});

describe('ctcGreedyDecode', () => {
  test('merges repeats, drops blanks, keeps a repeat separated by a blank, and averages the kept probabilities', () => {
    // classes: blank, a, b, ' '
    const steps = [
      [0.1, 0.8, 0.1, 0], // a
      [0.1, 0.7, 0.2, 0], // a (repeat, merged)
      [0.9, 0.1, 0, 0], // blank
      [0.2, 0.6, 0.2, 0], // a again
      [0, 0, 0.1, 0.9], // space
      [0, 0, 1, 0], // b
    ];
    const decoded = ctcGreedyDecode(new Float32Array(steps.flat()), 6, 4, ['a', 'b', ' ']);
    assert.equal(decoded.text, 'aa b');
    assert.ok(Math.abs(decoded.confidence - (0.8 + 0.6 + 0.9 + 1) / 4) < 1e-6);
  });

  test('returns empty text with confidence 0 when only blanks are emitted', () => {
    assert.deepEqual(ctcGreedyDecode(new Float32Array([1, 0, 1, 0]), 2, 2, ['x']), { text: '', confidence: 0 });
  });

  test('refuses a dictionary that does not match the class count', () => {
    assert.throws(() => ctcGreedyDecode(new Float32Array(6), 2, 3, ['x']), RangeError);
  });
});
