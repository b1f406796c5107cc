/**
 * Batch orders at the executor: a container of rendered OCR images gives `{ batch: [...] }` whose entries are exactly
 * the single-input results (canonical bytes), equal across two runtimes (1 and 2 intra-op threads); an input the
 * model cannot take is `{ error }` in its place; a batch of only bad inputs, and a malformed container, fail as a
 * single bad input does (InvalidInputError, deterministic).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeBatch } from '@souk/protocol';
import { InvalidInputError } from '../errors.ts';
import { canonicalJson, canonicalValue } from '../result.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import { dejavuFont, findImageMagick, renderText } from '../test/imagemagick.ts';
import { OCR_MODELS } from '../test/models.ts';
import { packBundle } from './bundle.ts';
import { createJobExecutor, type JobExecutor } from './execute.ts';
import { classifyJobFailure } from './failure.ts';

const TEXTS = ['Souk batch one', 'TOTAL 12.50 EUR', 'Invoice 2026-12-01', 'Qty 3 x 4.10'];
const NOT_AN_IMAGE = new TextEncoder().encode('this is not an image');

describe('batch orders in the executor (OCR)', () => {
  let dir: string;
  let pngs: Uint8Array[];
  let bundle: Uint8Array;
  let runtimes: Runtime[];
  let executors: JobExecutor[];

  before(() => {
    const magick = findImageMagick();
    dir = mkdtempSync(join(tmpdir(), 'souk-batch-'));
    pngs = TEXTS.map((text, i) => {
      const out = join(dir, `${i}.png`);
      renderText(magick, { out, text, font: dejavuFont('DejaVuSans.ttf'), pointSize: 32 });
      return new Uint8Array(readFileSync(out));
    });
    bundle = packBundle({
      'detection.onnx': readFileSync(OCR_MODELS.detectionModel),
      'classifier.onnx': readFileSync(OCR_MODELS.classifierModel),
      'recognition.onnx': readFileSync(OCR_MODELS.recognitionModel),
      'dictionary.txt': readFileSync(OCR_MODELS.dictionary),
    });
    runtimes = [createRuntime({ threads: 1 }), createRuntime({ threads: 2 })];
    executors = runtimes.map((runtime) => createJobExecutor({ runtime }));
  });

  after(async () => {
    await Promise.all((runtimes ?? []).map((runtime) => runtime.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('each entry is the single-input result; hashes agree across runtimes; a bad input is an error entry', async () => {
    const inputs = [pngs[0], pngs[1], NOT_AN_IMAGE, pngs[2], pngs[3]];
    const singles = [];
    for (const input of [pngs[0], pngs[1], pngs[2], pngs[3]]) {
      singles.push(await executors[0].execute({ pipeline: 'ocr', bundle, input }));
    }
    const bad = await executors[0]
      .execute({ pipeline: 'ocr', bundle, input: NOT_AN_IMAGE })
      .then(() => assert.fail('a non-image must fail'), classifyJobFailure);
    assert.equal(bad.deterministic, true);

    const container = encodeBatch(inputs);
    const [a, b] = await Promise.all(executors.map((e) => e.execute({ pipeline: 'ocr', bundle, input: container })));
    assert.equal(a.resultHash, b.resultHash);
    assert.deepEqual(a.result, b.result);

    const parsed = JSON.parse(new TextDecoder().decode(a.result)) as { batch: unknown[] };
    assert.equal(parsed.batch.length, 5);
    const expected = [
      ...singles.slice(0, 2).map((s) => JSON.parse(new TextDecoder().decode(s.result))),
      { error: `input 2: ${bad.reason}` },
      ...singles.slice(2).map((s) => JSON.parse(new TextDecoder().decode(s.result))),
    ];
    assert.deepEqual(parsed.batch, expected);
    // The canonical bytes are the RFC 8785 form of that list, so any party can rebuild them from the entries.
    assert.equal(new TextDecoder().decode(a.result), canonicalJson({ batch: expected }));
    const texts = (parsed.batch as Array<{ lines?: Array<{ text: string }> }>).map((e) =>
      e.lines?.map((l) => l.text).join(' '),
    );
    assert.equal(texts[1], 'TOTAL 12.50 EUR');
    assert.equal(canonicalJson(canonicalValue(a.output)), new TextDecoder().decode(a.result));
  });

  test('a batch of only bad inputs fails like a single bad input; a malformed container is refused', async () => {
    await assert.rejects(
      executors[0].execute({ pipeline: 'ocr', bundle, input: encodeBatch([NOT_AN_IMAGE, NOT_AN_IMAGE]) }),
      (error) => classifyJobFailure(error).deterministic,
    );
    const malformed = encodeBatch([pngs[0]]).subarray(0, 40);
    await assert.rejects(
      executors[0].execute({ pipeline: 'ocr', bundle, input: malformed }),
      (error) => error instanceof InvalidInputError && /malformed/.test(error.message),
    );
  });
});
