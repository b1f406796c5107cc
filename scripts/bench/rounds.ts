/**
 * Collaboration rounds (docs/training.md): the federated round overhead — each round's wall time through the market
 * (`runRounds`: K update orders at r = 1 on K local providers, verified, averaged) minus the slowest shard's training
 * time, measured directly with the engine (`trainClassifier` from the same starting weights, in this process) right
 * after the round, on the same cores. K = 2 shards (the DejaVu faces split in two, digits at 12 and 14 px) on 2
 * providers: one shard per core, so the round's concurrency matches the machine's. Every round's aggregate must equal
 * the direct FedAvg of the direct updates (the figure never counts a different training). Env: BENCH_ROUNDS_ROUNDS
 * (default 3), BENCH_ROUNDS_EPOCHS (default 6).
 */
import { decodeWeights, encodeWeights, fedAvg } from '@souk/protocol';
import { GLYPH_SIZE, packGlyphs, renderGlyphs } from '@souk/provider/test-utils/glyphs';
import { readLabelledDataset, trainClassifier, writeLabelledDataset } from '@souk/provider/training';
import { runRounds } from '@souk/sdk';
import { parseEther, sha256 } from 'viem';
import { publishRecipe, startBenchNode } from './fixtures.ts';
import { emit, fmt, progress, type Row, round, since, table } from './lib.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS_ROUNDS ?? 3);
const EPOCHS = Number(process.env.BENCH_ROUNDS_EPOCHS ?? 6);
const K = 2;
const started = performance.now();
const recipe = {
  template: { kind: 'mlp' as const, hidden: [48] },
  hyperparameters: { epochs: EPOCHS, batchSize: 32, learningRate: 0.01, seed: 11 },
  classes: [...'0123456789'],
};
const FEATURES = GLYPH_SIZE * GLYPH_SIZE;
const SIZES = [FEATURES * 48, 48, 48 * 10, 10];

progress('rendering glyphs');
const glyphs = renderGlyphs([12, 14]).filter((g) => g.label < 10);
const faces = [...new Set(glyphs.map((g) => g.font))];
const shards = Array.from({ length: K }, (_, k) => {
  const { samples, labels } = packGlyphs(glyphs.filter((g) => faces.indexOf(g.font) % K === k));
  return writeLabelledDataset(samples, [GLYPH_SIZE, GLYPH_SIZE], labels);
});

const bench = await startBenchNode(K);
await bench.client.json('/api/v1/orders/escrow/deposit', {
  method: 'POST',
  body: { amountWei: String(parseEther('10')) },
});
const recipeId = await publishRecipe(bench.client, recipe, 'Federated digit recipe (bench)');

/** One direct update per shard from `weights`, timed each. */
async function directRound(weights: Uint8Array | undefined) {
  const updates: Array<{ weights: Uint8Array; samples: number; ms: number }> = [];
  for (const shard of shards) {
    const dataset = readLabelledDataset(shard, 10);
    const t0 = performance.now();
    const trained = await trainClassifier({
      dataset,
      classes: 10,
      template: recipe.template,
      hyperparameters: recipe.hyperparameters,
      initialWeights: weights ? decodeWeights(weights, SIZES) : undefined,
    });
    updates.push({
      weights: encodeWeights(trained.layers.flatMap((l) => [l.kernel, l.bias])),
      samples: dataset.y.length,
      ms: since(t0),
    });
  }
  return updates;
}

const measured: Array<{ round: number; marketMs: number; slowestShardMs: number; overheadMs: number }> = [];
let weights: Uint8Array | undefined;
for (let r = 0; r < ROUNDS; r++) {
  progress(`round ${r + 1}: ${K} update orders at r = 1`);
  const t0 = performance.now();
  const run = await runRounds(bench.client, {
    recipeId,
    shards,
    rounds: 1,
    initialWeights: weights,
    redundancy: 1,
    maxPriceWei: parseEther('0.001'),
    deadlineSeconds: 900,
    timeoutMs: 900_000,
    publicClient: bench.node.services.chain.publicClient,
  });
  const marketMs = since(t0);
  const direct = await directRound(weights);
  const aggregate = fedAvg(direct);
  if (run.rounds[0]?.aggregateHash !== sha256(aggregate)) throw new Error(`round ${r + 1}: the aggregates differ`);
  weights = run.weights;
  const slowestShardMs = Math.max(...direct.map((u) => u.ms));
  measured.push({ round: r + 1, marketMs, slowestShardMs, overheadMs: marketMs - slowestShardMs });
  progress(`round ${r + 1}: ${fmt(marketMs, 0)} ms through the market, slowest shard ${fmt(slowestShardMs, 0)} ms`);
}
await bench.stop();

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const overhead = mean(measured.map((m) => m.overheadMs));
const slowest = mean(measured.map((m) => m.slowestShardMs));
const rows: Row[] = [
  {
    figure: `federated round overhead (${K} shards × 1 provider each, r = 1): round time − slowest shard's training`,
    value: round(overhead, 0),
    unit: 'ms',
    baseline: { label: 'the slowest shard trained directly, same weights, same cores', value: round(slowest, 0) },
    ratio: round((slowest + overhead) / slowest, 2),
  },
];
emit({
  name: 'rounds',
  title: 'Collaboration rounds: the federated round overhead',
  durationMs: since(started),
  rows,
  markdown: [
    `${ROUNDS} rounds of FedAvg on a 256 → 48 → 10 MLP (${EPOCHS} epochs per update, batches of 32, learning rate 0.01,`,
    `seed 11) over ${K} shards (the DejaVu faces split in two, digits at 12 and 14 px: ${shards.map((s) => readLabelledDataset(s, 10).y.length).join(' and ')} glyphs), each`,
    `update an order at r = 1 on its own local provider (${K} providers, one per core; PGlite, in-process bus), timed`,
    'from the first order to the averaged aggregate (`runRounds`); baseline: each shard trained directly with the',
    'engine from the same weights in this process, right after the round. Each round’s aggregate equals the direct',
    'FedAvg of the direct updates. The overhead is the round time minus the slowest direct shard: order',
    'acceptance, assignment, the providers’ worker start-up and download, commit–reveal, verification, and the two',
    'updates sharing the machine with the node. Round 1 also pays each provider’s first load of TensorFlow.js in its',
    'worker thread; rounds 2 on show the steady overhead.',
    '',
    table(
      ['round', 'through the market (ms)', 'slowest shard, direct (ms)', 'overhead (ms)'],
      measured.map((m) => [m.round, fmt(m.marketMs, 0), fmt(m.slowestShardMs, 0), fmt(m.overheadMs, 0)]),
    ),
  ].join('\n'),
  details: { rounds: ROUNDS, epochs: EPOCHS, shards: K, measured },
});
process.exit(0);
