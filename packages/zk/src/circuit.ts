/**
 * Generates the circom 2 circuit of a quantized MLP ({@link QuantizedMlp}).
 *
 * Signals:
 * - private `model[M]`: the weights and biases in {@link modelVector} order (weights can stay private);
 * - private `x[features]`: the quantized input;
 * - public, in this order (circom puts outputs first, and there are no public inputs):
 *   `[modelCommitment, inputCommitment, class, logits[0 … classes-1]]` (logits only with `publicLogits`).
 *
 * Constraints:
 * - every weight and input is range-checked to int8 and every bias to int32 (`Num2Bits` of the offset value), so
 *   the field arithmetic equals the integer arithmetic and the packing of the commitments is injective;
 * - the commitments are the chained Poseidon of `commitment.ts`, and `modelCommitment` is also pinned to the
 *   model's own commitment, so the keys of this circuit verify proofs of this model only;
 * - dense layers multiply private inputs by private weights (one constraint per product);
 * - rescale + ReLU: `v = acc · m + 2^(k-1) + 2^B` is decomposed into `B + 1` bits (`B` bounds `|acc · m + 2^(k-1)|`
 *   from the weights): bit `B` is the sign of `acc · m + 2^(k-1)` (ReLU), bits `k …` are the floor of the shift,
 *   bits `k + 7 …` saturate the result at 127;
 * - argmax: a running maximum with circomlib's `GreaterThan` (strict, so ties keep the lower index); negative
 *   logits are field elements `p - |v|`, and `GreaterThan` compares them correctly because their differences are
 *   bounded (`2^n` with `n` from the weights).
 */
import { createHash } from 'node:crypto';
import { modelCommitment, modelVector, packLayout } from './commitment.ts';
import { QuantizationError } from './errors.ts';
import type { QuantizedMlp } from './quantize.ts';

/** Options of {@link generateCircuit}. */
export type CircuitOptions = {
  /** Whether the logits are public signals after the class. @default true */
  publicLogits?: boolean | undefined;
};

/** A generated circuit. */
export type GeneratedCircuit = {
  /** circom 2 source, including circomlib's `poseidon`, `bitify` and `comparators` (compile with `-l node_modules`). */
  source: string;
  /** SHA-256 of `source`, hex: any change of the model (weights included) or the generator changes it. */
  hash: string;
  /** Names of the public signals, in order. */
  publicSignals: string[];
  /** The model commitment pinned in the circuit (public signal 0). */
  modelCommitment: bigint;
  features: number;
  classes: number;
  /** Length of the private `model` input. */
  modelSize: number;
};

/** Bits needed to write `v` (`v < 2^bitLength(v)`), v ≥ 0. */
const bitLength = (v: bigint): number => v.toString(2).length - (v === 0n ? 1 : 0);

const LIBRARY = `pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// h = n; for each chunk of up to 15 inputs: h = Poseidon(h, chunk...). Output: h.
template ChainedPoseidon(n) {
    signal input in[n];
    signal output out;
    var chunks = (n + 14) \\ 15;
    component h[chunks];
    for (var c = 0; c < chunks; c++) {
        var len = n - 15 * c;
        if (len > 15) { len = 15; }
        h[c] = Poseidon(len + 1);
        if (c == 0) { h[c].inputs[0] <== n; } else { h[c].inputs[0] <== h[c - 1].out; }
        for (var i = 0; i < len; i++) { h[c].inputs[i + 1] <== in[15 * c + i]; }
    }
    out <== h[chunks - 1].out;
}

// acc[j] = b[j] + sum_i x[i] * w[i][j]
template Dense(nIn, nOut) {
    signal input x[nIn];
    signal input w[nIn][nOut];
    signal input b[nOut];
    signal output acc[nOut];
    signal p[nIn][nOut];
    for (var j = 0; j < nOut; j++) {
        var s = b[j];
        for (var i = 0; i < nIn; i++) {
            p[i][j] <== x[i] * w[i][j];
            s += p[i][j];
        }
        acc[j] <== s;
    }
}

// out = min(127, max(0, floor((in * m + 2^(k-1)) / 2^k))), for |in * m + 2^(k-1)| < 2^B.
template RescaleRelu(m, k, B) {
    signal input in;
    signal output out;
    component bits = Num2Bits(B + 1);
    bits.in <== in * m + (1 << (k - 1)) + (1 << B);
    var low = 0;
    for (var i = 0; i < 7; i++) { if (k + i < B) { low += bits.out[k + i] * (1 << i); } }
    var high = 0;
    for (var i = k + 7; i < B; i++) { high += bits.out[i]; }
    component zero = IsZero();
    zero.in <== high;
    signal saturated;
    saturated <== (1 - zero.out) * (127 - low);
    out <== bits.out[B] * (low + saturated);
}

// First index of the maximum of in[], for |in[i] - in[j]| < 2^nbits.
template ArgMax(n, nbits) {
    signal input in[n];
    signal output idx;
    signal best[n];
    signal at[n];
    signal dv[n - 1];
    signal di[n - 1];
    component gt[n - 1];
    best[0] <== in[0];
    at[0] <== 0;
    for (var j = 1; j < n; j++) {
        gt[j - 1] = GreaterThan(nbits);
        gt[j - 1].in[0] <== in[j];
        gt[j - 1].in[1] <== best[j - 1];
        dv[j - 1] <== gt[j - 1].out * (in[j] - best[j - 1]);
        best[j] <== best[j - 1] + dv[j - 1];
        di[j - 1] <== gt[j - 1].out * (j - at[j - 1]);
        at[j] <== at[j - 1] + di[j - 1];
    }
    idx <== at[n - 1];
}
`;

