/**
 * `@souk/zk`: the zero-knowledge verification tier (docs/zk.md). A small float ONNX MLP is quantized to int8
 * (`quantize.ts`), compiled to a circom circuit (`circuit.ts`), set up for Groth16 (`setup.ts`); providers prove
 * inferences (`prove.ts`), SDKs and chains verify them (`verify.ts`, `solidity.ts`).
 */

export { type BuildZkBundleOptions, type BuiltZkBundle, buildZkBundle, verifyZkBundle } from './bundle.ts';
export {
  bundleFileHashes,
  parseQuantizedMlp,
  readZkBundle,
  serializeQuantizedMlp,
  serializeZkDescriptor,
  ZK_BUNDLE_FILES,
  ZK_BUNDLE_VERSION,
  type ZkBundle,
  ZkBundleError,
  type ZkBundleFiles,
  type ZkDescriptor,
} from './bundleFormat.ts';
export { type CircuitOptions, circuitInput, type GeneratedCircuit, generateCircuit } from './circuit.ts';
export {
  BIAS_BITS,
  CHUNK,
  chainedPoseidon,
  commitValues,
  FIELD,
  inputCommitment,
  modelCommitment,
  modelVector,
  PACK_BITS,
  type PackSlot,
  packLayout,
  packValues,
  poseidonHasher,
  WEIGHT_BITS,
} from './commitment.ts';
export { QuantizationError, UnsupportedModelError } from './errors.ts';
export { type FloatLayer, type FloatMlp, readOnnxMlp } from './onnxMlp.ts';
export { proveInference, type ZkProof } from './prove.ts';
export {
  argmax,
  evaluateQuantization,
  fixedPoint,
  floatForward,
  INT8_MAX,
  type IntegerForward,
  integerForward,
  MULTIPLIER_BITS,
  type QuantizationReport,
  type QuantizedLayer,
  type QuantizedMlp,
  quantizeInput,
  quantizeMlp,
  rescaleRelu,
} from './quantize.ts';
export {
  circomlibRoot,
  compileCircuit,
  devPowersOfTau,
  MAX_DEV_POWER,
  type PtauSource,
  ptauPower,
  releaseCurve,
  requiredPower,
  SetupError,
  type SetupOptions,
  setupCircuit,
  useSingleThreadCurve,
  type ZkArtifacts,
} from './setup.ts';
export { type CompiledContract, compileSolidity, compileVerifier, zkCheckSource } from './solidity.ts';
export {
  checkInference,
  decodePublicSignals,
  fieldToSigned,
  type InferenceClaim,
  proofFromBytes,
  proofToBytes,
  type SolidityProof,
  solidityProof,
  verifyProof,
} from './verify.ts';
