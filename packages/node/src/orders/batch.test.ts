/**
 * Batch orders end to end (compute protocol v2, `@souk/protocol`'s `batch.ts`): 10 rendered text images and one
 * truncated PNG as ONE signed order at r = 2 — SDK `runBatchOrder` → node acceptance (each input checked) → two
 * providers (PaddleOCR) agreeing on the whole `{batch:[…]}` → one `settleBatch` entry charging exactly N × the
 * per-input price, split 80/15/5 to the wei. The truncated PNG passes the order-time checks (its header is readable)
 * and comes back as an `{error}` entry in its place; an input the node can already tell is bad refuses the whole
 * batch (422, naming the input) before escrow; a `maxPrice` that is not a multiple of N is refused too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { devAccounts } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { encodeBatch } from '@souk/protocol';
import type { ProviderAgent } from '@souk/provider';
import { dejavuFont, findImageMagick, levenshtein, renderText } from '@souk/provider/test-utils';
import { createSoukClient, getOrder, runBatchOrder, SoukApiError, type SoukClient, signIn } from '@souk/sdk';
import { parseEther } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { escrowReader, startProviderAgents } from './testing.ts';

type OcrOutput = { lines: Array<{ text: string; confidence: number }> };
const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();

const TEXTS = Array.from({ length: 10 }, (_, i) => `Batch item ${i + 1}\nTOTAL ${(i * 3.25 + 1).toFixed(2)} EUR`);

describe('batch orders through a node (PGlite + in-process bus)', { timeout: 5 * 60_000 }, () => {
  let dataDir: string;
  let node: RunningNode;
  let client: SoukClient;
  let agents: ProviderAgent[] = [];
  let modelId: bigint;
  const pngs: Uint8Array[] = [];
  const accounts = devAccounts();
  const requester = accounts[1];
  const providerAccounts = [accounts[9], accounts[8]];

  const chain = () => node.services.chain;
  const { credits, treasury: treasuryOf } = escrowReader(() => node);

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-batch-orders-'));
    const magick = findImageMagick();
    for (const [i, text] of TEXTS.entries()) {
      const out = path.join(dataDir, `${i}.png`);
      renderText(magick, { out, text, font: dejavuFont('DejaVuSans.ttf'), pointSize: 32 });
      pngs.push(new Uint8Array(readFileSync(out)));
    }
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { SOUK_AUDIT_RATE: '0', SOUK_COMMIT_TIMEOUT_SECONDS: '30' },
    );
    node = await startNode(config, { logger: false, log: process.env.SOUK_TEST_LOG ? console.log : undefined });
    modelId = node.sampleModelId as bigint;
    agents = await startProviderAgents(
      node,
      providerAccounts.map((p) => p.account),
    );
    client = createSoukClient({ url: node.url });
    await signIn(client, { account: requester.account });
  });

  after(async () => {
    for (const agent of agents) await agent.stop().catch(() => {});
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('10 images + a truncated PNG as one order at r = 2: per-input text, an error entry, exact settlement', async (t) => {
    const pricePerInput = parseEther('0.0001');
    const truncated = pngs[0].subarray(0, 120); // signature + IHDR: readable header, undecodable image
    const inputs = [...pngs.slice(0, 5), truncated, ...pngs.slice(5)];
    const n = BigInt(inputs.length);
    const creator = accounts[0].address;
    const treasury = await treasuryOf();
    const before = new Map<string, bigint>();
    for (const a of [...providerAccounts.map((p) => p.address), creator, treasury]) before.set(a, await credits(a));
    const steps: string[] = [];
    const run = await runBatchOrder<OcrOutput>(client, {
      assetId: modelId,
      inputs,
      pricePerInputWei: pricePerInput,
      redundancy: 2,
      publicClient: chain().publicClient,
      onProgress: (event) => steps.push(event.step),
    });
    assert.deepEqual([steps[0], steps.at(-1)], ['packed', 'verified']);
    assert.equal(run.providers.length, 2, 'two verified attestations over the whole batch');
    assert.equal(run.pricePerInputWei, pricePerInput);
    assert.equal(BigInt(run.order.order.maxPrice), n * pricePerInput);
    assert.equal(run.items.length, inputs.length);
    const bad = run.items[5];
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /^input 5: /);
    let distance = 0;
    let length = 0;
    for (const [i, item] of run.items.entries()) {
      if (i === 5) continue;
      assert.ok(item.ok, `input ${i}: ${item.ok ? '' : item.error}`);
      const expected = normalise(TEXTS[i < 5 ? i : i - 1]);
      distance += levenshtein(normalise(item.output.lines.map((l) => l.text).join('\n')), expected);
      length += expected.length;
    }
    t.diagnostic(`CER ${((distance / length) * 100).toFixed(2)} % over 10 images in one order`);
    assert.ok(distance / length <= 0.02, `CER ${distance / length}`);

    let order = run.order;
    for (let i = 0; i < 20 && !['settled', 'unpaid', 'expired', 'failed'].includes(order.phase); i++) {
      order = await getOrder(client, { orderHash: order.orderHash, waitMs: 5_000 });
    }
    assert.equal(order.phase, 'settled', order.reason ?? '');
    const price = n * pricePerInput;
    assert.equal(BigInt(order.amount), price);
    for (const p of providerAccounts) {
      assert.equal((await credits(p.address)) - (before.get(p.address) ?? 0n), (price * 8_000n) / 10_000n / 2n);
    }
    assert.equal((await credits(creator)) - (before.get(creator) ?? 0n), (price * 500n) / 10_000n, 'creator 5 %');
    assert.equal((await credits(treasury)) - (before.get(treasury) ?? 0n), (price * 1_500n) / 10_000n, 'treasury 15 %');
  });

  test('an input the node can tell is bad refuses the whole batch (422, named) before any provider works', async () => {
    const inputs = [pngs[0], pngs[1], new TextEncoder().encode('not an image at all')];
    await assert.rejects(
      runBatchOrder(client, { assetId: modelId, inputs, pricePerInputWei: 1000n, publicClient: chain().publicClient }),
      (error) => error instanceof SoukApiError && error.status === 422 && /Batch input 2 of 3/.test(`${error.details}`),
    );
    const body = {
      assetId: String(modelId),
      maxPriceWei: '1001',
      input: Buffer.from(encodeBatch([pngs[0], pngs[1], pngs[2]])).toString('base64'),
    };
    await assert.rejects(
      client.json('/api/v1/orders', { method: 'POST', body }),
      (error) => error instanceof SoukApiError && error.status === 422 && /not a multiple/.test(`${error.details}`),
    );
  });
});
