import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportMlpToOnnx } from '@souk/provider/training';
import { QuantizationError, UnsupportedModelError } from './errors.ts';
import { readOnnxMlp } from './onnxMlp.ts';
import {
  argmax,
  evaluateQuantization,
  fixedPoint,
  floatForward,
  integerForward,
  quantizeInput,
  quantizeMlp,
  rescaleRelu,
} from './quantize.ts';
import { onnxModel, randomInputs, randomLayers } from './test/fixtures.ts';

const f32 = (a: number[]) => Float32Array.from(a);

describe('reading a float ONNX MLP', () => {
  it('reads the training engine export (Gemm, Relu, Softmax) with its weights', () => {
    const layers = randomLayers([16, 8, 4], 1);
    const model = readOnnxMlp(exportMlpToOnnx(layers));
    assert.equal(model.features, 16);
    assert.equal(model.classes, 4);
    assert.equal(model.softmax, true);
    assert.deepEqual(
      model.layers.map((l) => [l.in, l.out, l.relu]),
      [
        [16, 8, true],
        [8, 4, false],
      ],
    );
    assert.deepEqual(model.layers[0]?.kernel, layers[0]?.kernel);
    assert.deepEqual(model.layers[1]?.bias, layers[1]?.bias);
  });

  it('reads MatMul + Add, Gemm with transB and alpha/beta, and a final ArgMax', () => {
    // layer 0: MatMul [2,3] + Add; layer 1: Gemm with B stored [out=2, in=3], transB = 1, alpha 2, beta 0.5
    const bytes = onnxModel(
      [
        { opType: 'MatMul', input: ['x', 'w0'], output: ['m0'] },
        { opType: 'Add', input: ['m0', 'b0'], output: ['a0'] },
        { opType: 'Relu', input: ['a0'], output: ['r0'] },
        {
          opType: 'Gemm',
          input: ['r0', 'w1', 'b1'],
          output: ['z'],
          attribute: [
            { name: 'transB', type: 2, i: 1 },
            { name: 'alpha', type: 1, f: 2 },
            { name: 'beta', type: 1, f: 0.5 },
          ],
        },
        { opType: 'ArgMax', input: ['z'], output: ['y'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
      ],
      {
        w0: [[2, 3], f32([1, 2, 3, 4, 5, 6])],
        b0: [[3], f32([0.5, -0.5, 1])],
        w1: [[2, 3], f32([1, 0, -1, 0, 1, 0])],
        b1: [[2], f32([2, 4])],
      },
      'x',
      'y',
    );
    const model = readOnnxMlp(bytes);
    assert.equal(model.argmax, true);
    assert.deepEqual(Array.from(model.layers[0]?.bias ?? []), [0.5, -0.5, 1]);
    // transposed to [in=3, out=2] and scaled by alpha
    assert.deepEqual(Array.from(model.layers[1]?.kernel ?? []), [2, 0, 0, 2, -2, 0]);
    assert.deepEqual(Array.from(model.layers[1]?.bias ?? []), [1, 2]);
    // x = [1, 1]: h = relu([5.5, 6.5, 10]); z = 2·[h0 - h2, h1] + [1, 2] = [-8, 15]
    assert.deepEqual(Array.from(floatForward(model, [1, 1])), [-8, 15]);
  });

  const refused = (nodes: Parameters<typeof onnxModel>[0], init: Parameters<typeof onnxModel>[1], output: string) => {
    try {
      readOnnxMlp(onnxModel(nodes, init, 'x', output));
    } catch (error) {
      assert.ok(error instanceof UnsupportedModelError, String(error));
      return error;
    }
    assert.fail('the model was accepted');
  };
  const w = {
    w: [[4, 4], new Float32Array(16)] as [number[], Float32Array],
    b: [[4], new Float32Array(4)] as [number[], Float32Array],
  };

  it('refuses a Conv, naming the node and the reason', () => {
    const e = refused(
      [
        { opType: 'Conv', name: 'conv1', input: ['x', 'w'], output: ['c'] },
        { opType: 'Gemm', input: ['c', 'w', 'b'], output: ['y'] },
      ],
      w,
      'y',
    );
    assert.equal(e.op, 'Conv');
    assert.equal(e.node, 'conv1');
    assert.match(e.message, /Conv node 'conv1': operator Conv is outside the zk subset/);
  });

  it('refuses a Sigmoid activation', () => {
    const e = refused(
      [
        { opType: 'Gemm', input: ['x', 'w', 'b'], output: ['h'] },
        { opType: 'Sigmoid', name: 'act', input: ['h'], output: ['s'] },
        { opType: 'Gemm', input: ['s', 'w', 'b'], output: ['y'] },
      ],
      w,
      'y',
    );
    assert.equal(e.op, 'Sigmoid');
    assert.match(e.reason, /outside the zk subset/);
  });

  it('refuses quantized operators, a Relu on the logits, dense layers without Relu between them, and branches', () => {
    assert.match(
      refused([{ opType: 'QLinearMatMul', input: ['x', 'w'], output: ['y'] }], w, 'y').reason,
      /quantized operators are not read/,
    );
    assert.match(
      refused(
        [
          { opType: 'Gemm', input: ['x', 'w', 'b'], output: ['h'] },
          { opType: 'Relu', input: ['h'], output: ['y'] },
        ],
        w,
        'y',
      ).reason,
      /last dense layer must give logits/,
    );
    assert.match(
      refused(
        [
          { opType: 'Gemm', input: ['x', 'w', 'b'], output: ['h'] },
          { opType: 'Gemm', input: ['h', 'w', 'b'], output: ['y'] },
        ],
        w,
        'y',
      ).reason,
      /separated by Relu/,
    );
    assert.match(
      refused(
        [
          { opType: 'Gemm', input: ['x', 'w', 'b'], output: ['h'] },
          { opType: 'Relu', input: ['h'], output: ['r'] },
          { opType: 'Gemm', input: ['h', 'w', 'b'], output: ['y'] },
        ],
        w,
        'y',
      ).reason,
      /not one chain/,
    );
  });
});

describe('int8 quantization', () => {
  it('fixed-point multipliers approximate the real ones to about 2^-23', () => {
    for (const real of [0.000123, 0.0371, 0.5, 1, 3.7, 1234.5]) {
      const { multiplier, shift } = fixedPoint(real);
      assert.ok(shift >= 1);
      assert.ok(Math.abs(multiplier / 2 ** shift / real - 1) < 2 ** -22, `${real}: ${multiplier}/2^${shift}`);
    }
    assert.throws(() => fixedPoint(0), QuantizationError);
  });

  it('rescale rounds half up, floors negatives, applies ReLU and saturates at 127', () => {
    // m / 2^k = 1/4
    assert.equal(rescaleRelu(10n, 1, 2), 3); // 2.5 → 3
    assert.equal(rescaleRelu(9n, 1, 2), 2); // 2.25 → 2
    assert.equal(rescaleRelu(-1n, 1, 2), 0); // -0.25 → 0 (rounds to 0), ReLU
    assert.equal(rescaleRelu(-1000n, 1, 2), 0);
    assert.equal(rescaleRelu(509n, 1, 2), 127); // 127.25
    assert.equal(rescaleRelu(100000n, 1, 2), 127);
  });

  it('quantized weights are int8 and the integer pass is the hand-computed one', () => {
    const model = readOnnxMlp(exportMlpToOnnx(randomLayers([16, 8, 4], 1)));
    const q = quantizeMlp(model, randomInputs(64, 16, 2));
    for (const l of q.layers) {
      assert.ok(
        l.weights.some((v) => Math.abs(v) === 127),
        'the largest weight maps to ±127',
      );
    }
    const xq = quantizeInput(q, randomInputs(1, 16, 3));
    const out = integerForward(q, xq);
    // Independent recomputation with bigint throughout.
    const [l0, l1] = q.layers as [(typeof q.layers)[0], (typeof q.layers)[0]];
    const r = l0.rescale as NonNullable<typeof l0.rescale>;
    const h = Array.from({ length: 8 }, (_, o) => {
      let acc = BigInt(l0.bias[o] as number);
      for (let i = 0; i < 16; i++) acc += BigInt(xq[i] as number) * BigInt(l0.weights[i * 8 + o] as number);
      const n = acc * BigInt(r.multiplier) + 2n ** BigInt(r.shift - 1);
      const d = 2n ** BigInt(r.shift);
      let v = n / d; // truncates toward zero
      if (n < 0n && v * d !== n) v -= 1n; // floor
      return v < 0n ? 0n : v > 127n ? 127n : v;
    });
    assert.deepEqual(Array.from(out.activations[0] ?? [], BigInt), h);
    const logits = Array.from({ length: 4 }, (_, o) => {
      let acc = BigInt(l1.bias[o] as number);
      for (let i = 0; i < 8; i++) acc += (h[i] as bigint) * BigInt(l1.weights[i * 4 + o] as number);
      return acc;
    });
    assert.deepEqual(out.logits, logits);
    assert.equal(out.class, argmax(logits));
    assert.throws(() => integerForward(q, new Array(16).fill(128)), QuantizationError);
    assert.throws(() => integerForward(q, [1, 2]), QuantizationError);
  });

  it('the quantized model agrees with the float one on a held-out set (teacher labels)', (t) => {
    const model = readOnnxMlp(exportMlpToOnnx(randomLayers([16, 8, 4], 1)));
    const q = quantizeMlp(model, randomInputs(256, 16, 2));
    const x = randomInputs(1000, 16, 4);
    const labels = Int32Array.from({ length: 1000 }, (_, r) =>
      argmax(floatForward(model, x.subarray(r * 16, r * 16 + 16))),
    );
    const report = evaluateQuantization(model, q, x, labels);
    t.diagnostic(`16→8→4 random MLP, 1000 inputs: float ${report.floatAccuracy}, int8 ${report.quantizedAccuracy}`);
    assert.equal(report.floatAccuracy, 1);
    assert.ok(report.quantizedAccuracy >= 0.9, `int8 agrees on ${report.quantizedAccuracy}`);
    assert.equal(report.agreement, report.quantizedAccuracy);
  });
});
