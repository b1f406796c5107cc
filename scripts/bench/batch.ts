/**
 * Batch orders (compute protocol v2, `@souk/protocol`'s `batch.ts`): 100 rendered OCR images as ONE signed order at
 * r = 1 through a whole node with one local provider, against the raw pipeline on the same 100 images, on the same
 * cores, in the same run: BENCH_BATCH_ROUNDS rounds (default 2) of raw, market, … raw interleaved, each market pass
 * compared with the mean of the raw passes either side of it, so a change of load on the shared machine hits both.
 *
 * Market time: from `runBatchOrder`'s call (container packed, order signed by the node for the dev account, POSTed)
 * to the result whose attestation the SDK has verified — the figure a requester waits for. Every market entry is
 * checked against the raw canonical value of the same image (RFC 8785 bytes equal), so the figure never counts a
 * wrong result. Env: BENCH_BATCH_IMAGES (default 100), BENCH_BATCH_ROUNDS (default 2).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeBatch } from '@souk/protocol';
import { canonicalJson, canonicalValue, type JsonValue, type PipelineOutput } from '@souk/provider';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { runBatchOrder } from '@souk/sdk';
import { parseEther } from 'viem';
import { rawPipeline, rawRun, startBenchNode } from './fixtures.ts';
import { emit, fmt, progress, type Row, round, since, table } from './lib.ts';

const IMAGES = Number(process.env.BENCH_BATCH_IMAGES ?? 100);
const ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS ?? 2);
const started = performance.now();
const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-batch-'));
const magick = findImageMagick();
const pngs: Uint8Array[] = [];
progress(`rendering ${IMAGES} receipts`);
for (let i = 0; i < IMAGES; i++) {
  const out = path.join(dir, `${i}.png`);
  const text = `Receipt ${1000 + i}\nTOTAL ${((i * 7.31) % 100).toFixed(2)} EUR`;
  renderText(magick, { out, text, font: dejavuFont('DejaVuSans.ttf'), pointSize: 28 + (i % 3) * 4 });
  pngs.push(new Uint8Array(readFileSync(out)));
}
const container = encodeBatch(pngs);

/** The raw pipeline on every image in order (1 intra-op thread, as a provider): images/s and canonical values. */
const raw = await rawPipeline();
await rawRun(raw, pngs[0]); // sessions built, as a provider's cache holds them
async function rawPass(): Promise<{ perSecond: number; canonical: string[] }> {
  const canonical: string[] = [];
  const t0 = performance.now();
  for (const png of pngs) canonical.push(canonicalJson(canonicalValue(await rawRun(raw, png))));
  return { perSecond: IMAGES / (since(t0) / 1000), canonical };
}

const bench = await startBenchNode(1);
await bench.client.json('/api/v1/orders/escrow/deposit', {
  method: 'POST',
  body: { amountWei: String(parseEther('10')) },
});
// Warm-up: one single-image batch so the provider holds the model (as on a market that has run this model before).
await runBatchOrder(bench.client, {
  assetId: bench.sampleId,
  inputs: [pngs[0]],
  pricePerInputWei: parseEther('0.0001'),
  redundancy: 1,
  publicClient: bench.node.services.chain.publicClient,
});

async function marketPass() {
  const t0 = performance.now();
  const run = await runBatchOrder<PipelineOutput>(bench.client, {
    assetId: bench.sampleId,
    inputs: pngs,
    pricePerInputWei: parseEther('0.0001'),
    redundancy: 1,
    deadlineSeconds: 600,
    timeoutMs: 600_000,
    publicClient: bench.node.services.chain.publicClient,
  });
  return { run, seconds: since(t0) / 1000 };
}

