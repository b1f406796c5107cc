/**
 * Training through the market (docs/training.md): one training order at r = 1 — the glyph recipe (a 256 → 96 → 36
 * MLP) on 1,152 glyphs (0–9, A–Z rendered by ImageMagick in 16 DejaVu faces at two sizes) — through a whole node with
 * one local provider, against the same training run directly with the engine (`trainClassifier`, TensorFlow.js CPU
 * backend) in this process on the same cores, interleaved: direct, market, direct, … so a change of load on the
 * shared machine hits both. Throughput is samples × epochs per second. The market run's weights hash must equal the
 * direct run's (the figure never counts a different training). Env: BENCH_TRAINING_ROUNDS (default 2),
 * BENCH_TRAINING_EPOCHS (default 10).
 */
import type { TrainOutput } from '@souk/provider';
import { GLYPH_SIZE, packGlyphs, renderGlyphs } from '@souk/provider/test-utils/glyphs';
import { readLabelledDataset, trainClassifier, writeLabelledDataset } from '@souk/provider/training';
import { runOrder } from '@souk/sdk';
import { parseEther } from 'viem';
import { publishRecipe, startBenchNode } from './fixtures.ts';
import { emit, fmt, progress, type Row, round, since, table } from './lib.ts';

const ROUNDS = Number(process.env.BENCH_TRAINING_ROUNDS ?? 2);
const EPOCHS = Number(process.env.BENCH_TRAINING_EPOCHS ?? 10);
const started = performance.now();
const recipe = {
  template: { kind: 'mlp' as const, hidden: [96] },
  hyperparameters: { epochs: EPOCHS, batchSize: 64, learningRate: 0.005, seed: 7 },
  classes: [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
};
progress('rendering glyphs');
const glyphs = renderGlyphs([12, 14]);
const faces = [...new Set(glyphs.map((g) => g.font))];
const { samples, labels } = packGlyphs(glyphs.filter((g) => faces.indexOf(g.font) % 4 !== 3));
const npz = writeLabelledDataset(samples, [GLYPH_SIZE, GLYPH_SIZE], labels);
const n = labels.length;

async function directPass(): Promise<{ perSecond: number; weightsHash: string }> {
  const t0 = performance.now();
  const trained = await trainClassifier({
    dataset: readLabelledDataset(npz, recipe.classes.length),
    classes: recipe.classes.length,
    template: recipe.template,
    hyperparameters: recipe.hyperparameters,
  });
  return { perSecond: (n * EPOCHS) / (since(t0) / 1000), weightsHash: trained.weightsHash };
}

const bench = await startBenchNode(1);
await bench.client.json('/api/v1/orders/escrow/deposit', {
  method: 'POST',
  body: { amountWei: String(parseEther('10')) },
});
const recipeId = await publishRecipe(bench.client, recipe, 'Glyph recipe (bench)');

async function marketPass(): Promise<{ perSecond: number; seconds: number; weightsHash: string }> {
  const t0 = performance.now();
  const run = await runOrder<TrainOutput>(bench.client, {
    assetId: recipeId,
    input: npz,
    redundancy: 1,
    maxPriceWei: parseEther('0.001'),
    deadlineSeconds: 900,
    timeoutMs: 900_000,
    publicClient: bench.node.services.chain.publicClient,
  });
  const seconds = since(t0) / 1000;
  return { perSecond: (n * EPOCHS) / seconds, seconds, weightsHash: run.output.training.weightsHash };
}

const direct: Array<Awaited<ReturnType<typeof directPass>>> = [];
const market: Array<Awaited<ReturnType<typeof marketPass>>> = [];
progress(`direct, pass 1: ${n} samples × ${EPOCHS} epochs`);
direct.push(await directPass());
progress(`direct: ${fmt(direct[0]?.perSecond ?? 0)} samples/s`);
for (let r = 0; r < ROUNDS; r++) {
  progress(`market, round ${r + 1}: one training order at r = 1`);
  market.push(await marketPass());
  progress(`market: ${fmt(market.at(-1)?.perSecond ?? 0)} samples/s`);
  direct.push(await directPass());
  progress(`direct: ${fmt(direct.at(-1)?.perSecond ?? 0)} samples/s`);
}
await bench.stop();
const hashes = new Set([...direct, ...market].map((p) => p.weightsHash));
if (hashes.size !== 1) throw new Error(`the runs trained different weights: ${[...hashes].join(', ')}`);

const marketPerSecond = (n * EPOCHS * ROUNDS) / market.reduce((sum, p) => sum + p.seconds, 0);
const directPerSecond = direct.reduce((sum, p) => sum + p.perSecond, 0) / direct.length;
const perRound = market.map((p, i) => {
  const adjacent = ((direct[i]?.perSecond ?? 0) + (direct[i + 1]?.perSecond ?? 0)) / 2;
  return { market: p.perSecond, direct: adjacent, ratio: p.perSecond / adjacent };
});
const ratio = marketPerSecond / directPerSecond;
const rows: Row[] = [
  {
    figure: `training through the market (one order, r = 1, ${n} glyphs × ${EPOCHS} epochs): throughput`,
    value: round(marketPerSecond, 0),
    unit: 'samples/s',
    baseline: { label: 'the engine run directly, same data, same cores', value: round(directPerSecond, 0) },
    ratio: round(ratio, 2),
  },
];
emit({
  name: 'training',
  title: 'Training through the market vs the engine run directly',
  durationMs: since(started),
  rows,
  markdown: [
    `A 256 → 96 → 36 MLP (batches of 64, learning rate 0.005, seed 7, ${EPOCHS} epochs) on ${n} glyphs (0–9 and A–Z`,
    'rendered by ImageMagick in the DejaVu faces not held out, 12 and 14 px, 16×16), as one training order at r = 1',
    'through a node with one local provider (PGlite, in-process bus), timed from `runOrder` to the verified result;',
    'baseline: `trainClassifier` on the same dataset in this process, before and after each market pass. Every run',
    `trained the same weights (one weights hash: ${[...hashes][0]?.slice(0, 18)}…).`,
    '',
    table(
      ['round', 'market samples/s', 'direct samples/s (mean of the passes either side)', 'ratio'],
      perRound.map((r, i) => [i + 1, fmt(r.market, 0), fmt(r.direct, 0), fmt(r.ratio)]),
    ),
    '',
    `Direct passes: ${direct.map((p) => fmt(p.perSecond, 0)).join(', ')} samples/s.`,
  ].join('\n'),
  details: { samples: n, epochs: EPOCHS, rounds: ROUNDS, direct, market, perRound, ratio },
});
process.exit(0);
