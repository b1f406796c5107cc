/**
 * Bundles from folders: deterministic bytes (same files → same SHA-256 whatever the times, permissions and creation
 * order), what providers read back, pipeline inference, layout checks and the refusals.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { unpackBundle } from '@souk/provider';
import {
  buildFolderBundle,
  checkBundleLayout,
  entryModel,
  inferPipeline,
  MAX_BUNDLE_NAME_BYTES,
  readBundleFolder,
} from './bundle.ts';
import { UsageError } from './errors.ts';

const root = mkdtempSync(path.join(tmpdir(), 'souk-bundle-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A new folder holding `files` (written in the given order; `/` makes subfolders). */
function folder(files: Record<string, string | Uint8Array>): string {
  const dir = path.join(root, `f${folders++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const OCR_FILES = { 'detection.onnx': 'det', 'recognition.onnx': 'rec', 'dictionary.txt': 'a\nb\n' };

describe('buildFolderBundle', () => {
  test('the same files give the same bytes and SHA-256, whatever their times, modes and creation order', async () => {
    const files = { 'model.onnx': new Uint8Array([8, 1, 2, 3]), 'notes/README.md': '# m\n', 'labels.txt': 'x\ny\n' };
    const a = folder(files);
    const reversed = Object.fromEntries(Object.entries(files).reverse());
    const b = folder(reversed);
    utimesSync(path.join(b, 'model.onnx'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
    chmodSync(path.join(b, 'labels.txt'), 0o600);
    const [first, again, other] = await Promise.all([
      buildFolderBundle({ dir: a, pipeline: 'onnx' }),
      buildFolderBundle({ dir: a, pipeline: 'onnx' }),
      buildFolderBundle({ dir: b, pipeline: 'onnx' }),
    ]);
    assert.deepEqual(again.bytes, first.bytes);
    assert.deepEqual(other.bytes, first.bytes);
    assert.equal(other.sha256, first.sha256);
    assert.equal(first.sha256, createHash('sha256').update(first.bytes).digest('hex'));
    assert.deepEqual(
      first.files.map((f) => f.name),
      ['labels.txt', 'model.onnx', 'notes/README.md'],
    );
  });

  test('pins the bundle format: a one-file folder has this exact SHA-256 (a change breaks every published hash)', async () => {
    const bundle = await buildFolderBundle({ dir: folder({ 'a.txt': 'a' }) });
    assert.equal(bundle.bytes.length, 10_240, 'one header + one data block, padded to a 10 KiB tar record');
    assert.equal(bundle.sha256, PINNED_ONE_FILE_SHA256);
  });

  test('different content gives a different SHA-256', async () => {
    const [a, b] = await Promise.all([
      buildFolderBundle({ dir: folder({ 'model.onnx': 'one' }) }),
      buildFolderBundle({ dir: folder({ 'model.onnx': 'two' }) }),
    ]);
    assert.notEqual(a.sha256, b.sha256);
  });

  test('providers read back exactly the folder’s files (unpackBundle)', async () => {
    const files = { ...OCR_FILES, 'classifier.onnx': new Uint8Array(1500).fill(7), 'sub/dir/x.bin': 'x' };
    const bundle = await buildFolderBundle({ dir: folder(files) });
    const read = unpackBundle(bundle.bytes);
    assert.deepEqual(Object.keys(read).sort(), Object.keys(files).sort());
    for (const [name, content] of Object.entries(files)) {
      assert.deepEqual(read[name], typeof content === 'string' ? new TextEncoder().encode(content) : content, name);
    }
  });

  test('infers the pipeline from the file names, and the entry model from the pipeline', async () => {
    const onnx = await buildFolderBundle({ dir: folder({ 'model.onnx': 'm', 'vocab.txt': 'v' }) });
    assert.equal(onnx.pipeline, 'onnx');
    assert.equal(onnx.entry, 'model.onnx');
    const ocr = await buildFolderBundle({ dir: folder(OCR_FILES) });
    assert.equal(ocr.pipeline, 'ocr');
    assert.equal(ocr.entry, 'detection.onnx');
    const none = await buildFolderBundle({ dir: folder({ 'weights.bin': 'w' }) });
    assert.equal(none.pipeline, undefined);
    assert.equal(none.entry, undefined);
    const dataset = await buildFolderBundle({ dir: folder({ 'model.onnx': 'm' }), infer: false });
    assert.equal(dataset.pipeline, undefined, 'no inference for a dataset');
  });

  test('refuses a bundle without the files its pipeline reads, naming them', async () => {
    await assert.rejects(
      buildFolderBundle({ dir: folder({ 'detection.onnx': 'd', 'recognition.onnx': 'r' }), pipeline: 'ocr' }),
      (error: Error) =>
        error instanceof UsageError &&
        /^A ocr bundle needs detection\.onnx, recognition\.onnx, dictionary\.txt \(optional: classifier\.onnx\); it has no dictionary\.txt \(files: detection\.onnx, recognition\.onnx\)\.$/.test(
          error.message,
        ),
    );
    await assert.rejects(
      buildFolderBundle({ dir: folder({ 'weights.bin': 'w' }), pipeline: 'onnx' }),
      /A onnx bundle needs model\.onnx; it has no model\.onnx/,
    );
  });

  test('refuses a pipeline no provider runs', async () => {
    await assert.rejects(
      buildFolderBundle({ dir: folder({ 'model.onnx': 'm' }), pipeline: 'tts' }),
      /--pipeline: no provider runs "tts" \(pipelines: .*onnx/,
    );
  });
});

describe('readBundleFolder', () => {
  test('refuses symbolic links, empty files, an empty folder and names a ustar header cannot hold', async () => {
    const linked = folder({ 'model.onnx': 'm' });
    symlinkSync(path.join(linked, 'model.onnx'), path.join(linked, 'alias.onnx'));
    await assert.rejects(readBundleFolder(linked), /alias\.onnx is a symbolic link/);
    await assert.rejects(readBundleFolder(folder({ 'model.onnx': 'm', 'empty.txt': '' })), /empty\.txt is empty/);
    await assert.rejects(readBundleFolder(folder({})), /holds no files to bundle/);
    const long = `${'n'.repeat(MAX_BUNDLE_NAME_BYTES - 4)}.txt`;
    assert.equal(Object.keys(await readBundleFolder(folder({ [long]: 'ok' }))).length, 1, '100 bytes fit');
    await assert.rejects(readBundleFolder(folder({ [`x${long}`]: 'no' })), /file names are at most 100 bytes/);
  });
});

describe('layouts', () => {
  test('inferPipeline prefers onnx, then ocr, and needs every required file', () => {
    assert.equal(inferPipeline(['model.onnx']), 'onnx');
    assert.equal(inferPipeline(Object.keys(OCR_FILES)), 'ocr');
    assert.equal(inferPipeline(['detection.onnx', 'recognition.onnx']), undefined);
  });

  test('checkBundleLayout does not check a pipeline whose layout is not known here', () => {
    assert.doesNotThrow(() => checkBundleLayout('vad', ['silero.onnx']));
  });

  test('entryModel: --entry, else the pipeline’s, else the only .onnx file', () => {
    assert.equal(entryModel('ocr', ['a.onnx', 'detection.onnx'], 'a.onnx'), 'a.onnx');
    assert.throws(() => entryModel('ocr', ['detection.onnx'], 'nope.onnx'), /--entry: the bundle has no nope\.onnx/);
    assert.equal(entryModel('vad', ['silero.onnx', 'README.md']), 'silero.onnx');
    assert.equal(entryModel('vad', ['a.onnx', 'b.onnx']), undefined);
    assert.equal(entryModel(undefined, ['a.onnx']), 'a.onnx');
  });
});

/** SHA-256 of the bundle of a folder holding only `a.txt` = "a" (ustar via nanotar, mtime 0, mode 644, uid/gid 0;
 * Python's tarfile reads it back as exactly that). */
const PINNED_ONE_FILE_SHA256 = 'd3d0e8b9c0ecbc4df71032991ef5475fabdb41b1daa9f20e48d5ba819d46c946';