/** Emits `name[e] <== Σ (src[i] + 2^(w-1)) · 2^offset` for each packed element of `widths`. */
function emitPacking(
  name: string,
  src: string,
  base: number,
  widths: readonly number[],
): { code: string[]; elements: number } {
  const { slots, elements } = packLayout(widths);
  const terms: string[][] = Array.from({ length: elements }, () => []);
  const constants = new Array<bigint>(elements).fill(0n);
  slots.forEach((slot, i) => {
    terms[slot.element]?.push(`${src}[${base + i}] * ${1n << BigInt(slot.offset)}`);
    constants[slot.element] = (constants[slot.element] as bigint) + (1n << BigInt(slot.width - 1 + slot.offset));
  });
  const code = [`    signal ${name}[${elements}];`];
  terms.forEach((t, e) => {
    code.push(`    ${name}[${e}] <== ${t.join(' + ')} + ${constants[e]};`);
  });
  return { code, elements };
}

/**
 * Generates the circuit of a quantized MLP.
 * @param q - From `quantizeMlp`; at least 2 classes.
 * @returns The circom source and its layout.
 * @throws {QuantizationError} When a bound of the arithmetic would pass the 252 bits circomlib's comparators and
 *   `Num2Bits` handle, or the model has fewer than 2 classes.
 */
