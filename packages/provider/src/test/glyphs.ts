/**
 * Test fixture: a real glyph dataset — the digits 0–9 and the letters A–Z rendered by ImageMagick in every DejaVu face (Debian
 * `fonts-dejavu-core`, 21 text faces) at several sizes, as 16×16 grayscale images (ink = 255). Faces can be held out
 * of training to measure how a classifier generalises to unseen fonts.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findImageMagick } from './imagemagick.ts';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';

/** Side of a glyph image, pixels. */
export const GLYPH_SIZE = 16;

/** The characters rendered, in label order: label `i` is `GLYPH_CLASSES[i]`. */
export const GLYPH_CLASSES = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** One rendered glyph. */
export type Glyph = { font: string; pointSize: number; label: number; pixels: Uint8Array };

/** The DejaVu text faces installed, sorted by file name (the math face is left out: it has no distinct digits). */
export function dejavuFaces(): string[] {
  return readdirSync(FONT_DIR)
    .filter((f) => f.endsWith('.ttf') && !f.includes('Math'))
    .sort();
}

/**
 * Renders {@link GLYPH_CLASSES} in each face and size: one ImageMagick call per (face, size) draws them side by
 * side, then each 16×16 cell is cut out.
 * @param pointSizes - Font sizes, pixels at 72 dpi. @default [12, 14]
 */
export function renderGlyphs(pointSizes: readonly number[] = [12, 14]): Glyph[] {
  const binary = findImageMagick();
  const S = GLYPH_SIZE;
  const glyphs: Glyph[] = [];
  for (const font of dejavuFaces()) {
    for (const pointSize of pointSizes) {
      const k = GLYPH_CLASSES.length;
      const args = ['-size', `${S * k}x${S}`, 'xc:white', '-font', join(FONT_DIR, font)];
      args.push('-pointsize', String(pointSize), '-fill', 'black', '-gravity', 'West');
      for (let d = 0; d < k; d++) args.push('-annotate', `+${d * S + 3}+0`, GLYPH_CLASSES[d] as string);
      args.push('-depth', '8', 'gray:-');
      const strip = execFileSync(binary, args, { timeout: 30_000, maxBuffer: 1 << 20 });
      for (let d = 0; d < k; d++) {
        const pixels = new Uint8Array(S * S);
        for (let y = 0; y < S; y++) {
          for (let x = 0; x < S; x++) pixels[y * S + x] = 255 - (strip[y * S * k + d * S + x] as number);
        }
        glyphs.push({ font, pointSize, label: d, pixels });
      }
    }
  }
  return glyphs;
}

/**
 * Packs glyphs as rows of a dataset.
 * @returns `samples` (uint8, `[N, 16, 16]` row-major) and `labels`.
 */
export function packGlyphs(glyphs: readonly Glyph[]): { samples: Uint8Array; labels: Int32Array } {
  const samples = new Uint8Array(glyphs.length * GLYPH_SIZE * GLYPH_SIZE);
  glyphs.forEach((g, i) => {
    samples.set(g.pixels, i * GLYPH_SIZE * GLYPH_SIZE);
  });
  return { samples, labels: Int32Array.from(glyphs, (g) => g.label) };
}
