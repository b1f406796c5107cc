/**
 * The requester's own check of a zk result, on a proof of the 16→8→4 MLP of `@souk/zk`'s tests (one Groth16 setup
 * on the committed 2^12 development ptau, about 20–40 s here), shaped as the provider's `zk` pipeline returns it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ZkOutput } from '@souk/protocol';
import {
  type BuiltZkBundle,
  buildZkBundle,
  decodePublicSignals,
  proofToBytes,
  proveInference,
  quantizeInput,
  readZkBundle,
  releaseCurve,
} from '@souk/zk';
import { DEV_PTAU_12, randomInputs, randomMlpOnnx } from '@souk/zk/test-utils';
import { verifyZkResult, ZkVerificationError } from './verifyZkResult.ts';

describe('verifyZkResult', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'souk-sdk-zk-'));
  let built: BuiltZkBundle;
  let verificationKey: Record<string, unknown>;
  let output: ZkOutput;
  const x = Array.from(randomInputs(1, 16, 21));

  before(async () => {
    built = await buildZkBundle({
      onnx: randomMlpOnnx([16, 8, 4], 1),
      calibration: randomInputs(64, 16, 2),
      workDir: work,
      ptauFile: DEV_PTAU_12,
    });
    const bundle = readZkBundle(built.files);
    verificationKey = bundle.verificationKey;
    const { proof, publicSignals } = await proveInference(
      { wasmPath: bundle.wasm, zkeyPath: bundle.zkey },
      bundle.model,
      quantizeInput(bundle.model, x),
    );
    const claim = decodePublicSignals(publicSignals);
    output = {
      class: claim.class,
      logits: claim.logits.map(Number),
      zk: {
        protocol: 'groth16',
        curve: 'bn128',
        proof: `0x${Buffer.from(proofToBytes(proof)).toString('hex')}`,
        publicSignals,
        modelCommitment: String(claim.modelCommitment),
        inputCommitment: String(claim.inputCommitment),
        circuitHash: bundle.descriptor.circuitHash,
      },
    };
  });
  after(async () => {
    await releaseCurve();
    rmSync(work, { recursive: true, force: true });
  });

  const parameters = () => ({
    verificationKey,
    modelCommitment: built.descriptor.modelCommitment,
    input: x,
    inputScale: built.descriptor.inputScale,
    circuitHash: built.descriptor.circuitHash,
  });
  const rejects = (o: unknown, p: ReturnType<typeof parameters>, failure: string) =>
    assert.rejects(verifyZkResult(o, p), (e: unknown) => e instanceof ZkVerificationError && e.failure === failure);

  it('accepts the proven output (round-tripped through JSON, as a result arrives)', async () => {
    const verified = await verifyZkResult(JSON.parse(JSON.stringify(output)), parameters());
    assert.equal(verified.class, output.class);
    assert.deepEqual(verified.logits, output.logits);
    assert.equal(verified.inputCommitment, output.zk.inputCommitment);
  });

  it('rejects a tampered proof', async () => {
    const words = output.zk.proof.slice(2).match(/.{64}/g) as string[];
    [words[0], words[6]] = [words[6] as string, words[0] as string]; // swap a and c: valid points, wrong proof
    await rejects({ ...output, zk: { ...output.zk, proof: `0x${words.join('')}` } }, parameters(), 'proof');
  });

  it('rejects a model commitment other than the manifest one', async () => {
    await rejects(output, { ...parameters(), modelCommitment: '12345' }, 'modelCommitment');
  });

  it('rejects an input other than the one proved', async () => {
    await rejects(output, { ...parameters(), input: x.map((v, i) => (i === 0 ? v + 0.5 : v)) }, 'inputCommitment');
  });

  it('rejects a class edited in the output', async () => {
    await rejects({ ...output, class: (output.class + 1) % 4 }, parameters(), 'output');
  });

  it('rejects a class edited in the public signals too (the proof binds them)', async () => {
    const publicSignals = [...output.zk.publicSignals];
    publicSignals[2] = String((output.class + 1) % 4);
    await rejects(
      { ...output, class: (output.class + 1) % 4, zk: { ...output.zk, publicSignals } },
      parameters(),
      'proof',
    );
  });

  it('rejects what is not a zk result', async () => {
    await rejects({ tensors: {} }, parameters(), 'malformed');
  });
});
