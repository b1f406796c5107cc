/**
 * The wire shape of the `zk` verification class (docs/zk.md): what a model's manifest declares and what the `zk`
 * pipeline returns — the class and logits of a quantized MLP with a Groth16 proof whose public signals bind the
 * model commitment, the input commitment and that output. The provider produces it (`@souk/provider`'s
 * `pipelines/zk.ts`), the SDK checks it on its own (`verifyZkResult`), `@souk/zk` implements the cryptography.
 *
 * Groth16 proofs are randomised: two honest providers' outputs for one input differ in `zk.proof` (and only there).
 * A zk order therefore runs at redundancy 1, and its result hash covers the proof it carries.
 */

/** A model's `runtime.verification` of the `zk` class. */
export type ZkVerificationSpec = {
  class: 'zk';
  /** SHA-256 (hex, 64 digits) of the circuit's circom source (`zk.json`'s `circuitHash`). */
  circuitHash: string;
  /** The model commitment (public signal 0), decimal. */
  modelCommitment: string;
};

/** The proof part of a {@link ZkOutput}. */
export type ZkProofEnvelope = {
  protocol: 'groth16';
  curve: 'bn128';
  /** The proof as 256 bytes (`a`, `b`, `c` as the Solidity verifier takes them, 32-byte words), `0x` + hex. */
  proof: `0x${string}`;
  /** The public signals, decimal: `[modelCommitment, inputCommitment, class, logits…]` (negative logit v: p + v). */
  publicSignals: string[];
  /** Public signal 0, decimal. */
  modelCommitment: string;
  /** Public signal 1 (Poseidon commitment of the quantized input), decimal. */
  inputCommitment: string;
  /** SHA-256 (hex) of the circuit the proof is for. */
  circuitHash: string;
};

/** What the `zk` pipeline returns (canonically hashed like any result). */
export type ZkOutput = {
  /** The predicted class: first index of the largest logit (public signal 2). */
  class: number;
  /** The integer logits of the quantized model (public signals 3…), when the circuit makes them public. */
  logits: number[];
  zk: ZkProofEnvelope;
};

/** Whether a manifest's verification spec is of the `zk` class. */
export function isZkVerificationSpec(spec: unknown): spec is ZkVerificationSpec {
  const s = spec as Partial<ZkVerificationSpec> | null | undefined;
  return (
    s?.class === 'zk' &&
    typeof s.circuitHash === 'string' &&
    /^[0-9a-f]{64}$/.test(s.circuitHash) &&
    typeof s.modelCommitment === 'string' &&
    /^[0-9]+$/.test(s.modelCommitment)
  );
}

const DECIMAL = /^[0-9]+$/;

/**
 * Whether a job's output has the shape of a {@link ZkOutput} (shape only: `verifyZkResult` checks the proof).
 * @param output - A job's output, parsed JSON.
 */
export function isZkOutput(output: unknown): output is ZkOutput {
  const o = output as Partial<ZkOutput> | null | undefined;
  const zk = o?.zk as Partial<ZkProofEnvelope> | undefined;
  return (
    typeof o === 'object' &&
    o !== null &&
    Number.isSafeInteger(o.class) &&
    Array.isArray(o.logits) &&
    o.logits.every((v) => Number.isSafeInteger(v)) &&
    typeof zk === 'object' &&
    zk !== null &&
    zk.protocol === 'groth16' &&
    zk.curve === 'bn128' &&
    typeof zk.proof === 'string' &&
    /^0x[0-9a-f]{512}$/.test(zk.proof) &&
    Array.isArray(zk.publicSignals) &&
    zk.publicSignals.length >= 3 &&
    zk.publicSignals.every((s) => typeof s === 'string' && DECIMAL.test(s)) &&
    typeof zk.modelCommitment === 'string' &&
    DECIMAL.test(zk.modelCommitment) &&
    typeof zk.inputCommitment === 'string' &&
    DECIMAL.test(zk.inputCommitment) &&
    typeof zk.circuitHash === 'string'
  );
}
