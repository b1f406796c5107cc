/**
 * Collaboration rounds (federated learning, docs/training.md): K providers each train the same template on their own
 * shard, starting from the round's weights; the coordinator averages their updates (FedAvg, McMahan et al. 2017,
 * "Communication-Efficient Learning of Deep Networks from Decentralized Data", Algorithm 1: each client's weights
 * weighted by its sample count) and the next round starts from the average.
 *
 * Each update is an ordinary training order on the recipe whose input is a **round input**:
 *
 * ```
 * "SOUKFED1" | round (u32 BE) | weights length in bytes (u32 BE) | weights | the shard's labelled .npz
 * ```
 *
 * `weights` is empty in round 0 (the template's seeded initialisation) and otherwise the previous aggregate: every
 * layer's kernel then bias, input side first, as little-endian float32 — the layout the weights hash covers, so
 * `SHA-256(weights)` of an update is its `weightsHash`. One round input has exactly one encoding, so r providers
 * verify an update like any training job: by agreeing on its result, which for a round input also carries the
 * trained weights in that layout ({@link RoundTrainOutput}).
 */

import type { TrainOutput } from './training.ts';

/** The container's magic, `SOUKFED1`. */
export const ROUND_MAGIC: Uint8Array = new Uint8Array([0x53, 0x4f, 0x55, 0x4b, 0x46, 0x45, 0x44, 0x31]);

/** Most rounds a run may have. */
export const MAX_ROUNDS = 1_000;

/** Thrown for bytes that are not a round input, or updates that cannot be averaged. */
export class RoundFormatError extends Error {
  override name = 'RoundFormatError';
}

/** A round input: which round, its starting weights (absent in round 0) and the shard. */
export type RoundInput = {
  /** 0-based round number. */
  round: number;
  /** Starting weights ({@link encodeWeights}); absent: the template's seeded initialisation. */
  weights?: Uint8Array | undefined;
  /** The shard's labelled `.npz`. */
  dataset: Uint8Array;
};

/**
 * Encodes a round input (see the file header).
 * @throws {RoundFormatError} For a round out of 0…{@link MAX_ROUNDS}−1, weights not a whole number of float32 values,
 *   or an empty dataset.
 */
export function encodeRoundInput({ round, weights, dataset }: RoundInput): Uint8Array {
  if (!Number.isInteger(round) || round < 0 || round >= MAX_ROUNDS) {
    throw new RoundFormatError(`round must be an integer 0…${MAX_ROUNDS - 1}.`);
  }
  const w = weights ?? new Uint8Array(0);
  if (w.length % 4 !== 0) throw new RoundFormatError('Weights are float32 values: their length is a multiple of 4.');
  if (dataset.length === 0) throw new RoundFormatError('A round input carries its shard.');
  const out = new Uint8Array(ROUND_MAGIC.length + 8 + w.length + dataset.length);
  out.set(ROUND_MAGIC);
  const view = new DataView(out.buffer);
  view.setUint32(ROUND_MAGIC.length, round);
  view.setUint32(ROUND_MAGIC.length + 4, w.length);
  out.set(w, ROUND_MAGIC.length + 8);
  out.set(dataset, ROUND_MAGIC.length + 8 + w.length);
  return out;
}

/** Whether an input is a round input (starts with {@link ROUND_MAGIC}). */
export function isRoundInput(bytes: Uint8Array): boolean {
  if (bytes.length < ROUND_MAGIC.length) return false;
  for (let i = 0; i < ROUND_MAGIC.length; i++) if (bytes[i] !== ROUND_MAGIC[i]) return false;
  return true;
}

/**
 * Reads a round input (views into `bytes`).
 * @throws {RoundFormatError} When `bytes` is not a well-formed round input.
 */
