/**
 * Another modality in the browser: the devnet's catalogue publishes Silero VAD (`SOUK_CATALOGUE=vad`, whatever the
 * test script sets for the other suites), and its owner (dev account 0) runs it from the web app on an eSpeak NG
 * recording (`@souk/provider/test-utils/speech`) through a signed order at r = 2: the model's page shows the `vad`
 * pipeline and its graph tensors, the Run page takes the recording (with a player), and the verified result is drawn
 * as speech segments on a timeline over the recording's duration. Debian's Chromium, as in `web.test.ts`; any console
 * error fails the test. Screenshots go to `apps/web/artifacts/models-*.png`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningNode } from '@souk/node';
import { speechRecording } from '@souk/provider/test-utils/speech';
import type { Page } from 'playwright-core';
import { artifacts, startWebFixture, type WebFixture } from './fixture.ts';

let fixture: WebFixture;
let node: RunningNode;
let page: Page;
let consoleErrors: string[];
let wavPath: string;
let truth: { start: number; end: number }[];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  fixture = await startWebFixture({
    dirPrefix: 'souk-web-models-',
    env: { SOUK_AUDIT_RATE: '0', SOUK_CATALOGUE: 'vad' },
  });
  ({ node, page, consoleErrors } = fixture);
  const recording = await speechRecording();
  truth = recording.truth;
  wavPath = path.join(fixture.dataDir, 'speech.wav');
  writeFileSync(wavPath, recording.wav);
});

after(async () => {
  await fixture?.stop();
});

test('the catalogue VAD model runs from the web app on a recording and shows its speech segments on a timeline', {
  timeout: 150_000,
}, async () => {
  const vad = node.catalogue.find((m) => m.key === 'vad');
  assert.ok(vad, 'the node published the VAD model');

  await page.goto(node.url);
  await page.getByRole('button', { name: /Choose account|Dev account/ }).click();
  await page.getByRole('radio', { name: /^Dev account 0,/ }).click();
  await page.getByRole('button', { name: /Dev account 0 .*\(signed in\)/ }).waitFor();

  // The model's page: the pipeline and the raw graph's tensors.
  await page.goto(`${node.url}/assets/${vad.assetId}`);
  const table = page.getByRole('table', { name: 'Declared inputs and outputs' });
  await table.waitFor();
  assert.match((await page.getByTestId('model-interface').textContent()) ?? '', /vad: audio .* speech segments/);
  assert.deepEqual(await table.locator('tbody tr td:nth-child(2)').allTextContents(), [
    'input',
    'state',
    'sr',
    'output',
    'stateN',
  ]);
  await page.screenshot({ path: path.join(artifacts, 'models-1-vad-asset.png'), fullPage: true });

  // The Run page takes a recording, with a player, and no tensor editor.
  await page.getByRole('link', { name: /Run this model/ }).click();
  await page.getByLabel('Recording').setInputFiles(wavPath);
  await page.getByLabel('The chosen recording').waitFor();
  assert.equal(await page.getByLabel('Input tensors (JSON)').count(), 0);
  await page.getByLabel('Providers that must agree').fill('2');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator('[data-testid="order-verified"][data-providers="2"]').waitFor({ timeout: 120_000 });

  // The verified result: one bar per segment, where the speech is, under the recording's player.
  const bars = page.getByTestId('vad-timeline').locator('[data-segment]');
  await bars.first().waitFor();
  const segments = (await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-segment') ?? ''))).map((s) =>
    s.split('-').map(Number),
  );
  assert.equal(segments.length, truth.length, `one segment per spoken phrase: ${JSON.stringify(segments)}`);
  for (const [i, [start, end]] of segments.entries()) {
    const spoken = truth[i] as { start: number; end: number };
    assert.ok(
      Math.abs((start as number) - spoken.start) < 0.3 && Math.abs((end as number) - spoken.end) < 0.3,
      `segment ${i + 1} ${start}–${end} s vs spoken ${spoken.start}–${spoken.end} s`,
    );
  }
  await page.getByTestId('result-audio').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'models-2-vad-result.png'), fullPage: true });
  assert.deepEqual(consoleErrors, [], 'no console errors');
});
