/**
 * Image operations for the OCR pipeline, in plain TypeScript so that every provider computes the same pixels: decoding
 * is the only step left to a library (sharp/libvips; PNG decoding is exact, JPEG follows libjpeg-turbo). Resizing and
 * cropping follow OpenCV's conventions (`cv2.resize` INTER_LINEAR, `cv2.warpPerspective` with BORDER_REPLICATE) that
 * PaddleOCR's Python code uses, computed in IEEE double precision and rounded to 8 bits.
 */
import sharp from 'sharp';
import { InvalidInputError } from '../errors.ts';

/** An 8-bit RGB image, pixels interleaved row by row. */
export type RgbImage = {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width × height × 3` bytes: R, G, B. */
  data: Uint8Array;
};

/** A point `[x, y]` in pixels. */
export type Point = [number, number];

/** Largest image accepted, in pixels (width × height), to bound memory: 50 megapixels. */
export const MAX_IMAGE_PIXELS = 50_000_000;

/**
 * Decodes PNG, JPEG (or any format libvips reads) to 8-bit RGB: EXIF orientation applied, alpha composited over
 * white, grey expanded to RGB.
 * @param bytes - The encoded image.
 * @returns The pixels.
 * @throws {InvalidInputError} When the bytes are not an image or the image exceeds {@link MAX_IMAGE_PIXELS}.
 */
export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' })
      .rotate()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels === 3) return { width: info.width, height: info.height, data: new Uint8Array(data) };
    const rgb = new Uint8Array(info.width * info.height * 3);
    for (let i = 0, n = info.width * info.height; i < n; i++) {
      const v = data[i * info.channels];
      rgb[i * 3] = v;
      rgb[i * 3 + 1] = v;
      rgb[i * 3 + 2] = v;
    }
    return { width: info.width, height: info.height, data: rgb };
  } catch (error) {
    throw new InvalidInputError('The input is not a readable image.', { details: (error as Error).message });
  }
}

/** Rounds half away from zero and clamps to 0…255. */
function toByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

/** Source index and weight for one destination coordinate, as OpenCV's INTER_LINEAR computes them. */
function linearTaps(dst: number, src: number): { i0: Int32Array; i1: Int32Array; w: Float64Array } {
  const scale = src / dst;
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const w = new Float64Array(dst);
  for (let d = 0; d < dst; d++) {
    let f = (d + 0.5) * scale - 0.5;
    let s = Math.floor(f);
    f -= s;
    if (s < 0) {
      s = 0;
      f = 0;
    }
    if (s >= src - 1) {
      s = src - 1;
      f = 0;
    }
    i0[d] = s;
    i1[d] = Math.min(s + 1, src - 1);
    w[d] = f;
  }
  return { i0, i1, w };
}

/**
 * Bilinear resize with half-pixel centres and edge clamping: OpenCV's `cv2.resize(..., INTER_LINEAR)` geometry, no
 * anti-aliasing (as PaddleOCR resizes).
 * @param image - Source image.
 * @param width - Target width in pixels, ≥ 1.
 * @param height - Target height in pixels, ≥ 1.
 * @returns The resized image.
 */
export function resizeBilinear(image: RgbImage, width: number, height: number): RgbImage {
  const xs = linearTaps(width, image.width);
  const ys = linearTaps(height, image.height);
  const out = new Uint8Array(width * height * 3);
  const src = image.data;
  const stride = image.width * 3;
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y] * stride;
    const r1 = ys.i1[y] * stride;
    const wy = ys.w[y];
    for (let x = 0; x < width; x++) {
      const c0 = xs.i0[x] * 3;
      const c1 = xs.i1[x] * 3;
      const wx = xs.w[x];
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[r0 + c0 + c] * (1 - wx) + src[r0 + c1 + c] * wx;
        const bottom = src[r1 + c0 + c] * (1 - wx) + src[r1 + c1 + c] * wx;
        out[o + c] = toByte(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return { width, height, data: out };
}

/**
 * Crops the quadrilateral `box` (top-left, top-right, bottom-right, bottom-left) to an upright image, as PaddleOCR's
 * `get_rotate_crop_image` does: size = the longer of each pair of opposite sides (truncated to integers), the box
 * mapped onto it, bilinear sampling with replicated borders; a crop at least 1.5 times taller than wide is turned 90°
 * counter-clockwise (vertical text). The mapping is the affine one through the top-left, top-right and bottom-left
 * corners, which equals the perspective one for the rectangles the DB post-process produces.
 * @param image - Source image.
 * @param box - Four corners in pixels, clockwise from top-left.
 * @returns The crop, at least 1 × 1 pixels.
 */
export function cropBox(image: RgbImage, box: readonly Point[]): RgbImage {
  const [p0, p1, p2, p3] = box;
  const dist = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const width = Math.max(1, Math.trunc(Math.max(dist(p0, p1), dist(p2, p3))));
  const height = Math.max(1, Math.trunc(Math.max(dist(p0, p3), dist(p1, p2))));
  // dst (u, v) → src = p0 + u/width · (p1 − p0) + v/height · (p3 − p0)
  const ux = (p1[0] - p0[0]) / width;
  const uy = (p1[1] - p0[1]) / width;
  const vx = (p3[0] - p0[0]) / height;
  const vy = (p3[1] - p0[1]) / height;
  const out = new Uint8Array(width * height * 3);
  const maxX = image.width - 1;
  const maxY = image.height - 1;
  const src = image.data;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const sx = Math.min(Math.max(p0[0] + u * ux + v * vx, 0), maxX);
      const sy = Math.min(Math.max(p0[1] + u * uy + v * vy, 0), maxY);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, maxX);
      const y1 = Math.min(y0 + 1, maxY);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (v * width + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[(y0 * image.width + x0) * 3 + c] * (1 - fx) + src[(y0 * image.width + x1) * 3 + c] * fx;
        const bottom = src[(y1 * image.width + x0) * 3 + c] * (1 - fx) + src[(y1 * image.width + x1) * 3 + c] * fx;
        out[o + c] = toByte(top * (1 - fy) + bottom * fy);
      }
    }
  }
  const crop = { width, height, data: out };
  return height / width >= 1.5 ? rotate90CounterClockwise(crop) : crop;
}

/**
 * Turns an image 180° (`cv2.rotate(img, cv2.ROTATE_180)`).
 * @param image - Source image.
 * @returns The rotated image.
 */
export function rotate180(image: RgbImage): RgbImage {
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const j = n - 1 - i;
    out[j * 3] = image.data[i * 3];
    out[j * 3 + 1] = image.data[i * 3 + 1];
    out[j * 3 + 2] = image.data[i * 3 + 2];
  }
  return { width: image.width, height: image.height, data: out };
}

/**
 * Turns an image 90° counter-clockwise (`np.rot90`).
 * @param image - Source image.
 * @returns The rotated image (width and height swapped).
 */
export function rotate90CounterClockwise(image: RgbImage): RgbImage {
  const { width, height } = image;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // (x, y) → (y, width − 1 − x) in an image `height` wide
      const o = ((width - 1 - x) * height + y) * 3;
      const i = (y * width + x) * 3;
      out[o] = image.data[i];
      out[o + 1] = image.data[i + 1];
      out[o + 2] = image.data[i + 2];
    }
  }
  return { width: height, height: width, data: out };
}

/**
 * Writes an image into a planar float tensor in BGR channel order (the order OpenCV loads images in, which PaddleOCR's
 * models were trained on), each value `(v / 255 − mean[c]) / std[c]`, and zero padding to the right up to `padWidth`.
 * @param image - The image.
 * @param mean - Per-channel mean, in B, G, R order, on the 0…1 scale.
 * @param std - Per-channel standard deviation, in B, G, R order.
 * @param padWidth - Width of the tensor, ≥ `image.width`. @default image.width
 * @returns `3 × image.height × padWidth` floats.
 */
export function toChwBgr(
  image: RgbImage,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
  padWidth = image.width,
): Float32Array {
  const { width, height, data } = image;
  const plane = height * padWidth;
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const o = y * padWidth + x;
      out[o] = (data[i + 2] / 255 - mean[0]) / std[0];
      out[plane + o] = (data[i + 1] / 255 - mean[1]) / std[1];
      out[2 * plane + o] = (data[i] / 255 - mean[2]) / std[2];
    }
  }
  return out;
}
