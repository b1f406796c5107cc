/**
 * `@souk/zk/check`: what a requester needs to check a proven inference on its own — quantizing its input, the
 * input commitment, decoding the public signals and the Groth16 verification in JS — and the bundle format, without
 * the circuit generator, circom, the setup or solc (`@souk/zk` is the whole library).
 */
export {
  readZkBundle,
  ZK_BUNDLE_FILES,
  type ZkBundle,
  ZkBundleError,
  type ZkBundleFiles,
  type ZkDescriptor,
} from './bundleFormat.ts';
export { FIELD, inputCommitment } from './commitment.ts';
export { integerForward, type QuantizedMlp, quantizeInput } from './quantize.ts';
export {
  decodePublicSignals,
  fieldToSigned,
  type InferenceClaim,
  proofFromBytes,
  proofToBytes,
  verifyProof,
} from './verify.ts';
