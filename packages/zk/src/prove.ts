/** Proving an inference: witness generation and Groth16 proof (snarkjs `groth16.fullProve`). */
import * as snarkjs from 'snarkjs';
import { circuitInput } from './circuit.ts';
import type { QuantizedMlp } from './quantize.ts';

/** A Groth16 proof with its public signals (decimal strings, layout of `GeneratedCircuit.publicSignals`). */
export type ZkProof = { proof: snarkjs.Groth16Proof; publicSignals: string[] };

/**
 * Proves the inference of a quantized MLP on one quantized input.
 * @param artifacts - The witness generator and the final proving key (from `setupCircuit`), by path or as bytes
 *   (a zk bundle's `circuit.wasm` and `circuit.zkey`).
 * @param q - The quantized model the circuit was generated from (its values are the private `model` input).
 * @param xq - The quantized input `[features]`, int8 (private; its commitment is public).
 * @returns The proof, its public signals and the wall-clock milliseconds it took.
 * @throws {Error} From the witness generator when an assertion fails (e.g. a model whose commitment is not the
 *   one pinned in the circuit, or a value outside its range).
 */
export async function proveInference(
  artifacts: { wasmPath: string | Uint8Array; zkeyPath: string | Uint8Array },
  q: QuantizedMlp,
  xq: ArrayLike<number>,
): Promise<ZkProof & { ms: number }> {
  const t = performance.now();
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(
    circuitInput(q, xq),
    artifacts.wasmPath,
    artifacts.zkeyPath,
  );
  return { proof, publicSignals, ms: performance.now() - t };
}
