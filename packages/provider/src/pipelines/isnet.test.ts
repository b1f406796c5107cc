import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { JobFailedError } from '../errors.ts';
import { packBundle } from '../jobs/bundle.ts';
import { createJobExecutor } from '../jobs/execute.ts';
import { canonicalResult } from '../result.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import { findImageMagick } from '../test/imagemagick.ts';
import { renderShape, type ShapeScene } from '../test/shapes.ts';
import {
  createIsnetPipeline,
  decodeRunLengthMask,
  ISNET_INPUT_SIZE,
  type IsnetOutput,
  type IsnetPipeline,
  isnetMask,
} from './isnet.ts';
import { readImglyModel, resizeIsnetGraph } from './isnetModel.ts';

type Scene = Omit<ShapeScene, 'out' | 'truthOut'> & { name: string };

const SCENES: Scene[] = [
  {
    name: 'orange sphere on light grey',
    width: 640,
    height: 480,
    background: '#dfe6ec',
    primitive: 'circle 300,240 300,110',
    box: [170, 110, 260, 260],
    light: '#ffd2a6',
    dark: '#8a2a00',
  },
  {
    name: 'blue rounded slab on dark slate',
    width: 480,
    height: 360,
    background: '#2f3b45',
    primitive: 'roundrectangle 90,90 389,269 30,30',
    box: [90, 90, 300, 180],
    light: '#c8f0ff',
    dark: '#0b5a7a',
  },
  {
    name: 'green pyramid on cream',
    width: 512,
    height: 512,
    background: '#f4efe6',
    primitive: 'polygon 256,120 406,400 106,400',
    box: [106, 120, 300, 280],
    light: '#b8f5a0',
    dark: '#1f6b12',
  },
];

type Sample = { scene: Scene; png: Uint8Array; truth: Uint8Array };

/** Intersection over union of two 0/1 masks of the same size. */
function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** A PNG's first channel thresholded at 128, row-major. */
async function readMask(png: Uint8Array): Promise<Uint8Array> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return Uint8Array.from({ length: info.width * info.height }, (_, i) => (data[i * info.channels] >= 128 ? 1 : 0));
}

/**
 * The reference: the same ONNX model run directly with onnxruntime-node, the image prepared independently of the
 * pipeline with sharp (its own resizers), thresholded at 0.5.
 */
