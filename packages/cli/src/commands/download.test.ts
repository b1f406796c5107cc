/** `souk download`'s default file name (safeFileName): from the manifest's name, never a path or a hidden file. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeFileName } from './download.ts';

test('safeFileName keeps a plain file name as it is', () => {
  assert.equal(safeFileName({ name: 'receipts-2026.csv' }, 1n), 'receipts-2026.csv');
});

test('safeFileName turns each run of other characters into one dash and drops accents', () => {
  assert.equal(safeFileName({ name: 'Q3 report: sales/€ (final)' }, 1n), 'Q3-report-sales-final');
  assert.equal(safeFileName({ name: 'Café  crème' }, 1n), 'Cafe-creme');
});

test('safeFileName never yields a path, a hidden file or an option look-alike', () => {
  assert.equal(safeFileName({ name: '../../etc/passwd' }, 3n), 'etc-passwd');
  assert.equal(safeFileName({ name: '.bashrc' }, 3n), 'bashrc');
  assert.equal(safeFileName({ name: '--force' }, 3n), 'force');
  assert.equal(safeFileName({ name: 'C:\\Windows\\x' }, 3n), 'C-Windows-x');
});

test('safeFileName falls back to asset-<id> when nothing usable is left', () => {
  assert.equal(safeFileName({ name: '' }, 7n), 'asset-7');
  assert.equal(safeFileName({ name: '../..' }, 7n), 'asset-7');
  assert.equal(safeFileName({ name: '模型' }, 7n), 'asset-7');
});

test('safeFileName caps the length at 100 characters', () => {
  assert.equal(safeFileName({ name: 'a'.repeat(300) }, 1n).length, 100);
});

test('safeFileName gives an ONNX model without an extension .onnx', () => {
  const runtime = { engine: 'onnxruntime', pipeline: 'onnx' };
  assert.equal(safeFileName({ name: 'direction classifier', runtime }, 1n), 'direction-classifier.onnx');
  assert.equal(safeFileName({ name: 'cls.onnx', runtime }, 1n), 'cls.onnx');
  assert.equal(
    safeFileName({ name: 'PaddleOCR', runtime: { engine: 'onnxruntime', pipeline: 'ocr' } }, 1n),
    'PaddleOCR',
  );
});
