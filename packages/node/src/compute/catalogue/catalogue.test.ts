/**
 * The whole catalogue through the market: a devnet node publishes every catalogue model (SOUK_CATALOGUE=all) as
 * encrypted Souk assets, two providers fetch them through the order gateway, and each model answers a signed order
 * at r = 2 on a real input made here (rendered text, eSpeak NG speech and wake words, an ImageMagick-drawn object) — the result
 * verified (both providers' attestations) and readable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { renderShape } from '@souk/provider/test-utils/shapes';
import { encodeWav, layOut, speak, speechRecording } from '@souk/provider/test-utils/speech';
import { createSoukClient, runOrder, type SoukClient } from '@souk/sdk';
import { parseEther } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import { loadConfig } from '../../config.ts';
import { type RunningNode, startNode } from '../../server.ts';
import { catalogue, catalogueKeys } from './entries.ts';

describe('the model catalogue through the market (every model, r = 2, real inputs)', () => {
  let dataDir: string;
  let node: RunningNode;
  let client: SoukClient;
  const ids = new Map<string, bigint>();

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-catalogue-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '2' },
      { SOUK_CATALOGUE: 'all', SOUK_AUDIT_RATE: '0', RATE_LIMIT_PER_MINUTE: '100000' },
    );
    node = await startNode(config, { logger: false });
    for (const model of node.catalogue) ids.set(model.key, model.assetId);
    client = createSoukClient({ url: node.url });
    const account = node.services.chain.devAccounts[2].account;
    const challenge = await client.json<{ nonce: string; domain: string; uri: string; chainId: number }>(
      '/api/v1/auth/nonce',
      { method: 'POST' },
    );
    const message = createSiweMessage({
      ...challenge,
      scheme: 'http',
      address: account.address,
      version: '1',
      issuedAt: new Date(),
    });
    const tokens = await client.json<{ accessToken: string }>('/api/v1/auth/login', {
      method: 'POST',
      body: { message, signature: await account.signMessage({ message }) },
    });
    client.accessToken = tokens.accessToken;
  });
  after(async () => {
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (key: string, input: Uint8Array) =>
    runOrder(client, {
      assetId: ids.get(key) as bigint,
      input,
      redundancy: 2,
      maxPriceWei: parseEther('0.01'),
      timeoutMs: 120_000,
    });

  test('publishes every catalogue model with its pipeline, model card and licence', async () => {
    assert.deepEqual([...ids.keys()], [...catalogueKeys]);
    for (const [key, id] of ids) {
      const asset = await client.json<{ manifestCid: string }>(`/api/v1/assets/${id}`);
      const manifest = await client.json<{
        runtime?: { pipeline?: string; inputMediaTypes?: string[] };
        modelCard?: string;
        license: object;
      }>(`/api/v1/manifests/${asset.manifestCid}`);
      assert.ok(manifest.runtime?.pipeline, `${key}: a pipeline`);
      const entry = catalogue.find((e) => e.key === key);
      assert.deepEqual(manifest.runtime?.inputMediaTypes, [...(entry?.inputMediaTypes ?? [])], `${key}: media types`);
      assert.ok((manifest.modelCard ?? '').length > 100, `${key}: a model card`);
      assert.ok(manifest.license, `${key}: licence terms`);
    }
  });

  test('OCR reads rendered text', { timeout: 180_000 }, async () => {
    const out = path.join(dataDir, 'text.png');
    renderText(findImageMagick(), { out, text: 'Catalogue 2026', font: dejavuFont('DejaVuSans.ttf'), pointSize: 32 });
    const result = await run('ocr', new Uint8Array(readFileSync(out)));
    assert.equal(result.providers.length, 2);
    const lines = (result.output as { lines: Array<{ text: string }> }).lines.map((l) => l.text).join(' ');
    assert.match(lines, /Catalogue\s*2026/);
  });

  test('Silero VAD finds the spoken phrases in an eSpeak NG recording', { timeout: 180_000 }, async () => {
    const { wav, truth } = await speechRecording();
    const result = await run('vad', wav);
    assert.equal(result.providers.length, 2);
    const { segments } = result.output as { segments: Array<{ start: number; end: number }> };
    assert.equal(segments.length, truth.length, 'one segment per phrase');
    for (const [i, span] of truth.entries()) {
      assert.ok(Math.abs(segments[i].start - span.start) < 0.3, `phrase ${i} starts where it is spoken`);
      assert.ok(Math.abs(segments[i].end - span.end) < 0.3, `phrase ${i} ends where it is spoken`);
    }
  });

  test('IS-Net segments a drawn object', { timeout: 180_000 }, async () => {
    const out = path.join(dataDir, 'shape.png');
    renderShape(findImageMagick(), {
      out,
      truthOut: path.join(dataDir, 'shape-truth.png'),
      width: 320,
      height: 240,
      background: '#dfe6ec',
      primitive: 'circle 160,120 160,40',
      box: [80, 40, 160, 160],
      light: '#ffb347',
      dark: '#8a3b00',
    });
    const result = await run('isnet', new Uint8Array(readFileSync(out)));
    assert.equal(result.providers.length, 2);
    const mask = result.output as { box: number[]; coverage: number };
    // The disc of radius 80 covers π·80² / (320·240) ≈ 26 % of the image, inside the box [80, 40, 160, 160].
    assert.ok(Math.abs(mask.coverage - 0.2618) < 0.03, `coverage ${mask.coverage}`);
    const [x, y, w, h] = mask.box;
    for (const [got, want] of [
      [x, 80],
      [y, 40],
      [w, 160],
      [h, 160],
    ]) {
      assert.ok(Math.abs(got - want) <= 8, `box ${mask.box} ≈ [80, 40, 160, 160]`);
    }
  });

  test('openWakeWord hears "hey Jarvis" and not an ordinary sentence', { timeout: 180_000 }, async () => {
    const clips = [
      await speak('Hey Jarvis', { voice: 'en-us', wordsPerMinute: 150 }),
      await speak('The weather is mild today'),
    ];
    const scene = layOut(clips, [0.3, 1.5, 1.5]);
    const result = await run('wakeword', encodeWav([scene.samples], scene.sampleRate));
    assert.equal(result.providers.length, 2);
    const { detections } = result.output as { detections: Array<{ keyword: string; time: number }> };
    assert.deepEqual(
      detections.map((d) => d.keyword),
      ['hey_jarvis'],
      JSON.stringify(detections),
    );
    assert.ok(detections[0].time >= scene.truth[0].start && detections[0].time <= scene.truth[0].end + 1.2);
  });
});
