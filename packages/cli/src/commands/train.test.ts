/**
 * `souk train` end to end: the real bin publishes a training recipe (a folder with recipe.json, pipeline train) to a
 * node with two local providers, trains it on digits rendered by ImageMagick in the DejaVu faces, and publishes the
 * trained model, whose manifest carries the lineage the node derived from the order.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { GLYPH_SIZE, packGlyphs, renderGlyphs } from '@souk/provider/test-utils/glyphs';
import { writeLabelledDataset } from '@souk/provider/training';
import { souk, soukJson } from '../test-utils.ts';

type Trained = {
  order: { orderHash: string; phase: string };
  result: { providers: string[]; training: { weightsHash: string; samples: number } };
  asset: { assetId: string; lineage: { trainingOrder: string; weightsHash: string; datasets: { sha256: string }[] } };
};

describe('souk train', { timeout: 300_000 }, () => {
  let node: RunningNode;
  let dataDir: string;
  let env: Record<string, string>;
  let recipeId: string;
  let dataset: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-train-cli-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '2' },
      { SOUK_SAMPLE_MODEL: '0', SOUK_AUDIT_RATE: '0', RATE_LIMIT_PER_MINUTE: '100000' },
    );
    node = await startNode(config, { logger: false });
    env = { SOUK_NODE_URL: node.url };
    const folder = path.join(dataDir, 'recipe');
    mkdirSync(folder);
    const recipe = {
      template: { kind: 'mlp', hidden: [16] },
      hyperparameters: { epochs: 10, batchSize: 32, learningRate: 0.01, seed: 5 },
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    };
    writeFileSync(path.join(folder, 'recipe.json'), JSON.stringify(recipe));
    const published = await soukJson<{ assetId: string; pipeline: string }>(
      ['publish', folder, '--kind', 'model', '--name', 'Digit recipe', '--pipeline', 'train'],
      env,
    );
    assert.equal(published.pipeline, 'train');
    recipeId = published.assetId;
    const { samples, labels } = packGlyphs(renderGlyphs([13]).filter((g) => g.label < 10));
    dataset = path.join(dataDir, 'digits.npz');
    writeFileSync(dataset, writeLabelledDataset(samples, [GLYPH_SIZE, GLYPH_SIZE], labels));
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('trains at r = 2, saves model.onnx and mints the model with the lineage of its order', async () => {
    const out = path.join(dataDir, 'out');
    mkdirSync(out);
    const trained = await soukJson<Trained>(
      ['train', recipeId, '--dataset', dataset, '--name', 'Digit classifier', '--output-dir', out, '--json'],
      env,
    );
    assert.equal(trained.result.providers.length, 2);
    assert.equal(trained.result.training.samples, 210);
    assert.ok(['settled', 'ready', 'settling'].includes(trained.order.phase), trained.order.phase);
    assert.ok(existsSync(path.join(out, 'model.onnx')));
    const { lineage } = trained.asset;
    assert.equal(lineage.trainingOrder, trained.order.orderHash.toLowerCase());
    assert.equal(lineage.weightsHash, trained.result.training.weightsHash);
    assert.equal(lineage.datasets[0]?.sha256, createHash('sha256').update(readFileSync(dataset)).digest('hex'));
    // The readable form names the model and its lineage.
    const text = await souk(['train', recipeId, '--dataset', dataset, '--name', 'Digit classifier 2'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Trained model {2}256 features → 10 classes/m);
    assert.match(text.stdout, /^Published model #\d+ "Digit classifier 2"/m);
    assert.match(text.stdout, new RegExp(`lineage {3}recipe #${recipeId} v0`));
  });

  test('souk eval scores the trained model at r = 2 and puts the verified accuracy on its card', async () => {
    const trained = await soukJson<Trained>(['train', recipeId, '--dataset', dataset, '--name', 'To evaluate'], env);
    const modelId = trained.asset.assetId;
    type Evaluated = {
      order: { orderHash: string };
      result: { providers: string[]; evaluation: { samples: number; accuracy: number; confusion: number[][] } };
      recorded: Array<{ orderHash: string; accuracy: number; providers: string[] }>;
    };
    const evaluated = await soukJson<Evaluated>(['eval', modelId, '--dataset', dataset, '--json'], env);
    assert.equal(evaluated.result.providers.length, 2);
    assert.equal(evaluated.result.evaluation.samples, 210);
    assert.equal(
      evaluated.result.evaluation.confusion.flat().reduce((a, b) => a + b, 0),
      210,
    );
    const ours = evaluated.recorded.find((e) => e.orderHash === evaluated.order.orderHash.toLowerCase());
    assert.ok(ours, 'recorded on the model card');
    assert.equal(ours.accuracy, evaluated.result.evaluation.accuracy);
    assert.equal(ours.providers.length, 2);
    const text = await souk(['eval', modelId, '--dataset', dataset], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Evaluation {2}210 samples, 10 classes$/m);
    assert.match(
      text.stdout,
      new RegExp(
        `^On model #${modelId}'s card: accuracy \\d+\\.\\d % .*verified by 2 providers \\(2 evaluations recorded\\)$`,
        'm',
      ),
    );
  });

  test('compute-to-data with lineage royalties: publish --training-price --derived-royalty, buy --training, train --dataset-asset, royalties', async () => {
    // The dataset's owner (dev account 3) sells training use only, and claims 20 % of what derived models earn.
    const data = await soukJson<{ assetId: string }>(
      [
        'publish',
        dataset,
        '--kind',
        'dataset',
        '--name',
        'Digits (training only)',
        '--training-price',
        '0.001',
        '--derived-royalty',
        '20%',
        '--account',
        '3',
      ],
      env,
    );
    const refused = await souk(
      ['train', recipeId, '--dataset-asset', data.assetId, '--name', 'x', '--account', '4'],
      env,
    );
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /holds no training licence/);
    const bought = await souk(['buy', data.assetId, '--training', '--account', '4'], env);
    assert.equal(bought.code, 0, bought.stderr);
    assert.match(bought.stdout, /may train on it$/m);
    const trained = await soukJson<Trained & { asset: { lineage: { royalties?: { bps: number; role: string }[] } } }>(
      ['train', recipeId, '--dataset-asset', data.assetId, '--name', 'Licensed digits', '--account', '4', '--json'],
      env,
    );
    assert.equal(trained.result.providers.length, 2);
    assert.deepEqual(trained.asset.lineage.datasets, [
      { sha256: createHash('sha256').update(readFileSync(dataset)).digest('hex'), assetId: data.assetId },
    ]);
    assert.deepEqual(
      trained.asset.lineage.royalties?.map((r) => [r.role, r.bps]),
      [['dataset', 2_000]],
    );
    const shown = await souk(['royalties', trained.asset.assetId], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^Asset #${trained.asset.assetId} {2}royalty split 0x[0-9a-f]{40}$`, 'm'));
    assert.match(shown.stdout, /^ {2}0x[0-9a-f]{40} +20\.00 %$/m);
    assert.match(shown.stdout, /\(creator\) +80\.00 % and the rounding$/m);
    // Nothing earned yet: collecting is refused with the reason.
    const empty = await souk(['royalties', trained.asset.assetId, '--collect', '--account', '5'], env);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /holds no .* credits/);
  });

  test('souk rounds: 2 shards × 2 rounds of FedAvg at r = 2, printing each round and saving the model', async () => {
    const glyphs = renderGlyphs([13]).filter((g) => g.label < 10);
    const faces = [...new Set(glyphs.map((g) => g.font))];
    const shardFiles = [0, 1].map((k) => {
      const { samples, labels } = packGlyphs(glyphs.filter((g) => faces.indexOf(g.font) % 2 === k));
      const file = path.join(dataDir, `shard-${k}.npz`);
      writeFileSync(file, writeLabelledDataset(samples, [GLYPH_SIZE, GLYPH_SIZE], labels));
      return file;
    });
    const out = path.join(dataDir, 'rounds-out');
    mkdirSync(out);
    // An account of its own: the other tests of this suite run at the same time and share the default one's escrow.
    const args = [
      'rounds',
      recipeId,
      '--shard',
      shardFiles[0] as string,
      '--shard',
      shardFiles[1] as string,
      '--account',
      '6',
    ];
    const ran = await soukJson<{
      runId: string;
      rounds: { round: number; orders: string[]; aggregateHash: string }[];
      aggregateHash: string;
    }>([...args, '--rounds', '2', '--output-dir', out, '--json'], env);
    assert.deepEqual(
      ran.rounds.map((r) => [r.round, r.orders.length]),
      [
        [0, 2],
        [1, 2],
      ],
    );
    assert.equal(ran.aggregateHash, ran.rounds[1]?.aggregateHash);
    // The node verified both rounds itself: its timeline (what the web app draws) has the same aggregates.
    const timeline = (await (await fetch(`${node.url}/api/v1/rounds/${ran.runId}`)).json()) as {
      entries: { aggregateHash: string }[];
    };
    assert.deepEqual(
      timeline.entries.map((e) => e.aggregateHash),
      ran.rounds.map((r) => r.aggregateHash),
    );
    assert.ok(existsSync(path.join(out, 'model.onnx')));
    const text = await souk([...args, '--rounds', '1'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stderr, /round 1\/1 {2}loss \d+\.\d{4} {2}accuracy/);
    assert.match(text.stdout, /^Federated model {2}256 features → 10 classes, 1 rounds of 2 shards$/m);
    assert.match(text.stdout, /^ {2}timeline {3}http:\/\/127\.0\.0\.1:\d+\/rounds\/[0-9a-f-]{36} /m);
    const bad = await souk(['rounds', recipeId, '--shard', shardFiles[0] as string, '--rounds', '0'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--rounds/);
  });

  test('refuses a dataset that is not a labelled .npz before anything is paid (exit 2)', async () => {
    const notLabelled = path.join(dataDir, 'x.npz');
    writeFileSync(notLabelled, 'not a zip');
    const bad = await souk(['train', recipeId, '--dataset', notLabelled, '--name', 'x'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not a labelled \.npz/);
  });
});
