/**
 * Verifying an inference proof in JS, reading its public signals, and encoding it for Solidity.
 *
 * Public signals (decimal strings, BN254 scalar field): `[modelCommitment, inputCommitment, class,
 * logits[0 … classes-1]]`; a negative logit `v` is the field element `p + v`.
 */
import * as snarkjs from 'snarkjs';
import { FIELD, inputCommitment } from './commitment.ts';
import type { ZkProof } from './prove.ts';

/** The public signals, decoded. */
export type InferenceClaim = {
  modelCommitment: bigint;
  inputCommitment: bigint;
  class: number;
  /** Signed logits (empty when the circuit keeps them private). */
  logits: bigint[];
};

/** A field element as a signed integer: values above `p / 2` are negative. */
export function fieldToSigned(v: bigint): bigint {
  return v > FIELD / 2n ? v - FIELD : v;
}

/**
 * Reads the public signals of an inference proof.
 * @throws {RangeError} When there are fewer than 3 signals or a signal is not a field element.
 */
export function decodePublicSignals(publicSignals: readonly string[]): InferenceClaim {
  if (publicSignals.length < 3) throw new RangeError(`${publicSignals.length} public signals, at least 3 expected`);
  const values = publicSignals.map((s) => {
    const v = BigInt(s);
    if (v < 0n || v >= FIELD) throw new RangeError(`public signal ${s} is not a field element`);
    return v;
  });
  const [model, input, cls] = values as [bigint, bigint, bigint];
  return {
    modelCommitment: model,
    inputCommitment: input,
    class: Number(cls),
    logits: values.slice(3).map(fieldToSigned),
  };
}

/**
 * Verifies a Groth16 proof against a verification key. Only the proof is checked: compare the public signals with
 * what you expect too ({@link checkInference}).
 * @returns Whether the proof is valid (false, never a throw, for a wrong proof or signal).
 */
export async function verifyProof(
  verificationKey: unknown,
  publicSignals: string[],
  proof: snarkjs.Groth16Proof,
): Promise<boolean> {
  const silent = { info: () => {}, debug: () => {}, error: () => {} };
  try {
    return (await snarkjs.groth16.verify(verificationKey, publicSignals, proof, silent)) === true;
  } catch {
    return false;
  }
}

/**
 * Checks an inference proof for a caller who knows the model commitment (published) and the quantized input it
 * sent: the proof is valid, signal 0 is that model and signal 1 that input.
 * @returns The decoded claim when all hold, `undefined` otherwise.
 */
export async function checkInference(
  verificationKey: unknown,
  { proof, publicSignals }: ZkProof,
  expected: { modelCommitment: bigint; input: ArrayLike<number> },
): Promise<InferenceClaim | undefined> {
  if (!(await verifyProof(verificationKey, publicSignals, proof))) return undefined;
  const claim = decodePublicSignals(publicSignals);
  if (claim.modelCommitment !== expected.modelCommitment) return undefined;
  if (claim.inputCommitment !== (await inputCommitment(expected.input))) return undefined;
  return claim;
}

/** The arguments of the Solidity verifier's `verifyProof(uint[2] a, uint[2][2] b, uint[2] c, uint[N] input)`. */
export type SolidityProof = {
  a: readonly [bigint, bigint];
  /** G2 point with each coordinate's two limbs swapped (imaginary first), as the EIP-197 precompile reads it. */
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
  input: readonly bigint[];
};

/** The proof and public signals as the Solidity verifier's arguments (what `exportSolidityCallData` prints). */
export function solidityProof(proof: snarkjs.Groth16Proof, publicSignals: readonly string[]): SolidityProof {
  const n = (s: string | undefined): bigint => BigInt(s ?? '0');
  const b = proof.pi_b;
  return {
    a: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    b: [
      [n(b[0]?.[1]), n(b[0]?.[0])],
      [n(b[1]?.[1]), n(b[1]?.[0])],
    ],
    c: [n(proof.pi_c[0]), n(proof.pi_c[1])],
    input: publicSignals.map((s) => BigInt(s)),
  };
}

/**
 * The proof as 256 bytes: `a.x, a.y, b[0][0], b[0][1], b[1][0], b[1][1], c.x, c.y` of {@link solidityProof}, each
 * a 32-byte big-endian word (the ABI encoding of `(uint[2], uint[2][2], uint[2])`).
 */
export function proofToBytes(proof: snarkjs.Groth16Proof): Uint8Array {
  const { a, b, c } = solidityProof(proof, []);
  const words = [...a, ...b[0], ...b[1], ...c];
  const out = new Uint8Array(256);
  words.forEach((w, i) => {
    const hex = w.toString(16).padStart(64, '0');
    for (let j = 0; j < 32; j++) out[i * 32 + j] = Number.parseInt(hex.slice(j * 2, j * 2 + 2), 16);
  });
  return out;
}

/**
 * Reads 256 bytes of {@link proofToBytes} back into a snarkjs proof (affine, `z = 1`).
 * @throws {RangeError} When `bytes` is not 256 long.
 */
export function proofFromBytes(bytes: Uint8Array): snarkjs.Groth16Proof {
  if (bytes.length !== 256) throw new RangeError(`a Groth16 proof is 256 bytes, got ${bytes.length}`);
  const w = Array.from({ length: 8 }, (_, i) =>
    BigInt(`0x${Buffer.from(bytes.subarray(i * 32, (i + 1) * 32)).toString('hex')}`).toString(),
  );
  return {
    pi_a: [w[0] as string, w[1] as string, '1'],
    pi_b: [
      [w[3] as string, w[2] as string],
      [w[5] as string, w[4] as string],
      ['1', '0'],
    ],
    pi_c: [w[6] as string, w[7] as string, '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}
