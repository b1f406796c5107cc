/**
 * The zk artefact bundle's format (docs/zk.md, "The bundle"): the named files a `zk` model ships, its `zk.json`
 * descriptor, and the deterministic JSON of the quantized model. Pure JSON and SHA-256 (no snarkjs, no Poseidon), so
 * a provider's main thread can read a bundle cheaply; `bundle.ts` builds one and checks its model commitment.
 *
 * The files are packed like any model bundle (`@souk/provider`'s `packBundle`: a deterministic ustar of named
 * files), so a node stores a zk model the way it stores any other.
 */
import { createHash } from 'node:crypto';
import type { QuantizationReport, QuantizedLayer, QuantizedMlp } from './quantize.ts';

/** Files of a zk bundle by name (the shape of `@souk/provider`'s `BundleFiles`). */
export type ZkBundleFiles = Record<string, Uint8Array>;

/** The file names of a zk bundle. */
export const ZK_BUNDLE_FILES = {
  descriptor: 'zk.json',
  model: 'model.json',
  wasm: 'circuit.wasm',
  zkey: 'circuit.zkey',
  verificationKey: 'verification_key.json',
  verifier: 'Verifier.sol',
} as const;

/** Version of the `zk.json` layout. */
export const ZK_BUNDLE_VERSION = 1;

/** `zk.json`: what a zk model's bundle is, public (it names no weight). */
export type ZkDescriptor = {
  version: typeof ZK_BUNDLE_VERSION;
  protocol: 'groth16';
  curve: 'bn128';
  /** SHA-256 (hex) of the circuit's circom source. */
  circuitHash: string;
  /** The model commitment pinned in the circuit (public signal 0), decimal. */
  modelCommitment: string;
  /** Input values (the quantized input's length). */
  features: number;
  classes: number;
  /** Real value of one unit of a quantized input: a requester quantizes its own input with it. */
  inputScale: number;
  constraints: number;
  /** Names of the public signals, in order: `modelCommitment, inputCommitment, class, logits[0] …`. */
  publicSignals: string[];
  /** The powers of tau of the setup: `dev` is single-party (forgeable by whoever made it), `ceremony` multi-party. */
  ptau: { power: number; source: 'dev' | 'ceremony' };
  /** SHA-256 (hex) of each other file of the bundle, by name. */
  files: Record<string, string>;
  /** The float and the quantized model on a labelled test set, when one was given at build time. */
  quantization?: QuantizationReport | undefined;
};

/** A zk bundle, read. */
export type ZkBundle = {
  descriptor: ZkDescriptor;
  model: QuantizedMlp;
  /** Witness generator (circom wasm). */
  wasm: Uint8Array;
  /** Final Groth16 proving key. */
  zkey: Uint8Array;
  /** snarkjs verification key JSON. */
  verificationKey: Record<string, unknown>;
  /** Solidity source of the `Groth16Verifier`. */
  verifierSource: string;
};

