/**
 * Printing a salient-object segmentation result (`isnet` pipeline, IS-Net): the image size, the foreground's box,
 * area, coverage and mean confidence; and saving its mask (COCO run-length encoding) as a PNG.
 */
import { writeFile } from 'node:fs/promises';
import { decodeRunLengthMask, type IsnetOutput } from '@souk/provider';

/** Whether `output` is an IS-Net result `{ width, height, mask: { size, counts }, area, coverage, box, confidence }`. */
export function isIsnetOutput(output: unknown): output is IsnetOutput {
  const o = output as Partial<IsnetOutput> | null;
  return (
    Number.isSafeInteger(o?.width) &&
    Number.isSafeInteger(o?.height) &&
    Array.isArray(o?.mask?.size) &&
    o.mask.size.length === 2 &&
    Array.isArray(o.mask.counts) &&
    typeof o.area === 'number' &&
    typeof o.coverage === 'number' &&
    typeof o.confidence === 'number' &&
    (o.box === null || (Array.isArray(o.box) && o.box.length === 4))
  );
}

/**
 * The foreground's figures, one per line: image size, bounding box (`x, y, width × height`, pixels, COCO `bbox`),
 * area (pixels), coverage (percent of the image) and mean saliency over the foreground (0.5…1).
 * @param output - An IS-Net result.
 * @returns Lines to print.
 * @example
 * ```ts
 * formatIsnet(output)
 * // ['Foreground', '  image       640 × 480 px', '  box         x 170, y 110, 260 × 260 px', …]
 * ```
 */
export function formatIsnet(output: IsnetOutput): string[] {
  const { width, height, box, area, coverage, confidence } = output;
  return [
    'Foreground',
    `  image       ${width} × ${height} px`,
    `  box         ${box ? `x ${box[0]}, y ${box[1]}, ${box[2]} × ${box[3]} px` : 'none (no foreground found)'}`,
    `  area        ${area.toLocaleString('en-US')} px`,
    `  coverage    ${(coverage * 100).toFixed(2)} %`,
    `  confidence  ${confidence.toFixed(4)}`,
  ];
}

/**
 * Saves the foreground mask as an 8-bit greyscale PNG at the image's size: 255 foreground, 0 background (written by
 * sharp/libvips).
 * @param output - An IS-Net result.
 * @param file - Where to write the PNG.
 * @throws {FormatError} (`@souk/protocol`'s, from `decodeRunLengthMask`) when the run lengths do not add up to the
 * mask's size.
 * @example
 * ```ts
 * await writeIsnetMask(run.output, 'out/mask.png')
 * ```
 */
export async function writeIsnetMask(output: IsnetOutput, file: string): Promise<void> {
  const [height, width] = output.mask.size;
  const bits = decodeRunLengthMask(output.mask);
  const grey = Buffer.alloc(bits.length);
  for (let i = 0; i < bits.length; i++) grey[i] = bits[i] ? 255 : 0;
  const { default: sharp } = await import('sharp'); // loaded only when a mask is saved
  await writeFile(
    file,
    await sharp(grey, { raw: { width, height, channels: 1 } })
      .toColourspace('b-w') // one grey band (PNG colour type 0), not sRGB
      .png()
      .toBuffer(),
  );
}
