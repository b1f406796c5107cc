/**
 * Commitments to integer vectors (a model's weights, a quantized input), computed the same way in JS (here,
 * Poseidon from circomlibjs) and in the circuit (circomlib's Poseidon).
 *
 * Scheme, for values `v_0 … v_{n-1}`, each a signed integer of a declared width `w_i` bits (8 for int8 weights
 * and inputs, 32 for int32 biases):
 * 1. Offset: `u_i = v_i + 2^(w_i - 1)`, in `[0, 2^w_i)` (the circuit range-checks this, so the packing is
 *    injective and no value can wrap around the field).
 * 2. Pack: values fill field elements in order, little-endian: `u_i` sits at bit offset `o_i` of element `e_i`; a
 *    value that would cross bit {@link PACK_BITS} starts the next element. Element `e = Σ u_i · 2^(o_i)`.
 * 3. Chain: with `E` elements, `h = E`; for each chunk of up to {@link CHUNK} elements `c_1 … c_k`, in order,
 *    `h = Poseidon(h, c_1, …, c_k)` (circomlib's Poseidon of arity `k + 1`, BN254 scalar field). The commitment is
 *    the last `h`.
 *
 * The commitment is binding, not hiding: there is no salt, so a small input space can be searched.
 */
import { buildPoseidon } from 'circomlibjs';
import type { QuantizedMlp } from './quantize.ts';

/** BN254 scalar field order (the field of circom signals and Groth16 public signals). */
export const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Bits of a field element used for packing. */
export const PACK_BITS = 248;
/** Elements per Poseidon call after the chaining value (circomlib's Poseidon takes at most 16 inputs). */
export const CHUNK = 15;

/** Where one value sits in the packed elements. */
export type PackSlot = { element: number; offset: number; width: number };

/**
 * Lays out values of the given widths into field elements (step 2 above).
 * @param widths - Bits of each value, 1…{@link PACK_BITS}.
 * @returns One slot per value and the number of elements.
 * @throws {RangeError} On a width outside 1…248.
 */
export function packLayout(widths: readonly number[]): { slots: PackSlot[]; elements: number } {
  const slots: PackSlot[] = [];
  let element = 0;
  let offset = 0;
  for (const width of widths) {
    if (!Number.isInteger(width) || width < 1 || width > PACK_BITS) throw new RangeError(`width ${width}`);
    if (offset + width > PACK_BITS) {
      element++;
      offset = 0;
    }
    slots.push({ element, offset, width });
    offset += width;
  }
  return { slots, elements: widths.length === 0 ? 0 : element + 1 };
}

/**
 * Packs signed values into field elements (steps 1–2).
 * @throws {RangeError} When a value does not fit its width.
 */
export function packValues(values: readonly bigint[], widths: readonly number[]): bigint[] {
  if (values.length !== widths.length) throw new RangeError('values and widths differ in length');
  const { slots, elements } = packLayout(widths);
  const out = new Array<bigint>(elements).fill(0n);
  values.forEach((v, i) => {
    const { element, offset, width } = slots[i] as PackSlot;
    const half = 1n << BigInt(width - 1);
    if (v < -half || v >= half) throw new RangeError(`value ${i} = ${v} does not fit ${width} signed bits`);
    out[element] = (out[element] as bigint) + ((v + half) << BigInt(offset));
  });
  return out;
}

type Poseidon = Awaited<ReturnType<typeof buildPoseidon>>;
let poseidon: Promise<Poseidon> | undefined;

/** circomlibjs's Poseidon, built once (a WebAssembly module). */
export function poseidonHasher(): Promise<Poseidon> {
  poseidon ??= buildPoseidon();
  return poseidon;
}

/**
 * The chained Poseidon of field elements (step 3).
 * @param elements - Field elements, each in `[0, FIELD)`; at least one.
 * @throws {RangeError} On no element or one outside the field.
 */
export async function chainedPoseidon(elements: readonly bigint[]): Promise<bigint> {
  if (elements.length === 0) throw new RangeError('nothing to commit to');
  for (const e of elements) if (e < 0n || e >= FIELD) throw new RangeError(`element ${e} is outside the field`);
  const p = await poseidonHasher();
  let h = BigInt(elements.length);
  for (let i = 0; i < elements.length; i += CHUNK) {
    h = p.F.toObject(p([h, ...elements.slice(i, i + CHUNK)])) as bigint;
  }
  return h;
}

/**
 * The commitment to signed values of the given widths (steps 1–3).
 * @returns A field element.
 * @throws {RangeError} When a value does not fit its width.
 */
export async function commitValues(values: readonly bigint[], widths: readonly number[]): Promise<bigint> {
  return chainedPoseidon(packValues(values, widths));
}

/** Width of an int8 weight or input in the commitment. */
export const WEIGHT_BITS = 8;
/** Width of an int32 bias in the commitment. */
export const BIAS_BITS = 32;

/**
 * The values a model commitment covers, in order: for each layer, input side first, its int8 weights row-major
 * `[in, out]` ({@link WEIGHT_BITS} each), then its int32 biases `[out]` ({@link BIAS_BITS} each). This is also the
 * order of the circuit's private `model` input. The rescale multipliers and shifts are circuit constants (part of
 * the circuit hash and the verification key), not committed values.
 */
export function modelVector(q: QuantizedMlp): { values: bigint[]; widths: number[] } {
  const values: bigint[] = [];
  const widths: number[] = [];
  for (const layer of q.layers) {
    for (const w of layer.weights) {
      values.push(BigInt(w));
      widths.push(WEIGHT_BITS);
    }
    for (const b of layer.bias) {
      values.push(BigInt(b));
      widths.push(BIAS_BITS);
    }
  }
  return { values, widths };
}

/** The model commitment (public signal 0): {@link commitValues} of {@link modelVector}. */
export async function modelCommitment(q: QuantizedMlp): Promise<bigint> {
  const { values, widths } = modelVector(q);
  return commitValues(values, widths);
}

/**
 * The input commitment (public signal 1): {@link commitValues} of the quantized input, int8 each.
 * @throws {RangeError} When a value is not an int8.
 */
export async function inputCommitment(xq: ArrayLike<number>): Promise<bigint> {
  const values = Array.from({ length: xq.length }, (_, i) => BigInt(xq[i] as number));
  return commitValues(values, new Array<number>(values.length).fill(WEIGHT_BITS));
}
