/**
 * Binary masks in COCO's uncompressed run-length encoding (`pycocotools.mask`), as the `isnet` pipeline returns a
 * foreground (docs/provider.md, "IS-Net pipeline"), and that result's shape. The provider encodes the mask; the web
 * app and the CLI decode it with {@link decodeRunLengthMask} to draw or save it.
 *
 * The encoding lists the pixels in column-major order (down the first column, then the next) as alternating run
 * lengths of background and foreground, background first (a leading 0 when the first pixel is foreground); the counts
 * add up to `height × width`.
 */
import { FormatError } from './errors.ts';

/** A binary mask in COCO run-length encoding. */
export type RunLengthMask = {
  /** `[height, width]` in pixels (COCO order). */
  size: [number, number];
  /** Run lengths, background first. */
  counts: number[];
};

/** Output of the `isnet` pipeline: the foreground of one image. */
export type IsnetOutput = {
  /** Image width, pixels. */
  width: number;
  /** Image height, pixels. */
  height: number;
  /** The foreground mask at the image's size. */
  mask: RunLengthMask;
  /** Foreground pixels. */
  area: number;
  /** `area / (width × height)`, 0…1, rounded to 4 decimals. */
  coverage: number;
  /** Bounding box of the foreground `[x, y, width, height]` in pixels (COCO `bbox`), `null` when there is none. */
  box: [number, number, number, number] | null;
  /** Mean saliency over the foreground pixels (0.5…1, rounded to 4 decimals), 0 when there are none. */
  confidence: number;
};

/**
 * Expands a run-length mask to one byte per pixel (1 foreground, 0 background), row-major.
 * @param mask - The mask.
 * @returns `height × width` bytes, pixel (x, y) at `y × width + x`.
 * @throws {FormatError} When the size is not two non-negative integers, a count is not a non-negative integer, or the
 * counts do not add up to `height × width`.
 * @example
 * ```ts
 * import { decodeRunLengthMask } from '@souk/protocol';
 * decodeRunLengthMask({ size: [2, 2], counts: [1, 2, 1] }); // Uint8Array [0, 1, 1, 0]
 * ```
 */
export function decodeRunLengthMask(mask: RunLengthMask): Uint8Array {
  const [height, width] = mask.size;
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(width) || height < 0 || width < 0) {
    throw new FormatError(`Bad mask size [${mask.size}].`);
  }
  const total = height * width;
  let sum = 0;
  for (const count of mask.counts) {
    if (!Number.isSafeInteger(count) || count < 0) throw new FormatError(`Bad run length ${count} in the mask.`);
    sum += count;
  }
  if (sum !== total) {
    throw new FormatError(`The mask's counts add up to ${sum}, not ${total} (${height} × ${width}).`);
  }
  const out = new Uint8Array(total);
  let i = 0;
  for (const [k, count] of mask.counts.entries()) {
    if (k % 2 === 1) {
      for (let j = i; j < i + count; j++) out[(j % height) * width + Math.trunc(j / height)] = 1;
    }
    i += count;
  }
  return out;
}
