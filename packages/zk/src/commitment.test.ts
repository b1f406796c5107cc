import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportMlpToOnnx } from '@souk/provider/training';
import {
  chainedPoseidon,
  commitValues,
  FIELD,
  modelCommitment,
  modelVector,
  packLayout,
  packValues,
  poseidonHasher,
} from './commitment.ts';
import { readOnnxMlp } from './onnxMlp.ts';
import { quantizeMlp } from './quantize.ts';
import { randomInputs, randomLayers } from './test/fixtures.ts';

describe('commitments', () => {
  it('packs offset values little-endian into 248-bit elements', () => {
    const { slots, elements } = packLayout([8, 8, 32, 248, 8]);
    assert.equal(elements, 3);
    assert.deepEqual(
      slots.map((s) => [s.element, s.offset]),
      [
        [0, 0],
        [0, 8],
        [0, 16],
        [1, 0],
        [2, 0],
      ],
    );
    assert.deepEqual(packValues([-128n, 127n, -1n], [8, 8, 32]), [0n + (255n << 8n) + ((2n ** 31n - 1n) << 16n)]);
    assert.throws(() => packValues([128n], [8]), RangeError);
    assert.throws(() => packValues([-129n], [8]), RangeError);
  });

  it('chains Poseidon over chunks of 15 after the element count', async () => {
    const p = await poseidonHasher();
    const h = (xs: bigint[]) => p.F.toObject(p(xs));
    const elements = Array.from({ length: 17 }, (_, i) => BigInt(i) * 1000n + 1n);
    const expected = h([h([17n, ...elements.slice(0, 15)]), ...elements.slice(15)]);
    assert.equal(await chainedPoseidon(elements), expected);
    assert.notEqual(await chainedPoseidon(elements.slice(0, 16)), expected);
    await assert.rejects(chainedPoseidon([FIELD]), RangeError);
    // Poseidon([1, 2]) of circomlibjs, the reference vector of the circom implementation.
    assert.equal(h([1n, 2n]), 7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });

  it('the model commitment covers every weight and bias and changes when one changes', async () => {
    const q = quantizeMlp(readOnnxMlp(exportMlpToOnnx(randomLayers([16, 8, 4], 1))), randomInputs(64, 16, 2));
    const { values, widths } = modelVector(q);
    assert.equal(values.length, 16 * 8 + 8 + 8 * 4 + 4);
    assert.equal(widths.filter((w) => w === 32).length, 12);
    const base = await modelCommitment(q);
    assert.equal(base, await commitValues(values, widths));
    for (const [layer, which, index] of [
      [0, 'weights', 0],
      [1, 'weights', 31],
      [1, 'bias', 3],
    ] as const) {
      const changed = structuredClone(q);
      const arr = changed.layers[layer]?.[which] as Int8Array | Int32Array;
      arr[index] = (arr[index] as number) === 127 ? 126 : (arr[index] as number) + 1;
      assert.notEqual(await modelCommitment(changed), base, `${which}[${index}] of layer ${layer}`);
    }
  });
});