export function decodeRoundInput(bytes: Uint8Array): Required<Pick<RoundInput, 'round' | 'dataset'>> & {
  weights: Uint8Array | undefined;
} {
  if (!isRoundInput(bytes)) throw new RoundFormatError('The input is not a round input (SOUKFED1).');
  if (bytes.length < ROUND_MAGIC.length + 8) throw new RoundFormatError('The round input is truncated.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const round = view.getUint32(ROUND_MAGIC.length);
  const length = view.getUint32(ROUND_MAGIC.length + 4);
  if (round >= MAX_ROUNDS) throw new RoundFormatError(`Round ${round} is beyond ${MAX_ROUNDS - 1}.`);
  if (length % 4 !== 0) throw new RoundFormatError('The weights are not a whole number of float32 values.');
  const start = ROUND_MAGIC.length + 8;
  if (start + length >= bytes.length) throw new RoundFormatError('The round input has no shard after its weights.');
  return {
    round,
    weights: length === 0 ? undefined : bytes.subarray(start, start + length),
    dataset: bytes.subarray(start + length),
  };
}

/**
 * Weights as bytes: each tensor's float32 values little-endian, tensors in order (kernel then bias per layer).
 * @param tensors - Flat tensors, input side first.
 */
export function encodeWeights(tensors: readonly Float32Array[]): Uint8Array {
  const total = tensors.reduce((n, t) => n + t.length, 0);
  const out = new Uint8Array(total * 4);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const tensor of tensors) {
    for (let i = 0; i < tensor.length; i++, at += 4) view.setFloat32(at, tensor[i] as number, true);
  }
  return out;
}

/**
 * Splits weight bytes into tensors of the given sizes.
 * @param bytes - {@link encodeWeights}' output.
 * @param sizes - Values per tensor, in order.
 * @throws {RoundFormatError} When the sizes do not add up to the bytes.
 */
export function decodeWeights(bytes: Uint8Array, sizes: readonly number[]): Float32Array[] {
  const total = sizes.reduce((n, s) => n + s, 0);
  if (bytes.length !== total * 4) {
    throw new RoundFormatError(`The weights hold ${bytes.length / 4} values; the template needs ${total}.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  return sizes.map((size) => {
    const tensor = new Float32Array(size);
    for (let i = 0; i < size; i++, at += 4) tensor[i] = view.getFloat32(at, true);
    return tensor;
  });
}

/** One client's update to a round: its trained weights (bytes, {@link encodeWeights}) and its sample count. */
export type RoundUpdate = { weights: Uint8Array; samples: number };

/**
 * FedAvg: the sample-weighted mean of the updates' weights, `Σ n_k w_k / Σ n_k` per value (McMahan et al. 2017,
 * Algorithm 1). Summed in float64 in the given order (so anyone recomputing it from the same updates in the same
 * order gets the same bits), then rounded once to float32 (`Math.fround`).
 * @param updates - 1 or more updates of equal length, in shard order.
 * @returns The aggregate, as weight bytes.
 * @throws {RoundFormatError} For no updates, updates of different lengths, or a sample count that is not a positive
 *   integer.
 */
export function fedAvg(updates: readonly RoundUpdate[]): Uint8Array {
  const first = updates[0];
  if (!first) throw new RoundFormatError('FedAvg needs at least one update.');
  const values = first.weights.length / 4;
  let n = 0;
  for (const u of updates) {
    if (u.weights.length !== first.weights.length) throw new RoundFormatError('Updates of different sizes.');
    if (!Number.isSafeInteger(u.samples) || u.samples <= 0) throw new RoundFormatError('Sample counts are > 0.');
    n += u.samples;
  }
  const sum = new Float64Array(values);
  for (const u of updates) {
    const view = new DataView(u.weights.buffer, u.weights.byteOffset, u.weights.byteLength);
    for (let i = 0; i < values; i++) sum[i] = (sum[i] as number) + u.samples * view.getFloat32(i * 4, true);
  }
  const out = new Uint8Array(values * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values; i++) view.setFloat32(i * 4, Math.fround((sum[i] as number) / n), true);
  return out;
}

/**
 * What a training job on a round input returns: the ordinary training output ({@link TrainOutput}) plus the round
 * and the trained weights (base64 of {@link encodeWeights}; their SHA-256 is `weightsHash`), so the coordinator can
 * average the verified updates.
 */
export type RoundTrainOutput = TrainOutput & {
  training: { round: number; weights: string };
};

/** Whether a job's output is a round update ({@link RoundTrainOutput}). */
export function isRoundTrainOutput(output: unknown): output is RoundTrainOutput {
  const t = (output as { training?: { round?: unknown; weights?: unknown } } | null)?.training;
  return typeof t === 'object' && t !== null && typeof t.round === 'number' && typeof t.weights === 'string';
}
