import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import { bundleFile, isTar, packBundle, unpackBundle } from './bundle.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

test('a bundle round-trips its files and is byte-identical whatever the insertion order', () => {
  const a = packBundle({
    'recognition.onnx': bytes('rec'),
    'detection.onnx': bytes('det'),
    'dictionary.txt': bytes('a\nb\n'),
  });
  const b = packBundle({
    'dictionary.txt': bytes('a\nb\n'),
    'detection.onnx': bytes('det'),
    'recognition.onnx': bytes('rec'),
  });
  assert.deepEqual(a, b);
  assert.ok(isTar(a));
  const files = unpackBundle(a);
  assert.deepEqual(Object.keys(files).sort(), ['detection.onnx', 'dictionary.txt', 'recognition.onnx']);
  assert.equal(new TextDecoder().decode(files['dictionary.txt']), 'a\nb\n');
});

test('a bare model is read as model.onnx', () => {
  const model = new Uint8Array(600).fill(7);
  assert.equal(isTar(model), false);
  assert.deepEqual(Object.keys(unpackBundle(model)), ['model.onnx']);
});

test('a missing file is a clear InvalidInputError naming the file and the pipeline', () => {
  const files = unpackBundle(packBundle({ 'detection.onnx': bytes('det') }));
  assert.throws(
    () => bundleFile(files, 'recognition.onnx', 'ocr'),
    (error: unknown) => {
      assert.ok(error instanceof InvalidInputError);
      assert.match((error as Error).message, /ocr bundle has no recognition\.onnx/);
      return true;
    },
  );
});
