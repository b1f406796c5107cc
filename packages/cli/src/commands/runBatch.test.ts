/**
 * `souk run <asset> --input '<glob>'` end to end: the real bin against a node with one local provider (embedded
 * devnet, PGlite, PaddleOCR): three rendered images matched by a glob run as ONE batch order — per-input text under
 * each file name, the per-input price, `maxPrice` = 3 × it, settled; a folder holding a non-image is refused whole
 * (the node names the input); a glob matching nothing is a usage error before any request.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { dejavuFont, findImageMagick, levenshtein, renderText } from '@souk/provider/test-utils';
import { parseEther } from 'viem';
import { souk } from '../test-utils.ts';
import { batchFiles, isBatchInput } from './runBatch.ts';

const TEXTS = { 'a.png': 'Batch scan alpha 101', 'b.png': 'Batch scan beta 202', 'c.png': 'Batch scan gamma 303' };
const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();

type BatchJson = {
  order: { orderHash: string; phase: string; amount: string; order: { maxPrice: string } };
  pricePerInputWei: string;
  items: Array<{ input: string; index: number; ok: boolean; output?: { lines: Array<{ text: string }> } }>;
};

describe('souk run on a glob or a folder (batch order)', { timeout: 300_000 }, () => {
  let node: RunningNode;
  let dataDir: string;
  let scans: string;
  let env: Record<string, string>;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-cli-batch-'));
    scans = path.join(dataDir, 'scans');
    mkdirSync(scans);
    const magick = findImageMagick();
    for (const [name, text] of Object.entries(TEXTS)) {
      renderText(magick, { out: path.join(scans, name), text, font: dejavuFont('DejaVuSans.ttf'), pointSize: 36 });
    }
    writeFileSync(path.join(scans, 'notes.txt'), 'not an image');
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '1' },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_AUDIT_RATE: '0' },
    );
    node = await startNode(config, { logger: false });
    env = { SOUK_NODE_URL: node.url };
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('a glob is a batch; a folder lists its files in name order', () => {
    assert.equal(isBatchInput('scans/*.png'), true);
    assert.equal(isBatchInput(scans), true);
    assert.equal(isBatchInput(path.join(scans, 'a.png')), false);
    assert.deepEqual(
      batchFiles(scans).map((f) => path.basename(f)),
      ['a.png', 'b.png', 'c.png', 'notes.txt'],
    );
  });

  test('--input <glob> --json: one order for 3 images, each text under its file, priced per input, settled', async () => {
    const run = await souk(
      [
        'run',
        String(node.sampleModelId),
        '--input',
        path.join(scans, '*.png'),
        '--redundancy',
        '1',
        '--max-price',
        '0.001',
        '--json',
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as BatchJson;
    assert.equal(json.pricePerInputWei, String(parseEther('0.001')));
    assert.equal(json.order.order.maxPrice, String(parseEther('0.003')));
    assert.equal(json.order.amount, String(parseEther('0.003')));
    assert.equal(json.order.phase, 'settled');
    assert.deepEqual(
      json.items.map((i) => path.basename(i.input)),
      ['a.png', 'b.png', 'c.png'],
    );
    for (const item of json.items) {
      assert.ok(item.ok);
      const text = normalise((item.output?.lines ?? []).map((l) => l.text).join(' '));
      const expected = TEXTS[path.basename(item.input) as keyof typeof TEXTS];
      assert.ok(levenshtein(text, expected) <= 2, `${item.input}: ${JSON.stringify(text)}`);
    }
    assert.match(run.stderr, /on 3 inputs .* as one batch order, 0\.001 ETH per input \(0\.003 ETH in all\)/);
  });

  test('text output: each file under its name, the batch line, the payment; --output-dir saves the batch', async () => {
    const out = path.join(dataDir, 'out');
    const run = await souk(
      [
        'run',
        String(node.sampleModelId),
        '--input',
        path.join(scans, '[ab].png'),
        '--redundancy',
        '1',
        '--output-dir',
        out,
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(`^== ${path.join(scans, 'a.png').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
    );
    assert.match(run.stdout, /^Recognised text$/m);
    assert.match(run.stdout, /^Batch {2}2 of 2 inputs with a result$/m);
    assert.match(run.stdout, /^ {2}0\.02 ETH from the escrow \(2 × 0\.01 ETH per input\), split 80 \/ 15 \/ 5$/m);
    const hash = /^ {2}result hash {2}(0x[0-9a-f]{64}) \(the whole batch\)$/m.exec(run.stdout)?.[1];
    const saved = readFileSync(path.join(out, 'result.json'));
    assert.equal(`0x${createHash('sha256').update(saved).digest('hex')}`, hash);
    const first = JSON.parse(readFileSync(path.join(out, '000000-a.png.json'), 'utf8')) as {
      lines: Array<{ text: string }>;
    };
    assert.ok(levenshtein(normalise(first.lines.map((l) => l.text).join(' ')), TEXTS['a.png']) <= 2);
  });

  test('a folder with a non-image is refused whole, naming the input; a glob matching nothing is a usage error', async () => {
    const refused = await souk(['run', String(node.sampleModelId), '--input', scans, '--redundancy', '1'], env);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /Batch input 3 of 4/);
    const none = await souk(['run', '1', '--input', path.join(scans, '*.jpg')], {
      SOUK_NODE_URL: 'http://127.0.0.1:9',
    });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /--input: no files match/);
  });
});
