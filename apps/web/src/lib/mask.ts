/**
 * IS-Net results (`isnet` pipeline): the foreground mask of an image in COCO's uncompressed run-length encoding
 * (`pycocotools.mask`) with its bounding box, area and coverage (docs/provider.md, "IS-Net pipeline").
 *
 * The encoding lists the pixels in column-major order (down the first column, then the next) as alternating run
 * lengths of background and foreground, background first (a leading 0 when the first pixel is foreground); the counts
 * add up to `height × width`.
 */

/** A binary mask in COCO run-length encoding. */
export type RunLengthMask = {
  /** `[height, width]`, pixels (COCO order). */
  size: [number, number];
  /** Run lengths, background first. */
  counts: number[];
};

/** Output of an IS-Net job. */
export type IsnetOutput = {
  /** Image width, pixels. */
  width: number;
  /** Image height, pixels. */
  height: number;
  mask: RunLengthMask;
  /** Foreground pixels. */
  area: number;
  /** `area / (width × height)`, 0…1. */
  coverage: number;
  /** `[x, y, width, height]` of the foreground, pixels (COCO `bbox`); `null` when there is none. */
  box: [number, number, number, number] | null;
  /** Mean saliency of the foreground, 0…1. */
  confidence: number;
};

/** Whether a job's output is an IS-Net mask. */
export function isIsnetOutput(output: unknown): output is IsnetOutput {
  const o = output as Partial<IsnetOutput> | null;
  return (
    typeof o?.width === 'number' &&
    typeof o.height === 'number' &&
    Array.isArray(o.mask?.size) &&
    Array.isArray(o.mask?.counts)
  );
}

/**
 * Expands a run-length mask to one byte per pixel (1 foreground, 0 background), row-major.
 * @param mask - The mask.
 * @returns `height × width` bytes, pixel (x, y) at `y × width + x`.
 * @throws {Error} When a count is not a non-negative integer, or the counts do not add up to `height × width`.
 * @example
 * ```ts
 * decodeRunLengthMask({ size: [2, 2], counts: [1, 2, 1] }) // Uint8Array [0, 1, 1, 0]
 * ```
 */
export function decodeRunLengthMask(mask: RunLengthMask): Uint8Array {
  const [height, width] = mask.size;
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(width) || height < 0 || width < 0) {
    throw new Error(`Bad mask size [${mask.size}].`);
  }
  const total = height * width;
  const out = new Uint8Array(total);
  let i = 0;
  for (const [k, count] of mask.counts.entries()) {
    if (!Number.isSafeInteger(count) || count < 0) throw new Error(`Bad run length ${count} in the mask.`);
    if (i + count > total) break;
    if (k % 2 === 1) {
      for (let j = i; j < i + count; j++) out[(j % height) * width + Math.trunc(j / height)] = 1;
    }
    i += count;
  }
  const sum = mask.counts.reduce((a, b) => a + b, 0);
  if (sum !== total) throw new Error(`The mask's counts add up to ${sum}, not ${total} (${height} × ${width}).`);
  return out;
}

/** An RGBA colour, each channel 0…255. */
export type Rgba = [number, number, number, number];

/**
 * RGBA pixels of a mask, for a canvas `ImageData` (e.g. over the image: background dimmed, foreground clear).
 * @param pixels - From {@link decodeRunLengthMask}, row-major.
 * @param foreground - Colour of a foreground pixel.
 * @param background - Colour of a background pixel. @default transparent
 * @returns `4 × pixels.length` bytes.
 */
export function maskRgba(
  pixels: Uint8Array,
  foreground: Rgba,
  background: Rgba = [0, 0, 0, 0],
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(pixels.length * 4);
  for (let i = 0; i < pixels.length; i++) out.set(pixels[i] ? foreground : background, i * 4);
  return out;
}
