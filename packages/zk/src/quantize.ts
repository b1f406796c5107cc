/**
 * Post-training int8 quantization of a float MLP, and its two reference forward passes.
 *
 * Scheme (symmetric, per layer, no zero points):
 * - Input: `xq = clamp(round(x / s_in), -127, 127)` with `s_in = max|x| / 127` over the calibration set.
 * - Layer `l` with input scale `s_x`: int8 kernel `wq = round(w / s_w)`, `s_w = max|w| / 127`; int32 bias
 *   `bq = clamp(round(b / (s_x · s_w)), -2^31, 2^31 - 1)`. The accumulator `acc = Σ xq · wq + bq` stands for
 *   `acc · s_x · s_w`.
 * - Hidden layers rescale to the next activation's scale `s_y = max relu(z) / 127` (calibration, float pass):
 *   the real multiplier `s_x · s_w / s_y` is the fixed-point `m / 2^k` (`m` an integer of about 24 bits, `k ≥ 1`),
 *   and `y = min(127, max(0, floor((acc · m + 2^(k-1)) / 2^k)))` (round half up, ReLU, saturate).
 * - The last layer's accumulators are the logits (integers, scale `s_x · s_w`); the class is the first index of
 *   their maximum. Softmax is monotonic and is dropped.
 *
 * {@link integerForward} computes exactly what the circuit computes (same integers, same floor, same ties).
 */
import { QuantizationError } from './errors.ts';
import type { FloatMlp } from './onnxMlp.ts';

/** Bits of the fixed-point multiplier `m` of a rescale. */
export const MULTIPLIER_BITS = 24;
/** Largest magnitude of a quantized activation or weight. */
export const INT8_MAX = 127;

/** One quantized dense layer. */
export type QuantizedLayer = {
  in: number;
  out: number;
  /** int8, row-major `[in, out]`. */
  weights: Int8Array;
  /** int32 `[out]`, at scale `inputScale · weightScale`. */
  bias: Int32Array;
  /** Real value of one unit of the layer's input. */
  inputScale: number;
  /** Real value of one unit of a weight. */
  weightScale: number;
  /**
   * Rescale to the next layer (hidden layers only, `undefined` on the last): `y = clamp₀¹²⁷(floor((acc·m +
   * 2^(k-1)) / 2^k))`, `outputScale` the real value of one unit of `y`.
   */
  rescale?: { multiplier: number; shift: number; outputScale: number } | undefined;
};

/** A quantized MLP: int8 weights, int32 biases, fixed-point rescales. */
export type QuantizedMlp = {
  features: number;
  classes: number;
  /** Real value of one unit of a quantized input. */
  inputScale: number;
  layers: QuantizedLayer[];
};

/** The result of a forward pass. */
export type IntegerForward = {
  /** The last layer's accumulators (exact integers). */
  logits: bigint[];
  /** First index of the largest logit. */
  class: number;
  /** Each hidden layer's int8 output, in [0, 127]. */
  activations: Int8Array[];
};

const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
};
const scaleOf = (max: number): number => (max > 0 ? max / INT8_MAX : 1);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * The fixed-point form `m / 2^k` of a positive real multiplier, `m` of about {@link MULTIPLIER_BITS} bits.
 * @throws {QuantizationError} When the multiplier is not positive and finite.
 */
export function fixedPoint(real: number): { multiplier: number; shift: number } {
  if (!(real > 0) || !Number.isFinite(real)) throw new QuantizationError(`rescale multiplier ${real} is not positive`);
  const shift = Math.max(1, MULTIPLIER_BITS - 1 - Math.floor(Math.log2(real)));
  if (shift > 200) throw new QuantizationError(`rescale multiplier ${real} is too small`);
  const multiplier = Math.max(1, Math.round(real * 2 ** shift));
  return { multiplier, shift };
}

/**
 * The float forward pass (float64 arithmetic on the float32 weights).
 * @param x - One input, `[features]`.
 * @returns The logits `[classes]` (before any Softmax).
 * @throws {QuantizationError} When `x` is not `features` long.
 */
export function floatForward(model: FloatMlp, x: ArrayLike<number>): Float64Array {
  if (x.length !== model.features)
    throw new QuantizationError(`input has ${x.length} values, expected ${model.features}`);
  let a: ArrayLike<number> = x;
  for (const layer of model.layers) {
    const z = new Float64Array(layer.out);
    for (let o = 0; o < layer.out; o++) {
      let s = layer.bias[o] as number;
      for (let i = 0; i < layer.in; i++) s += (a[i] as number) * (layer.kernel[i * layer.out + o] as number);
      z[o] = layer.relu ? Math.max(0, s) : s;
    }
    a = z;
  }
  return a as Float64Array;
}

