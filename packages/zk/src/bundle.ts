/**
 * Builds the zk artefact bundle of a float ONNX MLP (docs/zk.md, "The bundle"): read and quantize the model,
 * generate its circuit, run the Groth16 setup, and return the named files a `zk` model ships — pack them with
 * `@souk/provider`'s `packBundle` to store them like any model bundle. The format itself is `bundleFormat.ts`.
 */
import { readFile } from 'node:fs/promises';
import {
  bundleFileHashes,
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
import { generateCircuit } from './circuit.ts';
import { modelCommitment } from './commitment.ts';
import { readOnnxMlp } from './onnxMlp.ts';
import { evaluateQuantization, type QuantizedMlp, quantizeMlp } from './quantize.ts';
import { type SetupOptions, setupCircuit } from './setup.ts';

/** Options of {@link buildZkBundle}. */
export type BuildZkBundleOptions = {
  /** The float ONNX MLP (the `readOnnxMlp` subset). */
  onnx: Uint8Array;
  /** Row-major `[N, features]` float calibration inputs (a sample of real inputs). */
  calibration: Float32Array;
  /** A labelled test set: its quantization report goes into `zk.json`. */
  testSet?: { x: Float32Array; labels: ArrayLike<number> } | undefined;
} & Pick<SetupOptions, 'workDir' | 'ptauCacheDir' | 'ptauFile' | 'beacon' | 'log'>;

/** What {@link buildZkBundle} made. */
export type BuiltZkBundle = {
  /** The bundle's files by name: `zk.json`, `model.json`, `circuit.wasm`, `circuit.zkey`, `verification_key.json`, `Verifier.sol`. */
  files: ZkBundleFiles;
  descriptor: ZkDescriptor;
  model: QuantizedMlp;
  /** The setup's step times, milliseconds. */
  timings: { compileMs: number; ptauMs: number; zkeyMs: number };
};

/**
 * Builds the zk bundle of a float ONNX MLP. The Groth16 keys are made anew on each call (random phase-2
 * contribution): two builds of one model have equal `model.json`, `circuitHash` and `modelCommitment` but different
 * keys, so a model's published bundle is the one to prove and verify with.
 * @throws {UnsupportedModelError} From `readOnnxMlp`.
 * @throws {QuantizationError} From `quantizeMlp` or the test set's shape.
 * @throws {SetupError} From `setupCircuit`.
 */
export async function buildZkBundle(options: BuildZkBundleOptions): Promise<BuiltZkBundle> {
  const float = readOnnxMlp(options.onnx);
  const model = quantizeMlp(float, options.calibration);
  const circuit = await generateCircuit(model);
  const artifacts = await setupCircuit(circuit, {
    workDir: options.workDir,
    ptauCacheDir: options.ptauCacheDir,
    ptauFile: options.ptauFile,
    beacon: options.beacon,
    log: options.log,
  });
  const files: ZkBundleFiles = {
    [ZK_BUNDLE_FILES.model]: serializeQuantizedMlp(model),
    [ZK_BUNDLE_FILES.wasm]: new Uint8Array(await readFile(artifacts.wasmPath)),
    [ZK_BUNDLE_FILES.zkey]: new Uint8Array(await readFile(artifacts.zkeyPath)),
    [ZK_BUNDLE_FILES.verificationKey]: new TextEncoder().encode(
      `${JSON.stringify(artifacts.verificationKey, null, 2)}\n`,
    ),
    [ZK_BUNDLE_FILES.verifier]: new TextEncoder().encode(artifacts.verifierSource),
  };
  const descriptor: ZkDescriptor = {
    version: ZK_BUNDLE_VERSION,
    protocol: 'groth16',
    curve: 'bn128',
    circuitHash: circuit.hash,
    modelCommitment: circuit.modelCommitment.toString(),
    features: model.features,
    classes: model.classes,
    inputScale: model.inputScale,
    constraints: artifacts.constraints,
    publicSignals: circuit.publicSignals,
    ptau: { power: artifacts.ptau.power, source: artifacts.ptau.kind === 'ceremony' ? 'ceremony' : 'dev' },
    files: bundleFileHashes(files),
    quantization: options.testSet
      ? evaluateQuantization(float, model, options.testSet.x, options.testSet.labels)
      : undefined,
  };
  files[ZK_BUNDLE_FILES.descriptor] = serializeZkDescriptor(descriptor);
  return { files, descriptor, model, timings: artifacts.timings };
}

/**
 * {@link readZkBundle} and, in addition, the Poseidon commitment of `model.json` recomputed and compared with the
 * descriptor's `modelCommitment` (what a node checks at publish, and a provider before it proves).
 * @throws {ZkBundleError} When the bundle is malformed or the commitment differs.
 */
export async function verifyZkBundle(files: ZkBundleFiles): Promise<ZkBundle> {
  const bundle = readZkBundle(files);
  const commitment = await modelCommitment(bundle.model);
  if (commitment.toString() !== bundle.descriptor.modelCommitment) {
    throw new ZkBundleError(`model.json commits to ${commitment}, zk.json names ${bundle.descriptor.modelCommitment}`);
  }
  return bundle;
}
