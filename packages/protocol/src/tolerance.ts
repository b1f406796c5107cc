/**
 * The `tolerance` verification class (compute protocol v2): when two canonical results of one job agree numerically.
 * Provider, node (agreement and referee) and SDK all call this one module, so a verdict never depends on who judges.
 *
 * Results are the provider's canonical bytes (RFC 8785 JSON, `@souk/provider`'s `result.ts`). Two results are
 * **within tolerance** when their JSON values have the same structure — the same object keys, array lengths,
 * strings, booleans and `null`s — and every number pair `(a, b)` satisfies
 *
 *     |a − b| ≤ atol + rtol · max(|a|, |b|)
 *
 * (the symmetric form of Python's `math.isclose`; numpy's `isclose` uses `|b|` alone, which makes "a agrees with b"
 * and "b agrees with a" differ). A tensor — an object `{data, dims, dtype}` whose `data` is base64 of little-endian
 * elements — is compared element by element: `float16`, `float32` and `float64` (and `bfloat16`) with the formula;
 * every other dtype (integers, `bool`, `string`) byte for byte, since those outputs are labels, indices or text, not
 * measurements. Equal `dims` and `dtype` are required. NaN agrees only with NaN (any payload), ±∞ only with the same
 * infinity: a NaN the model itself produces is produced by every honest run, so treating it as a disagreement would
 * slash honest providers.
 *
 * Tolerance is a relation, not an equivalence: a ≈ b and b ≈ c do not give a ≈ c. A model's publisher should declare
 * `atol`/`rtol` at least twice the spread honest runs show (threads, optimisation levels, execution providers,
 * CPUs), so that two honest runs — each within half of it of the exact answer — always agree with each other and
 * with the referee.
 */

import { Verification, type VerificationCode } from './compute.ts';
import type { ZkVerificationSpec } from './zk.ts';

/** Verification classes a model may declare in its manifest's `runtime.verification` (absent: `exact`). */
export type VerificationSpec =
  | { class: 'exact' }
  | { class: 'tolerance'; atol: number; rtol: number }
  | ZkVerificationSpec;

/**
 * The `JobOrder.verification` code of a model's declared class: 0 exact (also when nothing is declared), 1 tolerance,
 * 2 zk.
 * @example
 * ```ts
 * import { verificationCode } from '@souk/protocol';
 * verificationCode({ class: 'tolerance', atol: 1e-5, rtol: 1e-4 }); // 1
 * ```
 */
export function verificationCode(spec: VerificationSpec | undefined): VerificationCode {
  return spec?.class === 'tolerance'
    ? Verification.Tolerance
    : spec?.class === 'zk'
      ? Verification.Zk
      : Verification.Exact;
}

/** A verification code's name (`exact`, `tolerance`, `zk`), or `unknown (n)`. */
export function verificationName(code: number): string {
  return code === Verification.Exact
    ? 'exact'
    : code === Verification.Tolerance
      ? 'tolerance'
      : code === Verification.Zk
        ? 'zk'
        : `unknown (${code})`;
}

/** Absolute and relative tolerance of the `tolerance` class. Both finite, ≥ 0. */
export type Tolerance = { atol: number; rtol: number };

/** Largest `rtol` a manifest may declare (100 %: beyond that "agreement" means nothing). */
export const MAX_RTOL = 1;

/** Why two results are not within tolerance. */
export type ToleranceMismatch = {
  /** JSON Pointer (RFC 6901) of the first disagreeing value; a tensor element is `/…/data/<index>`. */
  path: string;
  /** Human-readable reason. */
  reason: string;
};

/** The outcome of {@link compareResults}. */
export type ToleranceComparison =
  | {
      within: true;
      /**
       * Largest `|a − b| / (atol + rtol · max(|a|, |b|))` over all number pairs (0 when bit-identical; ≤ 1 when
       * within): how much of the tolerance the two results use.
       */
      ratio: number;
    }
  | ({ within: false; ratio: number } & ToleranceMismatch);

/**
 * Checks a declared tolerance.
 * @throws {RangeError} When `atol` or `rtol` is not a finite number ≥ 0, or `rtol` > {@link MAX_RTOL}.
 */
export function assertTolerance(tolerance: Tolerance): void {
  const { atol, rtol } = tolerance ?? ({} as Tolerance);
  if (typeof atol !== 'number' || !Number.isFinite(atol) || atol < 0) {
    throw new RangeError(`atol must be a finite number ≥ 0, got ${String(atol)}.`);
  }
  if (typeof rtol !== 'number' || !Number.isFinite(rtol) || rtol < 0 || rtol > MAX_RTOL) {
    throw new RangeError(`rtol must be a finite number 0…${MAX_RTOL}, got ${String(rtol)}.`);
  }
}

/**
 * How far apart two numbers are in units of the tolerance: `|a − b| / (atol + rtol · max(|a|, |b|))`, 0 when equal
 * (also when both are NaN, or the same infinity), `Infinity` for NaN against a number, different infinities, or any
 * difference when the bound is 0. Within tolerance ⇔ ≤ 1.
 */
