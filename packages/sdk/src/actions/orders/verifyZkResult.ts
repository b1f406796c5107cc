import { isZkOutput, type ZkOutput } from '@souk/protocol';
import { SoukError } from '../../errors/base.ts';

/** Which check of {@link verifyZkResult} failed. */
export type ZkVerificationFailure =
  /** The output is not a zk result (`{ class, logits, zk: { … } }`), or its proof is not 256 bytes. */
  | 'malformed'
  /** Public signal 0 (or `zk.modelCommitment`) is not the manifest's model commitment. */
  | 'modelCommitment'
  /** Public signal 1 (or `zk.inputCommitment`) is not the commitment of the input the requester sent. */
  | 'inputCommitment'
  /** `class` or `logits` differ from the public signals the proof binds. */
  | 'output'
  /** The Groth16 proof does not verify against the model's verification key. */
  | 'proof'
  /** `@souk/zk` (an optional peer dependency of the SDK) is not installed. */
  | 'unavailable';

/** A zk result failed the requester's own check; `failure` names the check. */
export class ZkVerificationError extends SoukError {
  override name = 'ZkVerificationError';
  readonly failure: ZkVerificationFailure;
  constructor(failure: ZkVerificationFailure, message: string, options: { details?: string; cause?: unknown } = {}) {
    super(message, options);
    this.failure = failure;
  }
}

/** Parameters of {@link verifyZkResult}. */
export type VerifyZkResultParameters = {
  /** The model's published Groth16 verification key (`verification_key.json` of its zk bundle, parsed). */
  verificationKey: unknown;
  /** The model commitment the manifest declares (`runtime.verification.modelCommitment`), decimal or bigint. */
  modelCommitment: string | bigint;
  /** The float input vector the requester sent (one value per model input). */
  input: ArrayLike<number>;
  /** The model's input scale (`zk.json`'s `inputScale`): the input is quantized as `clamp(round(x / s), ±127)`. */
  inputScale: number;
  /** When given, `zk.circuitHash` must equal it (the manifest's `runtime.verification.circuitHash`). */
  circuitHash?: string | undefined;
};

/** What {@link verifyZkResult} established. */
export type VerifiedZkResult = {
  class: number;
  logits: number[];
  /** The commitment of the quantized input, decimal (public signal 1). */
  inputCommitment: string;
};

/** The requester's half of `@souk/zk`, loaded on first use (snarkjs and circomlibjs are large). */
type ZkCheck = {
  inputCommitment(values: ArrayLike<number>): Promise<bigint>;
  decodePublicSignals(signals: readonly string[]): {
    modelCommitment: bigint;
    inputCommitment: bigint;
    class: number;
    logits: bigint[];
  };
  proofFromBytes(bytes: Uint8Array): unknown;
  verifyProof(verificationKey: unknown, publicSignals: string[], proof: never): Promise<boolean>;
};
const ZK_CHECK = '@souk/zk/check';
let zkCheck: Promise<ZkCheck> | undefined;
function loadZkCheck(): Promise<ZkCheck> {
  // A specifier in a variable: bundlers leave it alone, so apps that never verify a zk result never ship snarkjs.
  zkCheck ??= import(/* @vite-ignore */ ZK_CHECK) as Promise<ZkCheck>;
  return zkCheck.catch((cause: unknown) => {
    zkCheck = undefined;
    throw new ZkVerificationError('unavailable', 'Verifying a zk result needs @souk/zk, which is not installed.', {
      cause,
    });
  });
}

const quantize = (x: ArrayLike<number>, scale: number): number[] =>
  Array.from({ length: x.length }, (_, i) => Math.min(127, Math.max(-127, Math.round((x[i] as number) / scale))));

/**
 * Checks the result of a `zk` order on the requester's own, without trusting the provider or the node
 * (docs/zk.md): the Groth16 proof verifies in JS against the model's published verification key; its public model
 * commitment is the manifest's; its public input commitment is the Poseidon commitment of the requester's own
 * input, quantized here with the model's input scale; and the output's `class` and `logits` are the public signals
 * the proof binds.
 * @param output - The job's output, parsed JSON (`{ class, logits, zk }`).
 * @returns The proven class, logits and input commitment.
 * @throws {ZkVerificationError} Naming the first check that failed (`failure`).
 * @example
 * ```ts
 * const { class: label } = await verifyZkResult(result.output, {
 *   verificationKey, modelCommitment: manifest.runtime.verification.modelCommitment, input: x, inputScale,
 * });
 * ```
 */
export async function verifyZkResult(
  output: ZkOutput | unknown,
  { verificationKey, modelCommitment, input, inputScale, circuitHash }: VerifyZkResultParameters,
): Promise<VerifiedZkResult> {
  if (!isZkOutput(output)) {
    throw new ZkVerificationError('malformed', 'The output is not a zk result ({ class, logits, zk }).');
  }
  if (!(inputScale > 0) || !Number.isFinite(inputScale)) {
    throw new RangeError(`inputScale must be a positive number, got ${String(inputScale)}.`);
  }
  const zk = await loadZkCheck();
  const { publicSignals } = output.zk;
  let claim: ReturnType<ZkCheck['decodePublicSignals']>;
  let proof: unknown;
  try {
    claim = zk.decodePublicSignals(publicSignals);
    proof = zk.proofFromBytes(Uint8Array.from(output.zk.proof.slice(2).match(/../g) ?? [], (h) => parseInt(h, 16)));
  } catch (error) {
    throw new ZkVerificationError('malformed', 'The zk result has unreadable public signals or proof.', {
      details: (error as Error).message,
      cause: error,
    });
  }
  if (circuitHash !== undefined && output.zk.circuitHash !== circuitHash.toLowerCase()) {
    throw new ZkVerificationError(
      'malformed',
      `The result is for circuit ${output.zk.circuitHash}, the manifest names ${circuitHash}.`,
    );
  }
  const expectedModel = BigInt(modelCommitment);
  if (claim.modelCommitment !== expectedModel || BigInt(output.zk.modelCommitment) !== expectedModel) {
    throw new ZkVerificationError(
      'modelCommitment',
      `The proof is for model commitment ${claim.modelCommitment}, not the manifest's ${expectedModel}.`,
    );
  }
  const ownInput = await zk.inputCommitment(quantize(input, inputScale));
  if (claim.inputCommitment !== ownInput || BigInt(output.zk.inputCommitment) !== ownInput) {
    throw new ZkVerificationError(
      'inputCommitment',
      `The proof commits to input ${claim.inputCommitment}, not to the input sent (${ownInput}).`,
    );
  }
  const logits = claim.logits.map(Number);
  if (
    output.class !== claim.class ||
    output.logits.length !== logits.length ||
    output.logits.some((v, i) => v !== logits[i])
  ) {
    throw new ZkVerificationError(
      'output',
      `The output (class ${output.class}) is not what the proof binds (class ${claim.class}, logits ${logits.join(', ')}).`,
    );
  }
  if (!(await zk.verifyProof(verificationKey, [...publicSignals], proof as never))) {
    throw new ZkVerificationError('proof', 'The Groth16 proof does not verify against the model verification key.');
  }
  return { class: claim.class, logits, inputCommitment: ownInput.toString() };
}
