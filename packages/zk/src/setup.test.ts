import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { GeneratedCircuit } from './circuit.ts';
import {
  compileCircuit,
  devPowersOfTau,
  ptauPower,
  releaseCurve,
  requiredPower,
  SetupError,
  setupCircuit,
} from './setup.ts';

/** A tiny circuit: `out` = `in` range-checked to 20 bits (21 constraints). */
const tiny = (extra = ''): GeneratedCircuit => {
  const source = `pragma circom 2.1.0;
include "circomlib/circuits/bitify.circom";
template T() { signal input in; signal output out; component b = Num2Bits(20); b.in <== in; out <== in * in; ${extra} }
component main = T();
`;
  return {
    source,
    hash: `tiny${extra.length}`,
    publicSignals: ['out'],
    modelCommitment: 0n,
    features: 1,
    classes: 1,
    modelSize: 0,
  };
};

describe('Groth16 setup', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'souk-zk-setup-'));
  after(async () => {
    await releaseCurve();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sizes the powers of tau as snarkjs does', () => {
    assert.equal(requiredPower(3019, 7), 12);
    assert.equal(requiredPower(4088, 7), 12);
    assert.equal(requiredPower(4089, 7), 13);
  });

  it('makes a development powers of tau once per power and reuses it (a larger one serves a smaller power)', async () => {
    const cache = path.join(dir, 'ptau');
    const first = await devPowersOfTau(cache, 5);
    assert.deepEqual(first, { kind: 'development', path: path.join(cache, 'souk-dev-pot5.ptau'), power: 5 });
    const made = statSync(first.path).mtimeMs;
    const t = performance.now();
    assert.deepEqual(await devPowersOfTau(cache, 5), first);
    assert.deepEqual(await devPowersOfTau(cache, 4), first);
    assert.ok(performance.now() - t < 100, 'served from the cache');
    assert.equal(statSync(first.path).mtimeMs, made);
    await assert.rejects(devPowersOfTau(cache, 17), RangeError);
  });

  it('sets up a circuit on the cached development powers of tau, each time with new keys', async () => {
    const options = { workDir: path.join(dir, 'work'), ptauCacheDir: path.join(dir, 'ptau') };
    const a = await setupCircuit(tiny(), options);
    assert.equal(a.constraints, 21);
    assert.equal(a.ptau.kind, 'development');
    assert.equal(a.ptau.power, 5);
    assert.equal(a.dir, path.join(options.workDir, 'tiny0'));
    const b = await setupCircuit(tiny(), options);
    assert.notDeepEqual(b.verificationKey.vk_delta_2, a.verificationKey.vk_delta_2, 'a new phase-2 contribution');
  });

  it('refuses a ceremony file too small for the circuit, and a missing one', async () => {
    const cache = path.join(dir, 'small');
    const small = await devPowersOfTau(cache, 4);
    assert.equal(await ptauPower(small.path), 4);
    assert.equal(await ptauPower(path.join(import.meta.dirname, 'test', 'fixtures', 'dev-pot12.ptau')), 12);
    const big = tiny('signal s[16]; for (var i = 0; i < 16; i++) { s[i] <== in * i + out; }');
    await assert.rejects(setupCircuit(big, { workDir: path.join(dir, 'w2'), ptauFile: small.path }), (e) => {
      assert.ok(e instanceof SetupError);
      assert.match(e.message, /circuit too big/);
      return true;
    });
    await assert.rejects(
      setupCircuit(big, { workDir: path.join(dir, 'w2'), ptauFile: path.join(dir, 'none.ptau') }),
      SetupError,
    );
  });

  it('reports circom errors', async () => {
    await assert.rejects(
      compileCircuit('pragma circom 2.1.0;\ncomponent main = Missing();\n', path.join(dir, 'bad')),
      (e) => {
        assert.ok(e instanceof SetupError);
        assert.match(e.message, /circom failed: .*Missing/s);
        return true;
      },
    );
  });
});
