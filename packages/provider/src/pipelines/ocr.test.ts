import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { JobFailedError } from '../errors.ts';
import { canonicalResult, resultHash } from '../result.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import { dejavuFont, findImageMagick, levenshtein, renderText } from '../test/imagemagick.ts';
import { OCR_MODELS } from '../test/models.ts';
import { createOcrPipeline, type OcrOutput, type OcrPipeline, sortBoxes } from './ocr.ts';

const TEXTS = [
  'CAFE SOUK\nCoffee 3.20\nCroissant 2.80\nTOTAL 12.50',
  'The quick brown fox jumps\nover the lazy dog.',
  'Invoice No. 2024-0815\nDate: 12/03/2025\nAmount due: $1,234.56',
  'Hello, World!\nOCR test (v4)',
];
const FONTS = ['DejaVuSans.ttf', 'DejaVuSerif.ttf', 'DejaVuSansMono.ttf', 'DejaVuSans-Bold.ttf'];
const SIZES = [24, 32, 40, 48];

type Sample = { name: string; text: string; png: Uint8Array };

/** Lines joined by newlines; any run of whitespace (a line break included) counts as one space. */
const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();
const textOf = (output: OcrOutput) => output.lines.map((l) => l.text).join('\n');

describe('OCR pipeline on rendered text', () => {
  let dir: string;
  let samples: Sample[];
  let ocr: OcrPipeline;
  let runtime: Runtime;
  const outputs = new Map<string, OcrOutput>();

  before(async () => {
    const magick = findImageMagick();
    dir = mkdtempSync(join(tmpdir(), 'souk-ocr-'));
    samples = [];
    for (const [t, text] of TEXTS.entries()) {
      for (const font of FONTS) {
        for (const size of SIZES) {
          const out = join(dir, `${t}-${font.replace('.ttf', '')}-${size}.png`);
          renderText(magick, { out, text, font: dejavuFont(font), pointSize: size });
          samples.push({ name: `${font} ${size}px #${t}`, text, png: new Uint8Array(readFileSync(out)) });
        }
      }
    }
    ocr = await createOcrPipeline(OCR_MODELS);
    runtime = createRuntime({ threads: 1 });
  });

  after(async () => {
    await runtime?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('reads 4 texts × 4 DejaVu fonts × 24–48 px with a character error rate ≤ 2 %', async (t) => {
    let distance = 0;
    let length = 0;
    const latencies: number[] = [];
    const misses: string[] = [];
    for (const sample of samples) {
      const { output, durationMs } = await ocr.run(runtime, sample.png, { deadlineMs: 60_000 });
      outputs.set(sample.name, output);
      latencies.push(durationMs);
      const d = levenshtein(normalise(textOf(output)), normalise(sample.text));
      distance += d;
      length += [...normalise(sample.text)].length;
      if (d > 0) misses.push(`${sample.name}: ${JSON.stringify(textOf(output))} (${d})`);
    }
    const cer = distance / length;
    const warm = latencies.slice(1).sort((a, b) => a - b);
    t.diagnostic(
      `CER ${(cer * 100).toFixed(2)} % (${distance} edits / ${length} characters, ${samples.length} images)`,
    );
    t.diagnostic(
      `latency per image: first ${latencies[0].toFixed(0)} ms (sessions created), then median ${warm[warm.length >> 1].toFixed(0)} ms, max ${warm.at(-1)?.toFixed(0)} ms`,
    );
    for (const miss of misses) t.diagnostic(miss);
    assert.ok(cer <= 0.02, `CER ${cer} > 2 %:\n${misses.join('\n')}`);
  });

  test('returns lines top-to-bottom with integer boxes inside the image and confidences ≥ 0.5', () => {
    const output = outputs.get('DejaVuSans.ttf 32px #0');
    assert.ok(output);
    assert.deepEqual(
      output.lines.map((l) => l.text),
      ['CAFE SOUK', 'Coffee 3.20', 'Croissant 2.80', 'TOTAL 12.50'],
    );
    for (const [i, line] of output.lines.entries()) {
      assert.ok(line.confidence >= 0.5 && line.confidence <= 1);
      assert.equal(line.box.length, 4);
      for (const [x, y] of line.box) assert.ok(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0);
      assert.ok(line.box[0][0] < line.box[1][0] && line.box[0][1] < line.box[3][1], 'clockwise from top-left');
      if (i > 0) assert.ok(line.box[0][1] > output.lines[i - 1].box[0][1]);
    }
  });

  test('gives byte-identical canonical output and equal resultHash on two separate runtimes', async () => {
    const other = createRuntime({ threads: 1 });
    try {
      for (const sample of samples.filter((_, i) => i % 8 === 0)) {
        const first = outputs.get(sample.name);
        assert.ok(first);
        const { output, runtimeRecord } = await ocr.run(other, sample.png);
        assert.deepEqual(canonicalResult(output), canonicalResult(first), sample.name);
        assert.equal(resultHash(output), resultHash(first));
        assert.equal(runtimeRecord.intraOpNumThreads, 1);
      }
    } finally {
      await other.close();
    }
  });

  test('records the pinned runtime settings and the model hashes', async () => {
    const { runtimeRecord } = await ocr.run(runtime, samples[0].png);
    assert.deepEqual(
      { ...runtimeRecord, ortVersion: undefined },
      {
        ortVersion: undefined,
        executionProvider: 'cpu',
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        pipeline: 'ocr',
        pipelineVersion: ocr.version,
        models: {
          detection: ocr.models.detection,
          classifier: ocr.models.classifier,
          recognition: ocr.models.recognition,
        },
      },
    );
    assert.match(runtimeRecord.ortVersion, /^1\.30\./);
  });

  test('reads an upside-down receipt through the direction classifier', async () => {
    const out = join(dir, 'upside-down.png');
    renderText(findImageMagick(), {
      out,
      text: 'Coffee 3.20\nTOTAL 12.50',
      font: dejavuFont('DejaVuSans.ttf'),
      pointSize: 36,
      rotate: 180,
    });
    const { output } = await ocr.run(runtime, new Uint8Array(readFileSync(out)));
    const texts = output.lines.map((l) => l.text);
    // Rotated 180°, the last line is on top.
    assert.deepEqual(texts, ['TOTAL 12.50', 'Coffee 3.20']);
  });

  test('accepts model bytes as well as paths, with the same hashes and output', async () => {
    const fromBytes = await createOcrPipeline({
      detectionModel: new Uint8Array(readFileSync(OCR_MODELS.detectionModel)),
      recognitionModel: new Uint8Array(readFileSync(OCR_MODELS.recognitionModel)),
      classifierModel: new Uint8Array(readFileSync(OCR_MODELS.classifierModel)),
      dictionary: new Uint8Array(readFileSync(OCR_MODELS.dictionary)),
    });
    assert.deepEqual(fromBytes.models, ocr.models);
    const { output } = await fromBytes.run(runtime, samples[5].png);
    assert.equal(resultHash(output), resultHash(outputs.get(samples[5].name) as OcrOutput));
  });

  test('fails with JobFailedError on bytes that are not an image, and keeps working', async () => {
    await assert.rejects(ocr.run(runtime, new TextEncoder().encode('not an image')), (error: unknown) => {
      assert.ok(error instanceof JobFailedError);
      assert.match(String(error.details), /InvalidInputError: The input is not a readable image/);
      return true;
    });
    const { output } = await ocr.run(runtime, samples[0].png);
    assert.equal(output.lines.length, 4);
  });
});

describe('sortBoxes', () => {
  test('orders boxes top-to-bottom, and left-to-right when their tops differ by less than 10 px', () => {
    const box = (x: number, y: number) => ({
      id: `${x},${y}`,
      box: [
        [x, y],
        [x + 5, y],
        [x + 5, y + 5],
        [x, y + 5],
      ] as [number, number][],
    });
    const sorted = sortBoxes([box(50, 100), box(10, 105), box(0, 10), box(30, 30), box(5, 40)]);
    assert.deepEqual(
      sorted.map((b) => b.id),
      ['0,10', '30,30', '5,40', '10,105', '50,100'],
    );
  });
});
