/**
 * IS-Net results (`isnet` pipeline) on screen: the foreground mask of an image in COCO's uncompressed run-length
 * encoding with its bounding box, area and coverage (docs/provider.md, "IS-Net pipeline"). The result's shape and the
 * mask's decoder (`IsnetOutput`, `decodeRunLengthMask`) are `@souk/protocol`'s; this module tells such a result from
 * others and colours its pixels.
 */
import type { IsnetOutput } from '@souk/protocol';

/** Whether a result is an IS-Net mask. */
export function isIsnetOutput(output: unknown): output is IsnetOutput {
  const o = output as Partial<IsnetOutput> | null;
  return (
    typeof o?.width === 'number' &&
    typeof o.height === 'number' &&
    Array.isArray(o.mask?.size) &&
    Array.isArray(o.mask?.counts)
  );
}

/** An RGBA colour, each channel 0…255. */
export type Rgba = [number, number, number, number];

/**
 * RGBA pixels of a mask, for a canvas `ImageData` (e.g. over the image: background dimmed, foreground clear).
 * @param pixels - From `decodeRunLengthMask` (`@souk/protocol`), one byte per pixel, row-major.
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