export async function generateCircuit(q: QuantizedMlp, options: CircuitOptions = {}): Promise<GeneratedCircuit> {
  const publicLogits = options.publicLogits ?? true;
  if (q.classes < 2) throw new QuantizationError('a classifier circuit needs at least 2 classes');
  const { widths } = modelVector(q);
  const commitment = await modelCommitment(q);
  const L: string[] = [];
  L.push('template SoukMlp() {');
  L.push(`    signal input model[${widths.length}];`);
  L.push(`    signal input x[${q.features}];`);
  L.push('    signal output modelCommitment;');
  L.push('    signal output inputCommitment;');
  L.push('    signal output class;');
  L.push(publicLogits ? `    signal output logits[${q.classes}];` : `    signal logits[${q.classes}];`);
  L.push('');
  L.push('    // Range checks: int8 weights and inputs, int32 biases (offset into [0, 2^w)).');
  L.push(`    component rcModel[${widths.length}];`);
  let base = 0;
  for (const layer of q.layers) {
    const nw = layer.in * layer.out;
    L.push(
      `    for (var i = ${base}; i < ${base + nw}; i++) { rcModel[i] = Num2Bits(8); rcModel[i].in <== model[i] + 128; }`,
    );
    L.push(
      `    for (var i = ${base + nw}; i < ${base + nw + layer.out}; i++) { rcModel[i] = Num2Bits(32); rcModel[i].in <== model[i] + ${2 ** 31}; }`,
    );
    base += nw + layer.out;
  }
  L.push(`    component rcX[${q.features}];`);
  L.push(`    for (var i = 0; i < ${q.features}; i++) { rcX[i] = Num2Bits(8); rcX[i].in <== x[i] + 128; }`);
  L.push('');
  L.push('    // Commitments: packed, then chained Poseidon; the model commitment is pinned to this model.');
  const mp = emitPacking('modelPacked', 'model', 0, widths);
  L.push(...mp.code);
  L.push(`    component modelHash = ChainedPoseidon(${mp.elements});`);
  L.push('    modelHash.in <== modelPacked;');
  L.push('    modelCommitment <== modelHash.out;');
  L.push(`    modelCommitment === ${commitment};`);
  const xp = emitPacking('inputPacked', 'x', 0, new Array<number>(q.features).fill(8));
  L.push(...xp.code);
  L.push(`    component inputHash = ChainedPoseidon(${xp.elements});`);
  L.push('    inputHash.in <== inputPacked;');
  L.push('    inputCommitment <== inputHash.out;');
  L.push('');
  let inputMax = 128n; // the range check admits -128
  let source = 'x';
  base = 0;
  let argmaxBits = 0;
  q.layers.forEach((layer, l) => {
    let accBound = 1n;
    for (let o = 0; o < layer.out; o++) {
      let s = 0n;
      for (let i = 0; i < layer.in; i++) s += BigInt(Math.abs(layer.weights[i * layer.out + o] as number));
      const bound = inputMax * s + BigInt(Math.abs(layer.bias[o] as number));
      if (bound > accBound) accBound = bound;
    }
    const nw = layer.in * layer.out;
    L.push(`    // Layer ${l}: ${layer.in} -> ${layer.out}, |acc| <= ${accBound}.`);
    L.push(`    component dense${l} = Dense(${layer.in}, ${layer.out});`);
    L.push(`    for (var i = 0; i < ${layer.in}; i++) { dense${l}.x[i] <== ${source}[i]; }`);
    L.push(
      `    for (var i = 0; i < ${layer.in}; i++) { for (var j = 0; j < ${layer.out}; j++) { dense${l}.w[i][j] <== model[${base} + i * ${layer.out} + j]; } }`,
    );
    L.push(`    for (var j = 0; j < ${layer.out}; j++) { dense${l}.b[j] <== model[${base + nw} + j]; }`);
    base += nw + layer.out;
    if (layer.rescale) {
      const { multiplier, shift } = layer.rescale;
      const bound = accBound * BigInt(multiplier) + (1n << BigInt(shift - 1));
      const B = bitLength(bound);
      if (B + 1 > 252) throw new QuantizationError(`layer ${l}: the rescale needs ${B + 1} bits, more than 252`);
      L.push(`    signal act${l}[${layer.out}];`);
      L.push(`    component rescale${l}[${layer.out}];`);
      L.push(`    for (var j = 0; j < ${layer.out}; j++) {`);
      L.push(`        rescale${l}[j] = RescaleRelu(${multiplier}, ${shift}, ${B});`);
      L.push(`        rescale${l}[j].in <== dense${l}.acc[j];`);
      L.push(`        act${l}[j] <== rescale${l}[j].out;`);
      L.push('    }');
      source = `act${l}`;
      inputMax = 127n;
    } else {
      argmaxBits = bitLength(2n * accBound);
      if (argmaxBits > 252) throw new QuantizationError(`layer ${l}: logits need ${argmaxBits} bits, more than 252`);
      L.push(`    for (var j = 0; j < ${layer.out}; j++) { logits[j] <== dense${l}.acc[j]; }`);
    }
  });
  L.push(`    component best = ArgMax(${q.classes}, ${argmaxBits});`);
  L.push('    best.in <== logits;');
  L.push('    class <== best.idx;');
  L.push('}');
  L.push('');
  L.push('component main = SoukMlp();');
  const header = `// Generated by @souk/zk from a quantized MLP ${[q.features, ...q.layers.map((l) => l.out)].join('→')}; model commitment ${commitment}.\n`;
  const src = `${header}${LIBRARY}\n${L.join('\n')}\n`;
  const publicSignals = ['modelCommitment', 'inputCommitment', 'class'];
  if (publicLogits) for (let j = 0; j < q.classes; j++) publicSignals.push(`logits[${j}]`);
  return {
    source: src,
    hash: createHash('sha256').update(src).digest('hex'),
    publicSignals,
    modelCommitment: commitment,
    features: q.features,
    classes: q.classes,
    modelSize: widths.length,
  };
}

/**
 * The circuit's input (witness generator input) for a quantized input.
 * @param xq - Quantized input `[features]`, int8.
 * @returns `{ model, x }` as decimal strings (negative numbers are reduced into the field by the witness generator).
 * @throws {QuantizationError} When `xq` is not `features` long.
 */
export function circuitInput(q: QuantizedMlp, xq: ArrayLike<number>): { model: string[]; x: string[] } {
  if (xq.length !== q.features) throw new QuantizationError(`input has ${xq.length} values, expected ${q.features}`);
  return {
    model: modelVector(q).values.map(String),
    x: Array.from({ length: xq.length }, (_, i) => String(xq[i])),
  };
}
