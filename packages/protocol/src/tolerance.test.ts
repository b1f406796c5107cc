/**
 * The tolerance comparison shared by provider, node and SDK: the formula at its edges, canonical results (OCR-style
 * JSON and base64 tensors of every float width), structure mismatches, the representative choice, and properties
 * over seeded random cases (symmetry, reflexivity, monotonicity in the tolerance, perturbations inside and outside).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertTolerance,
  compareResults,
  numbersWithinTolerance,
  pickRepresentative,
  resultsWithinTolerance,
  toleranceRatio,
  verificationCode,
} from './tolerance.ts';

const enc = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const f32 = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString('base64');
const f64 = (values: number[]) => Buffer.from(new Float64Array(values).buffer).toString('base64');
const tensorResult = (values: number[], dtype = 'float32', dims = [values.length]) =>
  enc({ tensors: { y: { data: dtype === 'float64' ? f64(values) : f32(values), dims, dtype } } });
const TOL = { atol: 1e-5, rtol: 1e-4 };

/** Mulberry32: a small seeded PRNG, so every property case is reproducible. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('numbersWithinTolerance (|a − b| ≤ atol + rtol · max(|a|, |b|))', () => {
  test('accepts a difference exactly at the bound and refuses one just past it', () => {
    assert.equal(numbersWithinTolerance(1, 1.5, { atol: 0.5, rtol: 0 }), true);
    assert.equal(numbersWithinTolerance(1, 1.5000001, { atol: 0.5, rtol: 0 }), false);
    assert.equal(numbersWithinTolerance(100, 101, { atol: 0, rtol: 0.01 }), true, 'rtol scales with the larger');
    assert.equal(numbersWithinTolerance(100, 102, { atol: 0, rtol: 0.01 }), false);
  });

  test('is symmetric where numpy.isclose is not', () => {
    // numpy: |100 − 101| ≤ 0.0099·|101| is true, ≤ 0.0099·|100| false; the symmetric form says true both ways.
    const tol = { atol: 0, rtol: 0.0099 };
    assert.equal(numbersWithinTolerance(100, 101, tol), numbersWithinTolerance(101, 100, tol));
  });

  test('NaN agrees only with NaN, an infinity only with itself, and a zero bound means equality', () => {
    assert.equal(numbersWithinTolerance(Number.NaN, Number.NaN, TOL), true);
    assert.equal(numbersWithinTolerance(Number.NaN, 0, TOL), false);
    assert.equal(numbersWithinTolerance(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, TOL), true);
    assert.equal(numbersWithinTolerance(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, TOL), false);
    assert.equal(numbersWithinTolerance(Number.POSITIVE_INFINITY, 1e308, { atol: 1, rtol: 1 }), false);
    assert.equal(numbersWithinTolerance(0, -0, { atol: 0, rtol: 0 }), true);
    assert.equal(numbersWithinTolerance(0, 1e-300, { atol: 0, rtol: 0 }), false);
    assert.equal(toleranceRatio(1, 1, { atol: 0, rtol: 0 }), 0);
  });

  test('refuses a tolerance that is negative, not finite or an rtol above 1', () => {
    assert.throws(() => assertTolerance({ atol: -1, rtol: 0 }), RangeError);
    assert.throws(() => assertTolerance({ atol: Number.NaN, rtol: 0 }), RangeError);
    assert.throws(() => assertTolerance({ atol: 0, rtol: Number.POSITIVE_INFINITY }), RangeError);
    assert.throws(() => assertTolerance({ atol: 0, rtol: 2 }), RangeError);
    assert.throws(() => compareResults(enc(1), enc(1), { atol: 0, rtol: -0.1 }), RangeError);
  });
});

describe('compareResults on canonical results', () => {
  test('float32 tensors: within when every element is, naming the first element outside', () => {
    const a = tensorResult([1, 2, 3, 1000]);
    assert.equal(resultsWithinTolerance(a, tensorResult([1.000001, 2, 3.0001, 1000.05]), TOL), true);
    const out = compareResults(a, tensorResult([1, 2, 3.01, 1000]), TOL);
    assert.equal(out.within, false);
    assert.equal(out.within === false && out.path, '/tensors/y/data/2');
  });

  test('float64 and float16 tensors are decoded at their width', () => {
    assert.equal(
      resultsWithinTolerance(tensorResult([0.1, 0.2], 'float64'), tensorResult([0.1 + 1e-9, 0.2], 'float64'), TOL),
      true,
    );
    assert.equal(
      resultsWithinTolerance(tensorResult([0.1, 0.2], 'float64'), tensorResult([0.1, 0.21], 'float64'), TOL),
      false,
    );
    // float16: 0x3c00 = 1, 0x3c01 = 1 + 2^-10, 0x7e00 = NaN.
    const half = (bits: number[]) =>
      enc({
        tensors: {
          y: {
            data: Buffer.from(new Uint16Array(bits).buffer).toString('base64'),
            dims: [bits.length],
            dtype: 'float16',
          },
        },
      });
    assert.equal(resultsWithinTolerance(half([0x3c00, 0x7e00]), half([0x3c01, 0x7e00]), { atol: 0, rtol: 1e-3 }), true);
    assert.equal(resultsWithinTolerance(half([0x3c00]), half([0x3c01]), { atol: 0, rtol: 1e-4 }), false);
  });

  test('integer and bool tensors must be equal byte for byte', () => {
    const ints = (values: number[]) =>
      enc({
        tensors: {
          y: {
            data: Buffer.from(new Int32Array(values).buffer).toString('base64'),
            dims: [values.length],
            dtype: 'int32',
          },
        },
      });
    assert.equal(resultsWithinTolerance(ints([1, 2]), ints([1, 2]), { atol: 10, rtol: 1 }), true);
    assert.equal(resultsWithinTolerance(ints([1, 2]), ints([1, 3]), { atol: 10, rtol: 1 }), false);
  });

  test('dtype, dims, keys, lengths and strings must match exactly', () => {
    const a = tensorResult([1, 2]);
    assert.equal(compareResults(a, tensorResult([1, 2], 'float64'), TOL).within, false);
    const dims = compareResults(a, tensorResult([1, 2], 'float32', [2, 1]), TOL);
    assert.equal(dims.within === false && dims.path, '/tensors/y/dims');
    assert.equal(compareResults(enc({ a: 1 }), enc({ b: 1 }), TOL).within, false);
    assert.equal(compareResults(enc([1, 2]), enc([1, 2, 3]), TOL).within, false);
    assert.equal(compareResults(enc({ text: 'TOTAL' }), enc({ text: 'T0TAL' }), TOL).within, false);
    assert.equal(compareResults(enc({ x: null }), enc({ x: 0 }), TOL).within, false);
    assert.equal(compareResults(enc({ corrupted: true }), a, TOL).within, false);
  });

  test('OCR-style JSON: numbers within tolerance, text exact', () => {
    const line = (confidence: number, text = 'TOTAL 12.50') =>
      enc({
        lines: [
          {
            box: [
              [1, 2],
              [90, 2],
            ],
            confidence,
            text,
          },
        ],
      });
    assert.equal(resultsWithinTolerance(line(0.9877), line(0.9878), { atol: 2e-4, rtol: 0 }), true);
    assert.equal(resultsWithinTolerance(line(0.9877), line(0.9881), { atol: 2e-4, rtol: 0 }), false);
    assert.equal(resultsWithinTolerance(line(0.9877), line(0.9877, 'TOTAL 12.60'), { atol: 1, rtol: 1 }), false);
  });

  test('bytes that are not JSON agree with nothing but their identical copy', () => {
    const junk = new Uint8Array([0xff, 0xfe]);
    assert.equal(resultsWithinTolerance(junk, new Uint8Array([0xff, 0xfe]), TOL), true);
    assert.equal(resultsWithinTolerance(junk, tensorResult([1]), TOL), false);
    const bad = enc({ tensors: { y: { data: '!!!', dims: [1], dtype: 'float32' } } });
    assert.equal(resultsWithinTolerance(bad, tensorResult([1]), TOL), false);
  });
});

describe('pickRepresentative', () => {
  test('picks the medoid of agreeing results (the middle of the spread)', () => {
    const results = [tensorResult([1.00002]), tensorResult([1]), tensorResult([1.00001])];
    assert.deepEqual(pickRepresentative(results, TOL), { agree: true, index: 2 });
    assert.deepEqual(pickRepresentative([tensorResult([5])], TOL), { agree: true, index: 0 });
  });

  test('reports the first pair outside tolerance', () => {
    const out = pickRepresentative([tensorResult([1]), tensorResult([1]), tensorResult([2])], TOL);
    assert.equal(out.agree, false);
    assert.deepEqual(out.agree === false && out.pair, [0, 2]);
  });

  test('refuses an empty list', () => {
    assert.throws(() => pickRepresentative([], TOL), RangeError);
  });
});

describe('properties (seeded random cases)', () => {
  test('symmetric, reflexive, monotone in the tolerance; perturbations within ½ tolerance agree, beyond 3× do not', () => {
    const random = prng(13);
    for (let run = 0; run < 300; run++) {
      const n = 1 + Math.floor(random() * 64);
      const scale = 10 ** Math.floor(random() * 8 - 4);
      const base = Array.from({ length: n }, () => (random() * 2 - 1) * scale);
      const tol = { atol: random() * 1e-4 * scale, rtol: random() * 1e-3 };
      const bound = (x: number) => tol.atol + tol.rtol * Math.abs(x);
      // Within: each element moved by at most 0.45 of its bound (float32 rounding stays far inside).
      const near = base.map((x) => x + (random() * 2 - 1) * 0.45 * bound(x));
      const a = tensorResult(base, 'float64');
      const b = tensorResult(near, 'float64');
      assert.equal(resultsWithinTolerance(a, a, tol), true, 'reflexive');
      assert.equal(resultsWithinTolerance(a, b, tol), true, `within (run ${run})`);
      assert.equal(resultsWithinTolerance(b, a, tol), true, 'symmetric');
      assert.equal(resultsWithinTolerance(a, b, { atol: tol.atol * 2, rtol: tol.rtol * 2 }), true, 'monotone');
      // Outside: one element moved by 3× its bound (d > (atol + rtol·|x|) / (1 − rtol) holds for rtol ≤ 1e-3).
      const k = Math.floor(random() * n);
      const far = [...base];
      const x = base[k] as number;
      far[k] = x + (random() < 0.5 ? -1 : 1) * 3 * bound(x);
      const c = tensorResult(far, 'float64');
      assert.equal(resultsWithinTolerance(a, c, tol), resultsWithinTolerance(c, a, tol), 'symmetric outside');
      assert.equal(resultsWithinTolerance(a, c, tol), false, `outside (run ${run}, element ${k})`);
      const choice = pickRepresentative([a, b], tol);
      assert.equal(choice.agree, true);
    }
  });
});

describe('verificationCode', () => {
  test('maps the manifest class to the JobOrder code: absent and exact 0, tolerance 1', () => {
    assert.equal(verificationCode(undefined), 0);
    assert.equal(verificationCode({ class: 'exact' }), 0);
    assert.equal(verificationCode({ class: 'tolerance', atol: 0, rtol: 0 }), 1);
  });
});