export function toleranceRatio(a: number, b: number, { atol, rtol }: Tolerance): number {
  if (a === b) return 0; // also +∞ = +∞ and 0 = −0
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Number.POSITIVE_INFINITY;
  const diff = Math.abs(a - b);
  if (!Number.isFinite(diff)) return Number.POSITIVE_INFINITY;
  const bound = atol + rtol * Math.max(Math.abs(a), Math.abs(b));
  return bound > 0 ? diff / bound : Number.POSITIVE_INFINITY;
}

/**
 * Whether two numbers agree: `|a − b| ≤ atol + rtol · max(|a|, |b|)` (NaN only with NaN, ∞ only with itself).
 * @example
 * ```ts
 * import { numbersWithinTolerance } from '@souk/protocol';
 * numbersWithinTolerance(1, 1.0005, { atol: 0, rtol: 1e-3 }); // true
 * ```
 */
export function numbersWithinTolerance(a: number, b: number, tolerance: Tolerance): boolean {
  return toleranceRatio(a, b, tolerance) <= 1;
}

const FLOAT_DTYPES = new Set(['float16', 'bfloat16', 'float32', 'float64', 'float', 'double']);
const FLOAT_BYTES: Record<string, number> = { float16: 2, bfloat16: 2, float32: 4, float: 4, float64: 8, double: 8 };

/**
 * Compares two canonical results (UTF-8 JSON bytes, or their parsed values).
 * @param a One result (e.g. a provider's).
 * @param b The other (e.g. the referee's); the relation is symmetric.
 * @returns `{ within: true, ratio }`, or `{ within: false, ratio, path, reason }` naming the first disagreement.
 *   Bytes that are not UTF-8 JSON never agree with anything (`path` `/`), not even with themselves unless identical.
 * @throws {RangeError} When the tolerance is invalid ({@link assertTolerance}).
 * @example
 * ```ts
 * import { compareResults } from '@souk/protocol';
 * const a = new TextEncoder().encode('{"score":0.12345}');
 * const b = new TextEncoder().encode('{"score":0.12346}');
 * compareResults(a, b, { atol: 1e-4, rtol: 0 }).within; // true
 * ```
 */
export function compareResults(a: unknown, b: unknown, tolerance: Tolerance): ToleranceComparison {
  assertTolerance(tolerance);
  if (a instanceof Uint8Array && b instanceof Uint8Array && equalBytes(a, b)) return { within: true, ratio: 0 };
  const left = a instanceof Uint8Array ? parseJson(a) : { ok: true as const, value: a };
  const right = b instanceof Uint8Array ? parseJson(b) : { ok: true as const, value: b };
  if (!left.ok || !right.ok) return { within: false, ratio: Number.POSITIVE_INFINITY, path: '/', reason: 'not JSON' };
  const state = { ratio: 0 };
  const mismatch = compareValues(left.value, right.value, '', tolerance, state);
  return mismatch
    ? { within: false, ratio: Math.max(state.ratio, mismatch.ratio ?? 0), path: mismatch.path, reason: mismatch.reason }
    : { within: true, ratio: state.ratio };
}

/**
 * Whether two canonical results are within tolerance of each other ({@link compareResults}).
 * @throws {RangeError} When the tolerance is invalid.
 */
export function resultsWithinTolerance(a: Uint8Array, b: Uint8Array, tolerance: Tolerance): boolean {
  return compareResults(a, b, tolerance).within;
}

/** The outcome of {@link pickRepresentative}. */
export type RepresentativeChoice =
  | {
      agree: true;
      /** Index of the representative result: it minimises the largest ratio to the others (lowest index on ties). */
      index: number;
    }
  | {
      agree: false;
      /** The first pair (indices) found outside tolerance, and why. */
      pair: [number, number];
      mismatch: ToleranceMismatch;
    };

/**
 * Decides agreement among r results of one order and picks the one every provider then attests: all pairs must be
 * within tolerance; the representative is the medoid (the result whose largest ratio to the others is smallest),
 * so it sits in the middle of the honest spread. Deterministic: the same results in the same order give the same
 * choice on every node.
 * @param results The revealed canonical results, in slot order (at least one).
 * @throws {RangeError} When `results` is empty or the tolerance is invalid.
 */
