/**
 * Test fixture: renders images of known text with ImageMagick and the DejaVu fonts (Debian packages `imagemagick`
 * and `fonts-dejavu-core`).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';

/** Candidates, best first: the Debian ImageMagick 6 binary, then ImageMagick 7's `magick`. */
const CANDIDATES = ['/usr/bin/convert', '/usr/bin/magick', '/usr/local/bin/magick', '/opt/homebrew/bin/magick'];

function isImageMagick(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return /ImageMagick/.test(execFileSync(path, ['-version'], { encoding: 'utf8', timeout: 10_000 }));
  } catch {
    return false;
  }
}

/**
 * The real ImageMagick binary (`IMAGEMAGICK` env var, else /usr/bin/convert, else `magick`).
 * @throws {Error} With installation instructions, when none is found.
 */
export function findImageMagick(): string {
  const candidates = [process.env.IMAGEMAGICK, ...CANDIDATES].filter((p): p is string => Boolean(p));
  const found = candidates.find(isImageMagick);
  if (!found) {
    throw new Error(
      `ImageMagick not found (tried ${candidates.join(', ')}). Install it: apt-get install -y imagemagick fonts-dejavu-core, or set IMAGEMAGICK to the convert/magick binary.`,
    );
  }
  return found;
}

/**
 * Path of a DejaVu font file.
 * @throws {Error} When the font is missing.
 */
export function dejavuFont(file: string): string {
  const path = join(FONT_DIR, file);
  if (!existsSync(path)) throw new Error(`Font ${path} not found. Install it: apt-get install -y fonts-dejavu-core`);
  return path;
}

/**
 * Renders black text on white to a PNG.
 * @param binary - From {@link findImageMagick}.
 * @param out - Output PNG path.
 * @param text - The text, lines separated by `\n`.
 * @param font - A font file.
 * @param pointSize - Font size in pixels (at 72 dpi, points = pixels).
 * @param rotate - Degrees to rotate the finished image by. @default 0
 */
export function renderText(
  binary: string,
  {
    out,
    text,
    font,
    pointSize,
    rotate = 0,
  }: { out: string; text: string; font: string; pointSize: number; rotate?: number },
): void {
  const args = [
    '-density',
    '72',
    '-background',
    'white',
    '-fill',
    'black',
    '-font',
    font,
    '-pointsize',
    String(pointSize),
    '-interline-spacing',
    String(Math.round(pointSize / 3)),
    `label:${text}`,
    '-bordercolor',
    'white',
    '-border',
    String(Math.round(pointSize * 0.75)),
    ...(rotate ? ['-rotate', String(rotate)] : []),
    '-alpha',
    'off',
    '-type',
    'TrueColor',
    '-strip',
    `PNG24:${out}`,
  ];
  execFileSync(binary, args, { timeout: 30_000 });
}

/**
 * Levenshtein distance between two strings, by code point (unit costs for insertion, deletion, substitution).
 */
export function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length];
}
