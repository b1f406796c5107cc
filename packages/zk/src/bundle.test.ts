/**
 * The zk artefact bundle of the 16→8→4 MLP: built once (one Groth16 setup on the committed 2^12 development ptau),
 * packed as a provider bundle and read back; the format refuses a tampered or incomplete bundle.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packBundle, unpackBundle } from '@souk/provider/bundle';
import { exportMlpToOnnx } from '@souk/provider/training';
import { type BuiltZkBundle, buildZkBundle, verifyZkBundle } from './bundle.ts';
import {
  parseQuantizedMlp,
  readZkBundle,
  serializeQuantizedMlp,
  ZK_BUNDLE_FILES,
  ZkBundleError,
} from './bundleFormat.ts';
import { modelCommitment } from './commitment.ts';
import { proveInference } from './prove.ts';
import { integerForward, quantizeInput } from './quantize.ts';
import { releaseCurve } from './setup.ts';
import { randomInputs, randomLayers } from './test/fixtures.ts';
import { checkInference } from './verify.ts';

const PTAU = path.join(import.meta.dirname, 'test', 'fixtures', 'dev-pot12.ptau');

describe('zk bundle', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'souk-zk-bundle-'));
  let built: BuiltZkBundle;

  before(async () => {
    const labels = Array.from({ length: 32 }, (_, i) => i % 4);
    built = await buildZkBundle({
      onnx: exportMlpToOnnx(randomLayers([16, 8, 4], 1)),
      calibration: randomInputs(64, 16, 2),
      testSet: { x: randomInputs(32, 16, 3), labels },
      workDir: work,
      ptauFile: PTAU,
    });
  });
  after(async () => {
    await releaseCurve();
    rmSync(work, { recursive: true, force: true });
  });

  it('ships the model, keys, verifier and a descriptor', async (t) => {
    const { files, descriptor, model } = built;
    t.diagnostic(`files: ${Object.keys(files).sort().join(', ')}; ${descriptor.constraints} constraints`);
    assert.deepEqual(Object.keys(files).sort(), Object.values(ZK_BUNDLE_FILES).sort());
    assert.equal(descriptor.modelCommitment, String(await modelCommitment(model)));
    assert.match(descriptor.circuitHash, /^[0-9a-f]{64}$/);
    assert.deepEqual(descriptor.ptau, { power: 12, source: 'ceremony' });
    assert.deepEqual(descriptor.publicSignals.slice(0, 3), ['modelCommitment', 'inputCommitment', 'class']);
    assert.equal(descriptor.publicSignals.length, 7);
    assert.equal(descriptor.quantization?.samples, 32);
    assert.match(new TextDecoder().decode(files['Verifier.sol']), /contract Groth16Verifier/);
  });

  it('round-trips through a provider bundle, and the read keys prove and verify', async () => {
    const packed = packBundle(built.files);
    assert.deepEqual(packBundle(unpackBundle(packed)), packed, 'deterministic bytes');
    const bundle = await verifyZkBundle(unpackBundle(packed));
    assert.deepEqual(bundle.descriptor, built.descriptor);
    assert.deepEqual(bundle.model, built.model);
    assert.deepEqual(
      serializeQuantizedMlp(parseQuantizedMlp(serializeQuantizedMlp(built.model))),
      serializeQuantizedMlp(built.model),
    );
    const xq = quantizeInput(bundle.model, randomInputs(1, 16, 7));
    const proof = await proveInference({ wasmPath: bundle.wasm, zkeyPath: bundle.zkey }, bundle.model, xq);
    const claim = await checkInference(bundle.verificationKey, proof, {
      modelCommitment: BigInt(bundle.descriptor.modelCommitment),
      input: xq,
    });
    assert.equal(claim?.class, integerForward(bundle.model, xq).class);
  });

  it('refuses a bundle whose files do not match zk.json', async () => {
    const files = { ...built.files };
    const model = JSON.parse(new TextDecoder().decode(files['model.json']));
    model.layers[0].weights[0] = model.layers[0].weights[0] === 1 ? 2 : 1;
    files['model.json'] = new TextEncoder().encode(JSON.stringify(model));
    assert.throws(() => readZkBundle(files), ZkBundleError);
    const { 'circuit.zkey': _zkey, ...missing } = built.files;
    assert.throws(() => readZkBundle(missing), /no circuit\.zkey/);
  });
});
