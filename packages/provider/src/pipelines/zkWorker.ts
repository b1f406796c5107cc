/**
 * The half of the `zk` pipeline (`zk.ts`) that runs in the runtime's worker thread: quantize the input, run the
 * integer forward pass, prove it with snarkjs and check the proof before returning it. `@souk/zk` (snarkjs,
 * circomlibjs) is imported on the first zk job, so workers that never prove never load it. snarkjs runs on one
 * single-threaded BN254 curve here (a worker thread cannot start ffjavascript's own pool), reused across jobs.
 */
import { isMainThread } from 'node:worker_threads';
import type { ZkOutput } from '@souk/protocol';
import type { PipelineContext } from '../runtime/types.ts';
import type { ZkJobOptions } from './zk.ts';

/**
 * Runs a zk job inside the worker.
 * @throws {Error} When the witness generator refuses the model (its commitment is not the circuit's) or the fresh
 *   proof does not verify against the bundle's key (a provider never returns a proof that would get it slashed).
 */
export async function runZk(context: PipelineContext, input: unknown): Promise<ZkOutput> {
  const zk = await import('@souk/zk');
  if (!isMainThread) await zk.useSingleThreadCurve(); // ffjavascript cannot start its thread pool from a worker
  const options = context.options as unknown as ZkJobOptions;
  const model = options.model as Parameters<typeof zk.quantizeInput>[0];
  const xq = zk.quantizeInput(model, input as number[]);
  const reference = zk.integerForward(model, xq);
  context.checkpoint?.();
  const { proof, publicSignals } = await zk.proveInference(
    { wasmPath: options.wasm, zkeyPath: options.zkey },
    model,
    xq,
  );
  context.checkpoint?.();
  if (!(await zk.verifyProof(options.verificationKey, publicSignals, proof))) {
    throw new Error('The fresh proof does not verify against the bundle verification key.');
  }
  const claim = zk.decodePublicSignals(publicSignals);
  if (claim.class !== reference.class || String(claim.modelCommitment) !== options.modelCommitment) {
    throw new Error('The proof public signals disagree with the integer forward pass or the model commitment.');
  }
  return {
    class: claim.class,
    logits: claim.logits.map(Number),
    zk: {
      protocol: 'groth16',
      curve: 'bn128',
      proof: `0x${Buffer.from(zk.proofToBytes(proof)).toString('hex')}`,
      publicSignals,
      modelCommitment: String(claim.modelCommitment),
      inputCommitment: String(claim.inputCommitment),
      circuitHash: options.circuitHash,
    },
  };
}
