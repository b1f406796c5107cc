/**
 * The `zk` pipeline through the job executor, on a zk bundle of the 16→8→4 MLP of `@souk/zk`'s tests (one Groth16
 * setup on the committed 2^12 development ptau, about 20–40 s here): a `.npy` and a JSON input each return the
 * integer forward pass's class with a proof that verifies against the bundle's key; a wrong-sized input is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isZkOutput, type ZkOutput } from '@souk/protocol';
import {
  buildZkBundle,
  decodePublicSignals,
  integerForward,
  proofFromBytes,
  quantizeInput,
  releaseCurve,
  verifyProof,
  type ZkBundleFiles,
} from '@souk/zk';
import { DEV_PTAU_12, randomInputs, randomLayers } from '@souk/zk/test-utils';
import { InvalidInputError } from '../errors.ts';
import { packBundle } from '../jobs/bundle.ts';
import { createJobExecutor } from '../jobs/execute.ts';
import { createRuntime } from '../runtime/createRuntime.ts';
import { exportMlpToOnnx } from '../training/index.ts';
import { writeNpy } from './npy.ts';

describe('zk pipeline', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'souk-zk-pipeline-'));
  const runtime = createRuntime();
  const executor = createJobExecutor({ runtime });
  let files: ZkBundleFiles;
  let bundle: Uint8Array;
  let model: Awaited<ReturnType<typeof buildZkBundle>>['model'];
  let verificationKey: unknown;

  before(async () => {
    const built = await buildZkBundle({
      onnx: exportMlpToOnnx(randomLayers([16, 8, 4], 1)),
      calibration: randomInputs(64, 16, 2),
      workDir: work,
      ptauFile: DEV_PTAU_12,
    });
    await releaseCurve();
    files = built.files;
    model = built.model;
    bundle = packBundle(files);
    verificationKey = JSON.parse(new TextDecoder().decode(files['verification_key.json']));
  });
  after(async () => {
    await runtime.close();
    await releaseCurve(); // the main thread's curve, from the checks of verifyProof
    rmSync(work, { recursive: true, force: true });
  });

  async function check(output: unknown, x: Float32Array): Promise<ZkOutput> {
    assert.ok(isZkOutput(output), 'a zk output');
    const ref = integerForward(model, quantizeInput(model, x));
    assert.equal(output.class, ref.class);
    assert.deepEqual(output.logits, ref.logits.map(Number));
    assert.equal(decodePublicSignals(output.zk.publicSignals).class, ref.class);
    const proof = proofFromBytes(Buffer.from(output.zk.proof.slice(2), 'hex'));
    assert.equal(await verifyProof(verificationKey, output.zk.publicSignals, proof), true);
    return output;
  }

  it('proves a .npy float32 input in the worker; the proof verifies and the class is the integer pass', async (t) => {
    const x = randomInputs(1, 16, 11);
    const input = writeNpy({ dtype: 'float32', dims: [16], data: x });
    const executed = await executor.execute({ pipeline: 'zk', bundle, input, deadlineMs: 120_000 });
    t.diagnostic(`prove in the worker: ${executed.durationMs.toFixed(0)} ms`);
    const output = await check(executed.output, x);
    assert.equal(executed.runtimeRecord.pipeline, 'zk');
    assert.equal(
      JSON.parse(new TextDecoder().decode(executed.result)).zk.proof,
      output.zk.proof,
      'the hash covers the proof',
    );
  });

  it('takes JSON {"input": [...]} too; two proofs of one input differ only in the proof bytes', async () => {
    const x = randomInputs(1, 16, 11);
    const input = new TextEncoder().encode(JSON.stringify({ input: Array.from(x) }));
    const a = (await executor.execute({ pipeline: 'zk', bundle, input, deadlineMs: 120_000 })).output as ZkOutput;
    const b = (await executor.execute({ pipeline: 'zk', bundle, input, deadlineMs: 120_000 })).output as ZkOutput;
    await check(a, x);
    assert.notEqual(a.zk.proof, b.zk.proof);
    assert.deepEqual({ ...a, zk: { ...a.zk, proof: '' } }, { ...b, zk: { ...b.zk, proof: '' } });
  });

  it('refuses an input of the wrong size before the worker', async () => {
    const input = new TextEncoder().encode(JSON.stringify({ input: [1, 2, 3] }));
    await assert.rejects(executor.execute({ pipeline: 'zk', bundle, input }), InvalidInputError);
  });
});
