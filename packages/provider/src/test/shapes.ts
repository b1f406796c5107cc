/**
 * Test fixture: renders a shaded object (a filled shape with a radial light-to-dark gradient) on a plain background
 * with ImageMagick, and the object's true mask (Debian package `imagemagick`).
 */
import { execFileSync } from 'node:child_process';

/** One object to draw. */
export type ShapeScene = {
  /** Output PNG of the scene. */
  out: string;
  /** Output PNG of the true mask: white where the shape is, black elsewhere, no anti-aliasing. */
  truthOut: string;
  /** Canvas size, pixels. */
  width: number;
  height: number;
  /** Background colour (ImageMagick colour, e.g. `#dfe6ec`). */
  background: string;
  /** The shape, an ImageMagick `-draw` primitive in canvas pixels, e.g. `circle 300,240 300,110`. */
  primitive: string;
  /** The shape's bounding box `[x, y, width, height]`, where the gradient is laid. */
  box: [number, number, number, number];
  /** Gradient colours: centre (highlight) and rim (shadow). */
  light: string;
  dark: string;
};

/**
 * Draws a scene and its true mask.
 * @param binary - From `findImageMagick` (`imagemagick.ts`).
 * @param scene - What to draw.
 */
export function renderShape(binary: string, scene: ShapeScene): void {
  const { out, truthOut, width, height, background, primitive, box, light, dark } = scene;
  const [x, y, w, h] = box;
  const size = `${width}x${height}`;
  const png = ['-alpha', 'off', '-type', 'TrueColor', '-strip'];
  execFileSync(
    binary,
    [
      '-size',
      size,
      `xc:${background}`,
      '(',
      '-size',
      `${w}x${h}`,
      `radial-gradient:${light}-${dark}`,
      '-background',
      dark,
      '-extent',
      `${size}-${x}-${y}`,
      ')',
      '(',
      '-size',
      size,
      'xc:black',
      '-fill',
      'white',
      '-draw',
      primitive,
      ')',
      '-composite',
      ...png,
      `PNG24:${out}`,
    ],
    { timeout: 30_000 },
  );
  execFileSync(
    binary,
    ['-size', size, 'xc:black', '+antialias', '-fill', 'white', '-draw', primitive, ...png, `PNG24:${truthOut}`],
    { timeout: 30_000 },
  );
}