const rawPasses: Array<{ perSecond: number; canonical: string[] }> = [];
const marketPasses: Array<Awaited<ReturnType<typeof marketPass>>> = [];
progress('raw pipeline, pass 1');
rawPasses.push(await rawPass());
progress(`raw: ${fmt(rawPasses[0].perSecond)} images/s`);
for (let round = 0; round < ROUNDS; round++) {
  progress(`market, round ${round + 1}: ${IMAGES} images as one order at r = 1`);
  const pass = await marketPass();
  marketPasses.push(pass);
  progress(`market: ${fmt(IMAGES / pass.seconds)} images/s (${fmt(pass.seconds, 1)} s)`);
  rawPasses.push(await rawPass());
  progress(`raw: ${fmt(rawPasses.at(-1)?.perSecond ?? 0)} images/s`);
}
await bench.stop();
await raw.close();
for (const { run } of marketPasses) {
  const mismatched = run.items.filter(
    (item) => !item.ok || canonicalJson(item.output as unknown as JsonValue) !== rawPasses[0].canonical[item.index],
  ).length;
  if (mismatched > 0) throw new Error(`${mismatched} of ${IMAGES} market results differ from the raw pipeline`);
}
rmSync(dir, { recursive: true, force: true });

// Totals: all market images over all market time, against the raw passes' mean throughput; per round, the market
// pass against the mean of the raw passes either side of it.
const marketSeconds = marketPasses.reduce((sum, p) => sum + p.seconds, 0);
const marketPerSecond = (IMAGES * ROUNDS) / marketSeconds;
const rawPerSecond = rawPasses.reduce((sum, p) => sum + p.perSecond, 0) / rawPasses.length;
const perRound = marketPasses.map((p, i) => {
  const adjacent = (rawPasses[i].perSecond + rawPasses[i + 1].perSecond) / 2;
  return { market: IMAGES / p.seconds, raw: adjacent, ratio: IMAGES / p.seconds / adjacent };
});
const run = marketPasses[0].run;
const ratio = marketPerSecond / rawPerSecond;
const rows: Row[] = [
  {
    figure: `batch of ${IMAGES} OCR images, one order at r = 1: throughput`,
    value: round(marketPerSecond, 2),
    unit: 'images/s',
    baseline: { label: 'raw pipeline, same images, same cores', value: round(rawPerSecond, 2) },
    ratio: round(ratio, 2),
    target: '≥ 0.8×',
    met: ratio >= 0.8,
  },
];
emit({
  name: 'batch',
  title: 'Batch orders: 100 OCR images in one order vs the raw pipeline',
  durationMs: since(started),
  rows,
  markdown: [
    `${IMAGES} receipts rendered by ImageMagick (DejaVu Sans, 28–36 px, two lines each) as one batch container`,
    `(${container.length} bytes, SOUKBAT1) in one signed order at r = 1, through a node with one local provider`,
    '(PGlite, in-process bus, SOUK_AUDIT_RATE=0) after a one-image warm-up order; timed from `runBatchOrder` to the',
    "verified result (the SDK checks the provider's attestation and stake). Baseline: the same model files on",
    '`createOcrPipeline` + `createRuntime({ threads: 1 })` on the same images in order, before and after each market pass',
    `(interleaved with the market passes). Every one of the ${IMAGES} market entries equals the raw canonical value of its image.`,
    '',
    table(
      ['round', 'market images/s', 'raw images/s (mean of the passes either side)', 'ratio'],
      perRound.map((r, i) => [i + 1, fmt(r.market), fmt(r.raw), fmt(r.ratio)]),
    ),
    '',
    `Raw passes: ${rawPasses.map((p) => fmt(p.perSecond)).join(', ')} images/s.`,
  ].join('\n'),
  details: {
    images: IMAGES,
    containerBytes: container.length,
    rounds: ROUNDS,
    rawPasses: rawPasses.map((p) => p.perSecond),
    perRound,
    rawPerSecond,
    marketSeconds,
    marketPerSecond,
    ratio,
    orderHash: run.order.orderHash,
    amountWei: run.order.amount,
  },
});
process.exit(0);
