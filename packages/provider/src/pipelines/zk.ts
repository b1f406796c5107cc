/**
 * The `zk` pipeline (docs/zk.md, "The pipeline"): a quantized MLP of the `zk` verification class, run and proven.
 * The asset's bundle is a zk bundle (`@souk/zk`'s `buildZkBundle`: `zk.json`, `model.json`, `circuit.wasm`,
 * `circuit.zkey`, `verification_key.json`, `Verifier.sol`); the job's input is one float vector of the model's
 * input size, as a `.npy` (float32 or float64, dims `[features]` or `[1, features]`) or UTF-8 JSON
 * `{"input": [x0, x1, …]}`. In the runtime's worker thread (`zkWorker.ts`) the input is quantized with the bundle's
 * input scale, the integer forward pass runs, and snarkjs proves it with the bundle's wasm and zkey; the proof is
 * checked against the bundle's verification key before it is returned. The output ({@link ZkOutput}):
 *
 *     { class, logits, zk: { protocol: 'groth16', curve: 'bn128', proof: '0x' + 256 bytes, publicSignals,
 *       modelCommitment, inputCommitment, circuitHash } }
 *
 * It is deterministic apart from `zk.proof`: Groth16 proofs are randomised, so two honest providers' results differ
 * in the proof bytes and their result hashes differ. A zk order runs at r = 1; its result hash covers the proof.
 *
 * `@souk/zk` is imported lazily (its bundle reader here, snarkjs only in the worker), so importing the provider
 * loads neither.
 */
import type { ZkOutput } from '@souk/protocol';
import { InvalidInputError } from '../errors.ts';
import type { BundleFiles } from '../jobs/bundle.ts';
import type { Job } from '../runtime/types.ts';
import { isNpy, parseNpy } from './npy.ts';

export type { ZkOutput };

/** Version of the zk pipeline; recorded in `RuntimeRecord.pipelineVersion`. */
export const ZK_PIPELINE_VERSION = '1.0.0';

/** Largest zk input, bytes (a float vector of a small MLP). */
export const ZK_MAX_INPUT_BYTES = 1024 * 1024;

/** What a zk job hands the worker (structured-cloneable). */
export type ZkJobOptions = {
  /** The quantized model (`model.json`), as `@souk/zk`'s `QuantizedMlp`. */
  model: unknown;
  wasm: Uint8Array;
  zkey: Uint8Array;
  verificationKey: Record<string, unknown>;
  circuitHash: string;
  modelCommitment: string;
};

/** A zk pipeline bound to one bundle. */
export type ZkPipeline = {
  name: 'zk';
  version: string;
  /** The bundle's circuit hash, model commitment, input size and classes (`zk.json`). */
  circuitHash: string;
  modelCommitment: string;
  features: number;
  classes: number;
  /**
   * The job of one input.
   * @throws {InvalidInputError} When the input is not a float vector of `features` values.
   */
  job(input: Uint8Array): Job<ZkOutput>;
};

/**
 * Reads one float input vector: a `.npy` of float32/float64 with `features` elements (dims `[features]` or
 * `[1, features]`), or JSON `{"input": [...]}` of finite numbers.
 * @throws {InvalidInputError} Otherwise.
 */
export function parseZkInput(bytes: Uint8Array, features: number): number[] {
  if (!(bytes instanceof Uint8Array)) throw new InvalidInputError('A zk input is bytes (.npy or JSON).');
  if (bytes.length > ZK_MAX_INPUT_BYTES)
    throw new InvalidInputError(`A zk input is at most ${ZK_MAX_INPUT_BYTES} bytes.`);
  let values: number[];
  if (isNpy(bytes)) {
    const tensor = parseNpy(bytes);
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'float64') {
      throw new InvalidInputError(`A zk input .npy is float32 or float64, not ${tensor.dtype}.`);
    }
    const dims = tensor.dims;
    if (!(dims.length === 1 || (dims.length === 2 && dims[0] === 1))) {
      throw new InvalidInputError(
        `A zk input is one vector ([${features}] or [1, ${features}]), not [${dims.join(', ')}].`,
      );
    }
    values = Array.from(tensor.data as Float32Array | Float64Array);
  } else {
    let parsed: { input?: unknown };
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      throw new InvalidInputError('A zk input is a .npy float vector or UTF-8 JSON {"input": [...]}.', {
        details: (error as Error).message,
      });
    }
    if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.input)) {
      throw new InvalidInputError('A zk JSON input is {"input": [x0, x1, …]}.');
    }
    values = parsed.input as number[];
  }
  if (values.length !== features) {
    throw new InvalidInputError(`The model takes ${features} input values, the input has ${values.length}.`);
  }
  const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new InvalidInputError(`Input value ${bad} is not a finite number.`);
  return values;
}

/**
 * Builds the zk pipeline of a bundle's files.
 * @throws {InvalidInputError} When the files are not a consistent zk bundle (`@souk/zk`'s `readZkBundle`).
 */
export async function createZkPipeline({ files }: { files: BundleFiles }): Promise<ZkPipeline> {
  const { readZkBundle } = await import('@souk/zk/bundle-format');
  let bundle: ReturnType<typeof readZkBundle>;
  try {
    bundle = readZkBundle(files);
  } catch (error) {
    throw new InvalidInputError(`The zk bundle is not usable: ${(error as Error).message}`);
  }
  const { descriptor } = bundle;
  const options: ZkJobOptions = {
    model: bundle.model,
    wasm: bundle.wasm,
    zkey: bundle.zkey,
    verificationKey: bundle.verificationKey,
    circuitHash: descriptor.circuitHash,
    modelCommitment: descriptor.modelCommitment,
  };
  return {
    name: 'zk',
    version: ZK_PIPELINE_VERSION,
    circuitHash: descriptor.circuitHash,
    modelCommitment: descriptor.modelCommitment,
    features: descriptor.features,
    classes: descriptor.classes,
    job(input) {
      return {
        pipeline: 'zk',
        pipelineVersion: ZK_PIPELINE_VERSION,
        models: {},
        input: parseZkInput(input, descriptor.features),
        options,
      };
    },
  };
}