export function pickRepresentative(results: readonly Uint8Array[], tolerance: Tolerance): RepresentativeChoice {
  if (results.length === 0) throw new RangeError('pickRepresentative needs at least one result.');
  assertTolerance(tolerance);
  // Parsed once; bytes that are not JSON stay bytes (and agree with nothing but an identical copy).
  const values = results.map((bytes) => {
    const parsed = parseJson(bytes);
    return parsed.ok ? parsed.value : bytes;
  });
  const worst = results.map(() => 0);
  for (let i = 0; i < results.length; i++) {
    for (let j = i + 1; j < results.length; j++) {
      const comparison = compareResults(values[i], values[j], tolerance);
      if (!comparison.within) {
        return { agree: false, pair: [i, j], mismatch: { path: comparison.path, reason: comparison.reason } };
      }
      worst[i] = Math.max(worst[i] as number, comparison.ratio);
      worst[j] = Math.max(worst[j] as number, comparison.ratio);
    }
  }
  let index = 0;
  for (let i = 1; i < worst.length; i++) if ((worst[i] as number) < (worst[index] as number)) index = i;
  return { agree: true, index };
}

type Mismatch = ToleranceMismatch & { ratio?: number };

function compareValues(
  a: unknown,
  b: unknown,
  path: string,
  tolerance: Tolerance,
  state: { ratio: number },
): Mismatch | undefined {
  const at = path || '/';
  if (typeof a === 'number' && typeof b === 'number') {
    const ratio = toleranceRatio(a, b, tolerance);
    if (ratio > 1) return { path: at, reason: `${a} and ${b} differ by more than the tolerance`, ratio };
    state.ratio = Math.max(state.ratio, ratio);
    return undefined;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return a === b ? undefined : { path: at, reason: `${describe(a)} ≠ ${describe(b)}` };
  }
  if (Array.isArray(a) !== Array.isArray(b)) return { path: at, reason: 'an array against an object' };
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { path: at, reason: `${a.length} items against ${b.length}` };
    for (let i = 0; i < a.length; i++) {
      const m = compareValues(a[i], b[i], `${path}/${i}`, tolerance, state);
      if (m) return m;
    }
    return undefined;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  if (isTensor(ra) && isTensor(rb)) return compareTensors(ra as JsonTensor, rb as JsonTensor, path, tolerance, state);
  const ka = Object.keys(ra).sort();
  const kb = Object.keys(rb).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) {
    return { path: at, reason: `keys [${ka.join(', ')}] against [${kb.join(', ')}]` };
  }
  for (const key of ka) {
    const m = compareValues(ra[key], rb[key], `${path}/${escapePointer(key)}`, tolerance, state);
    if (m) return m;
  }
  return undefined;
}

type JsonTensor = { data: string; dims: unknown[]; dtype: string };

function isTensor(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return (
    keys.length === 3 && typeof value.data === 'string' && typeof value.dtype === 'string' && Array.isArray(value.dims)
  );
}

function compareTensors(
  a: JsonTensor,
  b: JsonTensor,
  path: string,
  tolerance: Tolerance,
  state: { ratio: number },
): Mismatch | undefined {
  if (a.dtype !== b.dtype) return { path: `${path}/dtype`, reason: `dtype ${a.dtype} against ${b.dtype}` };
  if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) {
    return { path: `${path}/dims`, reason: `dims [${a.dims.join(', ')}] against [${b.dims.join(', ')}]` };
  }
  if (!FLOAT_DTYPES.has(a.dtype)) {
    return a.data === b.data ? undefined : { path: `${path}/data`, reason: `${a.dtype} elements differ` };
  }
  const xa = decodeFloats(a.data, a.dtype);
  const xb = decodeFloats(b.data, b.dtype);
  if (!xa || !xb) return { path: `${path}/data`, reason: `data is not base64 of ${a.dtype} elements` };
  if (xa.length !== xb.length) return { path: `${path}/data`, reason: `${xa.length} elements against ${xb.length}` };
  let worst = 0;
  for (let i = 0; i < xa.length; i++) {
    const ratio = toleranceRatio(xa[i] as number, xb[i] as number, tolerance);
    if (ratio > 1) {
      return {
        path: `${path}/data/${i}`,
        reason: `element ${i}: ${xa[i]} and ${xb[i]} differ by more than the tolerance`,
        ratio,
      };
    }
    if (ratio > worst) worst = ratio;
  }
  state.ratio = Math.max(state.ratio, worst);
  return undefined;
}

/** Little-endian float elements of a base64 string, or undefined when the bytes do not fit the dtype. */
function decodeFloats(base64: string, dtype: string): Float64Array | undefined {
  const bytes = decodeBase64(base64);
  const width = FLOAT_BYTES[dtype] as number;
  if (!bytes || bytes.length % width !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.length / width);
  for (let i = 0; i < out.length; i++) {
    const o = i * width;
    if (width === 8) out[i] = view.getFloat64(o, true);
    else if (width === 4) out[i] = view.getFloat32(o, true);
    else if (dtype === 'bfloat16') out[i] = bfloat16(view.getUint16(o, true));
    else out[i] = float16(view.getUint16(o, true));
  }
  return out;
}

/** IEEE 754 binary16 → number. */
function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** bfloat16 (the top half of a binary32) → number. */
function bfloat16(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 (RFC 4648 §4, padded) → bytes, with `atob` (browsers and Node alike); undefined when malformed. */
function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function parseJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false };
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}