/** First index of the maximum (ties go to the lower index, as in the circuit). */
export function argmax(values: ArrayLike<number | bigint>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/**
 * Quantizes a float MLP to int8 with per-layer scales from a calibration set.
 * @param model - From `readOnnxMlp`.
 * @param calibration - Row-major `[N, features]` float inputs, N ≥ 1 (a sample of the real inputs).
 * @throws {QuantizationError} When the calibration set is empty or its length is not a multiple of `features`.
 */
export function quantizeMlp(model: FloatMlp, calibration: Float32Array): QuantizedMlp {
  const f = model.features;
  const n = calibration.length / f;
  if (n < 1 || !Number.isInteger(n)) {
    throw new QuantizationError(`calibration set has ${calibration.length} values, not N × ${f} with N ≥ 1`);
  }
  // Largest activation after each hidden layer, from the float pass.
  const activationMax = new Float64Array(model.layers.length);
  for (let r = 0; r < n; r++) {
    let a: ArrayLike<number> = calibration.subarray(r * f, (r + 1) * f);
    model.layers.forEach((layer, l) => {
      const z = new Float64Array(layer.out);
      for (let o = 0; o < layer.out; o++) {
        let s = layer.bias[o] as number;
        for (let i = 0; i < layer.in; i++) s += (a[i] as number) * (layer.kernel[i * layer.out + o] as number);
        z[o] = layer.relu ? Math.max(0, s) : s;
      }
      activationMax[l] = Math.max(activationMax[l] as number, maxAbs(z));
      a = z;
    });
  }
  const inputScale = scaleOf(maxAbs(calibration));
  let sx = inputScale;
  const layers: QuantizedLayer[] = model.layers.map((layer, l) => {
    const sw = scaleOf(maxAbs(layer.kernel));
    const weights = Int8Array.from(layer.kernel, (w) => clamp(Math.round(w / sw), -INT8_MAX, INT8_MAX));
    const bias = Int32Array.from(layer.bias, (b) => clamp(Math.round(b / (sx * sw)), -(2 ** 31), 2 ** 31 - 1));
    const q: QuantizedLayer = { in: layer.in, out: layer.out, weights, bias, inputScale: sx, weightScale: sw };
    if (l < model.layers.length - 1) {
      const sy = scaleOf(activationMax[l] as number);
      q.rescale = { ...fixedPoint((sx * sw) / sy), outputScale: sy };
      sx = sy;
    }
    return q;
  });
  return { features: f, classes: model.classes, inputScale, layers };
}

/**
 * Quantizes one float input: `clamp(round(x / inputScale), -127, 127)`.
 * @throws {QuantizationError} When `x` is not `features` long.
 */
export function quantizeInput(q: QuantizedMlp, x: ArrayLike<number>): Int8Array {
  if (x.length !== q.features) throw new QuantizationError(`input has ${x.length} values, expected ${q.features}`);
  return Int8Array.from({ length: x.length }, (_, i) =>
    clamp(Math.round((x[i] as number) / q.inputScale), -INT8_MAX, INT8_MAX),
  );
}

/**
 * The rescale of one accumulator, exactly as the circuit does it.
 * @returns `min(127, max(0, floor((acc · m + 2^(k-1)) / 2^k)))`.
 */
export function rescaleRelu(acc: bigint, multiplier: number, shift: number): number {
  const v = (acc * BigInt(multiplier) + (1n << BigInt(shift - 1))) >> BigInt(shift); // >> on bigint is floor
  return v < 0n ? 0 : v > 127n ? 127 : Number(v);
}

/**
 * The quantized integer forward pass: the JS reference of the circuit (exact integers).
 * @param xq - A quantized input `[features]`, each in [-128, 127] (the circuit's range check).
 * @throws {QuantizationError} When `xq` has the wrong length or a value outside int8.
 */
export function integerForward(q: QuantizedMlp, xq: ArrayLike<number>): IntegerForward {
  if (xq.length !== q.features) throw new QuantizationError(`input has ${xq.length} values, expected ${q.features}`);
  for (let i = 0; i < xq.length; i++) {
    const v = xq[i] as number;
    if (!Number.isInteger(v) || v < -128 || v > 127) throw new QuantizationError(`input ${i} = ${v} is not an int8`);
  }
  let a: ArrayLike<number> = xq;
  const activations: Int8Array[] = [];
  let logits: bigint[] = [];
  for (const layer of q.layers) {
    const acc: bigint[] = [];
    for (let o = 0; o < layer.out; o++) {
      let s = layer.bias[o] as number; // |s| < 2^31 + 2^14 · in: exact in a double for in < 2^38
      for (let i = 0; i < layer.in; i++) s += (a[i] as number) * (layer.weights[i * layer.out + o] as number);
      acc.push(BigInt(s));
    }
    if (layer.rescale) {
      const { multiplier, shift } = layer.rescale;
      const y = Int8Array.from(acc, (v) => rescaleRelu(v, multiplier, shift));
      activations.push(y);
      a = y;
    } else {
      logits = acc;
    }
  }
  return { logits, class: argmax(logits), activations };
}

/** Accuracy of the float and the quantized model on a labelled set. */
export type QuantizationReport = {
  samples: number;
  /** Share of rows whose float argmax is the label. */
  floatAccuracy: number;
  /** Share of rows whose quantized (integer) class is the label. */
  quantizedAccuracy: number;
  /** Share of rows where both classes agree. */
  agreement: number;
};

/**
 * Compares the float and the quantized model on a labelled test set.
 * @param x - Row-major `[N, features]` float inputs.
 * @param labels - `[N]` class indices.
 * @throws {QuantizationError} When the shapes do not match.
 */
export function evaluateQuantization(
  model: FloatMlp,
  q: QuantizedMlp,
  x: Float32Array,
  labels: ArrayLike<number>,
): QuantizationReport {
  const f = model.features;
  const n = labels.length;
  if (x.length !== n * f) throw new QuantizationError(`test set has ${x.length} values for ${n} labels × ${f}`);
  let fl = 0;
  let qu = 0;
  let agree = 0;
  for (let r = 0; r < n; r++) {
    const row = x.subarray(r * f, (r + 1) * f);
    const a = argmax(floatForward(model, row));
    const b = integerForward(q, quantizeInput(q, row)).class;
    if (a === labels[r]) fl++;
    if (b === labels[r]) qu++;
    if (a === b) agree++;
  }
  return { samples: n, floatAccuracy: fl / n, quantizedAccuracy: qu / n, agreement: agree / n };
}
