/**
 * End to end on a 16→8→4 MLP: circuit output = JS integer reference; proofs verify in JS and on an anvil; tampered
 * proofs and signals fail. One Groth16 setup (about 40 s here) on the committed development powers of tau 2^12
 * (made by `devPowersOfTau`; passed as a ceremony file to exercise that path), so the suite needs no ptau run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { anvilFixture } from '@souk/contracts/test-utils';
import { exportMlpToOnnx } from '@souk/provider/training';
import * as snarkjs from 'snarkjs';
import { encodeFunctionData } from 'viem';
import { type GeneratedCircuit, generateCircuit } from './circuit.ts';
import { FIELD, inputCommitment, modelCommitment } from './commitment.ts';
import { readOnnxMlp } from './onnxMlp.ts';
import { proveInference, type ZkProof } from './prove.ts';
import { integerForward, type QuantizedMlp, quantizeInput, quantizeMlp } from './quantize.ts';
import { releaseCurve, setupCircuit, type ZkArtifacts } from './setup.ts';
import { compileVerifier } from './solidity.ts';
import { randomInputs, randomLayers } from './test/fixtures.ts';
import {
  checkInference,
  decodePublicSignals,
  proofFromBytes,
  proofToBytes,
  solidityProof,
  verifyProof,
} from './verify.ts';

const PTAU = path.join(import.meta.dirname, 'test', 'fixtures', 'dev-pot12.ptau');
const field = (v: bigint) => ((v % FIELD) + FIELD) % FIELD;

describe('zk inference proofs of a 16→8→4 int8 MLP', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'souk-zk-'));
  let q: QuantizedMlp;
  let circuit: GeneratedCircuit;
  let artifacts: ZkArtifacts;
  const inputs: Int8Array[] = [];
  const proofs: ZkProof[] = [];

  before(async () => {
    const model = readOnnxMlp(exportMlpToOnnx(randomLayers([16, 8, 4], 1)));
    q = quantizeMlp(model, randomInputs(64, 16, 2));
    circuit = await generateCircuit(q);
    artifacts = await setupCircuit(circuit, { workDir: work, ptauFile: PTAU });
    const x = randomInputs(4, 16, 9);
    for (let i = 0; i < 4; i++) inputs.push(quantizeInput(q, x.subarray(i * 16, (i + 1) * 16)));
    // A crafted input: extreme values, negative ones included (the range check admits -128…127).
    inputs.push(Int8Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? -128 : i % 3 === 1 ? 127 : -5)));
  });
  after(async () => {
    await releaseCurve();
    rmSync(work, { recursive: true, force: true });
  });

  it('sets up keys for this circuit', (t) => {
    t.diagnostic(
      `${artifacts.constraints} constraints; compile ${artifacts.timings.compileMs.toFixed(0)} ms, ` +
        `Groth16 setup ${artifacts.timings.zkeyMs.toFixed(0)} ms`,
    );
    assert.equal(artifacts.circuitHash, circuit.hash);
    assert.ok(artifacts.constraints > 1000 && artifacts.constraints < 4096, `${artifacts.constraints}`);
    assert.equal(artifacts.publicSignals, 3 + 4);
    assert.equal((artifacts.verificationKey as { nPublic: number }).nPublic, 7);
    assert.match(artifacts.verifierSource, /contract Groth16Verifier/);
  });

  it('the circuit computes the JS integer reference, and the commitments of commitment.ts', async (t) => {
    const times: number[] = [];
    for (const xq of inputs) {
      const ref = integerForward(q, xq);
      const proof = await proveInference(artifacts, q, xq);
      times.push(proof.ms);
      proofs.push(proof);
      assert.deepEqual(proof.publicSignals, [
        String(await modelCommitment(q)),
        String(await inputCommitment(xq)),
        String(ref.class),
        ...ref.logits.map((v) => String(field(v))),
      ]);
      const claim = decodePublicSignals(proof.publicSignals);
      assert.deepEqual(claim.logits, ref.logits);
    }
    assert.ok(
      inputs.some((xq) => integerForward(q, xq).logits.some((v) => v < 0n)),
      'some logit is negative (the field encoding is exercised)',
    );
    t.diagnostic(`prove ms: ${times.map((v) => v.toFixed(0)).join(', ')}`);
  });

  it('proofs verify in JS; a tampered proof or public signal does not', async (t) => {
    const { proof, publicSignals } = proofs[0] as ZkProof;
    const t0 = performance.now();
    assert.equal(await verifyProof(artifacts.verificationKey, publicSignals, proof), true);
    t.diagnostic(`JS verify ${(performance.now() - t0).toFixed(0)} ms`);
    const other = proofs[1] as ZkProof;
    assert.equal(await verifyProof(artifacts.verificationKey, other.publicSignals, other.proof), true);
    // Another class claimed, another input commitment, a logit changed, or one proof's signals with another proof.
    const claimed = [...publicSignals];
    claimed[2] = String((Number(claimed[2]) + 1) % 4);
    assert.equal(await verifyProof(artifacts.verificationKey, claimed, proof), false);
    const input = [...publicSignals];
    input[1] = String(BigInt(input[1] as string) + 1n);
    assert.equal(await verifyProof(artifacts.verificationKey, input, proof), false);
    const logit = [...publicSignals];
    logit[5] = String((BigInt(logit[5] as string) + 1n) % FIELD);
    assert.equal(await verifyProof(artifacts.verificationKey, logit, proof), false);
    assert.equal(await verifyProof(artifacts.verificationKey, other.publicSignals, proof), false);
    const tampered = structuredClone(proof);
    tampered.pi_a[0] = String((BigInt(tampered.pi_a[0] as string) + 1n) % FIELD);
    assert.equal(await verifyProof(artifacts.verificationKey, publicSignals, tampered), false);
    const swapped = { ...proof, pi_c: other.proof.pi_c };
    assert.equal(await verifyProof(artifacts.verificationKey, publicSignals, swapped), false);
    // checkInference: the caller's own model commitment and input.
    const xq = inputs[0] as Int8Array;
    const expected = { modelCommitment: await modelCommitment(q), input: xq };
    assert.equal(
      (await checkInference(artifacts.verificationKey, proofs[0] as ZkProof, expected))?.class,
      integerForward(q, xq).class,
    );
    assert.equal(
      await checkInference(artifacts.verificationKey, proofs[0] as ZkProof, {
        ...expected,
        input: inputs[1] as Int8Array,
      }),
      undefined,
    );
    assert.equal(
      await checkInference(artifacts.verificationKey, proofs[0] as ZkProof, { ...expected, modelCommitment: 1n }),
      undefined,
    );
  });

  it('encodes a proof as Solidity calldata and as 256 bytes', async () => {
    const { proof, publicSignals } = proofs[0] as ZkProof;
    const sol = solidityProof(proof, publicSignals);
    const exported = JSON.parse(
      `[${await snarkjs.groth16.exportSolidityCallData(proof, publicSignals)}]`,
    ) as string[][];
    assert.deepEqual(
      [sol.a, sol.b, sol.c, sol.input].map((x) =>
        JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16).padStart(64, '0')}` : v)),
      ),
      exported.map((x) => JSON.stringify(x)),
    );
    const bytes = proofToBytes(proof);
    assert.equal(bytes.length, 256);
    assert.equal(await verifyProof(artifacts.verificationKey, publicSignals, proofFromBytes(bytes)), true);
    bytes[255] = (bytes[255] as number) ^ 1;
    assert.equal(await verifyProof(artifacts.verificationKey, publicSignals, proofFromBytes(bytes)), false);
  });

  it('the keys are pinned to this model: another model cannot be proven with them', async () => {
    const changed: QuantizedMlp = structuredClone(q);
    const w = changed.layers[0]?.weights as Int8Array;
    w[0] = (w[0] as number) === 127 ? 126 : (w[0] as number) + 1;
    assert.notEqual(await modelCommitment(changed), await modelCommitment(q));
    assert.notEqual((await generateCircuit(changed)).hash, circuit.hash);
    await assert.rejects(proveInference(artifacts, changed, inputs[0] as Int8Array), /Assert Failed|assert/i);
  });

  it('verifies on chain (solc-js + anvil): true for a valid proof, false for a tampered one, gas of a verifying transaction', async (t) => {
    const { verifier, check } = compileVerifier(artifacts.verifierSource, artifacts.publicSignals);
    const chain = await anvilFixture();
    try {
      const wallet = chain.wallet(0);
      const deploy = async (c: typeof verifier, args: unknown[] = []) => {
        const hash = await wallet.deployContract({ abi: c.abi, bytecode: c.bytecode, args });
        const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
        assert.equal(receipt.status, 'success');
        return receipt.contractAddress as `0x${string}`;
      };
      const verifierAddress = await deploy(verifier);
      const checkAddress = await deploy(check, [verifierAddress]);
      const args = (z: ZkProof) => {
        const s = solidityProof(z.proof, z.publicSignals);
        return [s.a, s.b, s.c, s.input] as const;
      };
      const read = (a: ReturnType<typeof args>) =>
        chain.publicClient.readContract({
          address: verifierAddress,
          abi: verifier.abi,
          functionName: 'verifyProof',
          args: a,
        });
      for (const z of proofs) assert.equal(await read(args(z)), true);
      const [a, b, c, input] = args(proofs[0] as ZkProof);
      const wrongClass = input.map((v, i) => (i === 2 ? (v + 1n) % 4n : v));
      assert.equal(await read([a, b, c, wrongClass]), false);
      assert.equal(await read([[a[0], (a[1] + 1n) % FIELD], b, c, input]), false);
      // A transaction straight to verifyProof, with gas given: an estimate would be wrong (short of gas the pairing
      // precompile fails and the verifier returns false instead of reverting, so the estimate is that of a false).
      const direct = await chain.publicClient.waitForTransactionReceipt({
        hash: await wallet.sendTransaction({
          to: verifierAddress,
          data: encodeFunctionData({ abi: verifier.abi, functionName: 'verifyProof', args: [a, b, c, input] }),
          gas: 1_000_000n,
        }),
      });
      assert.equal(direct.status, 'success');
      // ZkCheck.check requires true (and counts): the second call is the steady state (counter 1 → 2).
      const checked: bigint[] = [];
      for (const z of proofs.slice(0, 2)) {
        const hash = await wallet.writeContract({
          address: checkAddress,
          abi: check.abi,
          functionName: 'check',
          args: args(z),
        });
        const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
        assert.equal(receipt.status, 'success');
        checked.push(receipt.gasUsed);
      }
      assert.equal(
        await chain.publicClient.readContract({ address: checkAddress, abi: check.abi, functionName: 'verified' }),
        2n,
      );
      await assert.rejects(
        chain.publicClient.simulateContract({
          address: checkAddress,
          abi: check.abi,
          functionName: 'check',
          args: [a, b, c, wrongClass],
          account: chain.accounts[0]?.account,
        }),
        /InvalidProof/,
      );
      t.diagnostic(
        `on-chain gasUsed (${artifacts.publicSignals} public signals; intrinsic 21,000 and calldata included): ` +
          `verifyProof transaction ${direct.gasUsed}; ZkCheck.check (require true + counter) ${checked.join(', ')}`,
      );
      assert.ok(direct.gasUsed > 150_000n && direct.gasUsed < 400_000n, `${direct.gasUsed}`);
    } finally {
      await chain.stop();
    }
  });
});
