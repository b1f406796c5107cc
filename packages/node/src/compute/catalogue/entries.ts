/**
 * The catalogue's entries, in publishing order (OCR first: its asset id is the devnet's sample model). A new model
 * adds its module here.
 */
import { entry as isnet } from './isnet.ts';
import { entry as ocr } from './ocr.ts';
import type { CatalogueEntry } from './types.ts';
import { entry as vad } from './vad.ts';
import { entry as wakeword } from './wakeword.ts';

/** Every model of the catalogue. */
export const catalogue: readonly CatalogueEntry[] = [ocr, vad, isnet, wakeword];

/** The keys `SOUK_CATALOGUE` accepts. */
export const catalogueKeys: readonly string[] = catalogue.map((e) => e.key);