async function rawMask(session: ort.InferenceSession, png: Uint8Array, width: number, height: number) {
  const size = ISNET_INPUT_SIZE;
  const { data } = await sharp(png).removeAlpha().resize(size, size, { fit: 'fill' }).raw().toBuffer({
    resolveWithObject: true,
  });
  const x = new Float32Array(3 * size * size);
  for (let i = 0; i < size * size; i++)
    for (let c = 0; c < 3; c++) x[c * size * size + i] = (data[i * 3 + c] - 128) / 256;
  const out = await session.run({ input: new ort.Tensor('float32', x, [1, 3, size, size]) });
  const map = out.output.data as Float32Array;
  const bytes = Uint8Array.from(map, (p) => Math.round(Math.min(Math.max(p, 0), 1) * 255));
  const up = await sharp(bytes, { raw: { width: size, height: size, channels: 1 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Uint8Array.from({ length: width * height }, (_, i) => (up.data[i * up.info.channels] >= 128 ? 1 : 0));
}

describe('IS-Net pipeline on drawn objects', () => {
  let dir: string;
  let model: Uint8Array;
  let samples: Sample[];
  let isnet: IsnetPipeline;
  let runtime: Runtime;
  const outputs = new Map<string, IsnetOutput>();

  before(async () => {
    const magick = findImageMagick();
    dir = mkdtempSync(join(tmpdir(), 'souk-isnet-'));
    samples = [];
    for (const [i, scene] of SCENES.entries()) {
      const out = join(dir, `${i}.png`);
      const truthOut = join(dir, `${i}-truth.png`);
      renderShape(magick, { ...scene, out, truthOut });
      const png = new Uint8Array(readFileSync(out));
      samples.push({ scene, png, truth: await readMask(new Uint8Array(readFileSync(truthOut))) });
    }
    model = resizeIsnetGraph(await readImglyModel({ variant: 'small' }), ISNET_INPUT_SIZE);
    isnet = await createIsnetPipeline({ model });
    runtime = createRuntime({ threads: 1 });
  });

  after(async () => {
    await runtime?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('segments each object with IoU ≥ 0.95 against its true mask, as well as the raw model does', async (t) => {
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    try {
      for (const { scene, png, truth } of samples) {
        const { output, durationMs } = await isnet.run(runtime, png, { deadlineMs: 60_000 });
        outputs.set(scene.name, output);
        const mask = decodeRunLengthMask(output.mask);
        const raw = await rawMask(session, png, scene.width, scene.height);
        const pipelineIou = iou(mask, truth);
        const rawIou = iou(raw, truth);
        t.diagnostic(
          `${scene.name}: IoU ${pipelineIou.toFixed(4)} (raw model ${rawIou.toFixed(4)}, pipeline vs raw ${iou(mask, raw).toFixed(4)}), ${durationMs.toFixed(0)} ms`,
        );
        assert.ok(pipelineIou >= 0.95, `${scene.name}: IoU ${pipelineIou}`);
        assert.ok(pipelineIou >= rawIou - 0.01, `${scene.name}: IoU ${pipelineIou} < raw ${rawIou}`);
        assert.ok(iou(mask, raw) >= 0.97, `${scene.name}: pipeline and raw masks differ`);
      }
    } finally {
      await session.release();
    }
  });

  test('reports the box, area and coverage of the mask it returns', () => {
    for (const { scene } of samples) {
      const output = outputs.get(scene.name);
      assert.ok(output?.box);
      const mask = decodeRunLengthMask(output.mask);
      assert.deepEqual(output.mask.size, [scene.height, scene.width]);
      assert.equal(
        mask.reduce((s, v) => s + v, 0),
        output.area,
      );
      assert.equal(output.coverage, Math.round((output.area / (scene.width * scene.height)) * 1e4) / 1e4);
      const [x, y, w, h] = output.box;
      const [tx, ty, tw, th] = scene.box;
      for (const [got, want] of [
        [x, tx],
        [y, ty],
        [x + w, tx + tw],
        [y + h, ty + th],
      ]) {
        assert.ok(Math.abs(got - want) <= 4, `${scene.name}: box ${output.box} vs drawn ${scene.box}`);
      }
      assert.ok(output.confidence >= 0.9 && output.confidence <= 1, `${scene.name}: confidence ${output.confidence}`);
    }
  });

  test('gives the same result hash on two runs through the job executor, and the pipeline output', async () => {
    const other = createRuntime({ threads: 1 });
    try {
      const executor = createJobExecutor({ runtime: other });
      const bundle = packBundle({ 'model.onnx': model });
      const { png, scene } = samples[0];
      const first = await executor.execute({ pipeline: 'isnet', bundle, input: png });
      const second = await executor.execute({ pipeline: 'isnet', bundle, input: png });
      assert.equal(first.resultHash, second.resultHash);
      assert.deepEqual(first.result, second.result);
      assert.deepEqual(first.result, canonicalResult(outputs.get(scene.name) as IsnetOutput));
      assert.equal(first.runtimeRecord.pipeline, 'isnet');
      assert.deepEqual(first.runtimeRecord.models, isnet.models);
      const parsed = JSON.parse(new TextDecoder().decode(first.result));
      assert.deepEqual(Object.keys(parsed), ['area', 'box', 'confidence', 'coverage', 'height', 'mask', 'width']);
    } finally {
      await other.close();
    }
  });

  test('fails with JobFailedError on bytes that are not an image', async () => {
    await assert.rejects(isnet.run(runtime, new TextEncoder().encode('not an image')), (error: unknown) => {
      assert.ok(error instanceof JobFailedError);
      assert.match(String(error.details), /InvalidInputError: The input is not a readable image/);
      return true;
    });
  });
});

describe('isnetMask', () => {
  test('encodes the thresholded map column-major, background first, with its box and mean saliency', () => {
    // 4 × 4 map, foreground (p = 1) in the 2 × 2 block at x 1–2, y 0–1; the image is the map's size.
    const map = new Float32Array(16);
    for (const [x, y] of [
      [1, 0],
      [2, 0],
      [1, 1],
      [2, 1],
    ])
      map[y * 4 + x] = 1;
    const output = isnetMask(map, 4, 4, 4);
    // column 0: 4 off; column 1: 2 on, 2 off; column 2: 2 on, 2 off; column 3: 4 off
    assert.deepEqual(output.mask, { size: [4, 4], counts: [4, 2, 2, 2, 6] });
    assert.deepEqual(output.box, [1, 0, 2, 2]);
    assert.equal(output.area, 4);
    assert.equal(output.coverage, 0.25);
    assert.equal(output.confidence, 1);
    assert.deepEqual([...decodeRunLengthMask(output.mask)], [0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('starts with a zero count when the first pixel is foreground, and has no box when nothing is', () => {
    const full = isnetMask(new Float32Array(4).fill(0.75), 2, 2, 2);
    assert.deepEqual(full.mask.counts, [0, 4]);
    assert.equal(full.confidence, 0.749); // round(0.75 × 255) = 191; 191 / 255 = 0.74902
    const empty = isnetMask(new Float32Array(4).fill(0.2), 2, 3, 5);
    assert.deepEqual(empty.mask, { size: [5, 3], counts: [15] });
    assert.equal(empty.box, null);
    assert.equal(empty.confidence, 0);
  });
});