/** A zk bundle that is malformed or inconsistent. */
export class ZkBundleError extends Error {
  override readonly name = 'ZkBundleError';
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const utf8 = new TextEncoder();

/**
 * The quantized model as deterministic JSON (fixed key order, integers as JSON numbers, scales as shortest
 * round-trip doubles): the same model always gives the same bytes.
 */
export function serializeQuantizedMlp(q: QuantizedMlp): Uint8Array {
  const layers = q.layers.map((l) => ({
    in: l.in,
    out: l.out,
    inputScale: l.inputScale,
    weightScale: l.weightScale,
    weights: Array.from(l.weights),
    bias: Array.from(l.bias),
    rescale: l.rescale
      ? { multiplier: l.rescale.multiplier, shift: l.rescale.shift, outputScale: l.rescale.outputScale }
      : null,
  }));
  const json = { features: q.features, classes: q.classes, inputScale: q.inputScale, layers };
  return utf8.encode(`${JSON.stringify(json)}\n`);
}

const isInt = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const isScale = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/**
 * Reads {@link serializeQuantizedMlp}'s JSON back, checking every shape and range.
 * @throws {ZkBundleError} On malformed JSON, a layer chain that does not connect, or a value out of range.
 */
export function parseQuantizedMlp(bytes: Uint8Array): QuantizedMlp {
  let raw: {
    features?: unknown;
    classes?: unknown;
    inputScale?: unknown;
    layers?: Array<Record<string, unknown>>;
  };
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ZkBundleError(`model.json is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const fail = (why: string): never => {
    throw new ZkBundleError(`model.json: ${why}`);
  };
  if (!raw || typeof raw !== 'object') fail('not an object');
  const { features, classes, inputScale, layers } = raw;
  if (!isInt(features, 1, 1 << 20) || !isInt(classes, 2, 1 << 20) || !isScale(inputScale)) {
    fail('features, classes and inputScale must be positive');
  }
  if (!Array.isArray(layers) || layers.length < 1) fail('no layers');
  let width = features as number;
  const out: QuantizedLayer[] = (layers as Array<Record<string, unknown>>).map((l, i) => {
    const last = i === (layers as unknown[]).length - 1;
    if (!isInt(l.in, 1, 1 << 20) || l.in !== width || !isInt(l.out, 1, 1 << 20)) fail(`layer ${i}: bad in/out`);
    if (!isScale(l.inputScale) || !isScale(l.weightScale)) fail(`layer ${i}: bad scales`);
    const n = (l.in as number) * (l.out as number);
    const w = l.weights;
    const b = l.bias;
    if (!Array.isArray(w) || w.length !== n || !w.every((v) => isInt(v, -128, 127))) fail(`layer ${i}: weights`);
    if (!Array.isArray(b) || b.length !== l.out || !b.every((v) => isInt(v, -(2 ** 31), 2 ** 31 - 1))) {
      fail(`layer ${i}: bias`);
    }
    const layer: QuantizedLayer = {
      in: l.in as number,
      out: l.out as number,
      weights: Int8Array.from(w as number[]),
      bias: Int32Array.from(b as number[]),
      inputScale: l.inputScale as number,
      weightScale: l.weightScale as number,
    };
    const r = l.rescale as { multiplier?: unknown; shift?: unknown; outputScale?: unknown } | null | undefined;
    if (last) {
      if (r) fail('the last layer has a rescale');
      if (l.out !== classes) fail(`the last layer has ${String(l.out)} outputs, not ${String(classes)} classes`);
    } else {
      if (!r || !isInt(r.multiplier, 1, 2 ** 53) || !isInt(r.shift, 1, 200) || !isScale(r.outputScale)) {
        fail(`layer ${i}: bad rescale`);
      }
      layer.rescale = {
        multiplier: r?.multiplier as number,
        shift: r?.shift as number,
        outputScale: r?.outputScale as number,
      };
    }
    width = l.out as number;
    return layer;
  });
  return { features: features as number, classes: classes as number, inputScale: inputScale as number, layers: out };
}

/** `zk.json` bytes (fixed key order). */
export function serializeZkDescriptor(d: ZkDescriptor): Uint8Array {
  const files = Object.fromEntries(
    Object.keys(d.files)
      .sort()
      .map((k) => [k, d.files[k]]),
  );
  const ordered: ZkDescriptor = {
    version: d.version,
    protocol: d.protocol,
    curve: d.curve,
    circuitHash: d.circuitHash,
    modelCommitment: d.modelCommitment,
    features: d.features,
    classes: d.classes,
    inputScale: d.inputScale,
    constraints: d.constraints,
    publicSignals: d.publicSignals,
    ptau: { power: d.ptau.power, source: d.ptau.source },
    files,
    ...(d.quantization
      ? {
          quantization: {
            samples: d.quantization.samples,
            floatAccuracy: d.quantization.floatAccuracy,
            quantizedAccuracy: d.quantization.quantizedAccuracy,
            agreement: d.quantization.agreement,
          },
        }
      : {}),
  };
  return utf8.encode(`${JSON.stringify(ordered, null, 2)}\n`);
}

/** SHA-256 (hex) of each bundle file but the descriptor, names sorted. */
export function bundleFileHashes(files: ZkBundleFiles): Record<string, string> {
  return Object.fromEntries(
    Object.keys(files)
      .filter((name) => name !== ZK_BUNDLE_FILES.descriptor)
      .sort()
      .map((name) => [name, sha256(files[name] as Uint8Array)]),
  );
}

/**
 * Reads a zk bundle's files (as `unpackBundle` returns them) and checks them against `zk.json`: every file is
 * there and has the SHA-256 the descriptor names, and the quantized model has the descriptor's shape and input
 * scale. The model commitment is not recomputed here (it needs Poseidon): `verifyZkBundle` in `bundle.ts` does.
 * @throws {ZkBundleError} Naming the missing, malformed or mismatched file.
 */
export function readZkBundle(files: ZkBundleFiles): ZkBundle {
  const file = (name: string): Uint8Array => {
    const f = files[name];
    if (!f) throw new ZkBundleError(`the zk bundle has no ${name} (files: ${Object.keys(files).join(', ')})`);
    return f;
  };
  const text = (name: string) => new TextDecoder('utf-8', { fatal: true }).decode(file(name));
  let descriptor: ZkDescriptor;
  try {
    descriptor = JSON.parse(text(ZK_BUNDLE_FILES.descriptor)) as ZkDescriptor;
  } catch (error) {
    if (error instanceof ZkBundleError) throw error;
    throw new ZkBundleError(`zk.json is not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (descriptor?.version !== ZK_BUNDLE_VERSION) {
    throw new ZkBundleError(`zk.json version ${String(descriptor?.version)}, expected ${ZK_BUNDLE_VERSION}`);
  }
  if (descriptor.protocol !== 'groth16' || descriptor.curve !== 'bn128') {
    throw new ZkBundleError('zk.json: only groth16 on bn128 is supported');
  }
  if (!/^[0-9a-f]{64}$/.test(String(descriptor.circuitHash)) || !/^[0-9]+$/.test(String(descriptor.modelCommitment))) {
    throw new ZkBundleError('zk.json: circuitHash (64 hex) and modelCommitment (decimal) are required');
  }
  for (const name of Object.values(ZK_BUNDLE_FILES)) {
    if (name === ZK_BUNDLE_FILES.descriptor) continue;
    const expected = descriptor.files?.[name];
    if (!expected) throw new ZkBundleError(`zk.json names no hash for ${name}`);
    if (sha256(file(name)) !== expected) throw new ZkBundleError(`${name} does not have the SHA-256 zk.json names`);
  }
  const model = parseQuantizedMlp(file(ZK_BUNDLE_FILES.model));
  if (
    model.features !== descriptor.features ||
    model.classes !== descriptor.classes ||
    model.inputScale !== descriptor.inputScale
  ) {
    throw new ZkBundleError('model.json does not have the features, classes or input scale zk.json names');
  }
  let verificationKey: Record<string, unknown>;
  try {
    verificationKey = JSON.parse(text(ZK_BUNDLE_FILES.verificationKey)) as Record<string, unknown>;
  } catch (error) {
    throw new ZkBundleError(`verification_key.json is not JSON: ${(error as Error).message}`);
  }
  if (verificationKey.nPublic !== descriptor.publicSignals.length) {
    throw new ZkBundleError(
      `the verification key has ${String(verificationKey.nPublic)} public signals, zk.json names ${descriptor.publicSignals.length}`,
    );
  }
  return {
    descriptor,
    model,
    wasm: file(ZK_BUNDLE_FILES.wasm),
    zkey: file(ZK_BUNDLE_FILES.zkey),
    verificationKey,
    verifierSource: text(ZK_BUNDLE_FILES.verifier),
  };
}
