/**
 * Collaboration rounds (federated learning) through the market: 3 providers, 3 shards (the digits of a third of the
 * DejaVu faces each, every fourth face held out of all of them), 5 rounds. Each round every shard's update is an
 * ordinary training order at r = 2 whose input is a round input (the round, the previous aggregate, the shard); the
 * SDK's `runRounds` averages the verified updates (FedAvg) and starts the next round from the aggregate. The test
 * computes the same 5 aggregates itself, with the engine and `fedAvg` on the same shards, and requires them equal to
 * the bit. In round 2 one provider corrupts the update it is assigned: the referee outvotes it, it is slashed, and
 * the aggregate is still the honest one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { devAccounts, providerRegistryAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { decodeWeights, encodeWeights, fedAvg } from '@souk/protocol';
import { type ProviderAgent, packBundle, type TrainingRecipe } from '@souk/provider';
import { GLYPH_SIZE, type Glyph, packGlyphs, renderGlyphs } from '@souk/provider/test-utils/glyphs';
import {
  classificationMetrics,
  type DenseLayer,
  predictClasses,
  readLabelledDataset,
  trainClassifier,
  writeLabelledDataset,
} from '@souk/provider/training';
import {
  createRoundRun,
  createSoukClient,
  getRoundRun,
  publishAsset,
  type RoundSummary,
  recordRound,
  runRounds,
  SoukApiError,
  type SoukClient,
  signIn,
  uploadContent,
} from '@souk/sdk';
import { type Address, parseEther, sha256 } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { startProviderAgents } from './testing.ts';

const recipe: TrainingRecipe = {
  template: { kind: 'mlp', hidden: [24] },
  hyperparameters: { epochs: 4, batchSize: 32, learningRate: 0.01, seed: 5 },
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};
const FEATURES = GLYPH_SIZE * GLYPH_SIZE;
const SIZES = [FEATURES * 24, 24, 24 * 10, 10];
const ROUNDS = 5;

describe('collaboration rounds: 3 providers × 5 rounds of FedAvg through the market', { timeout: 10 * 60_000 }, () => {
  let dataDir: string;
  let node: RunningNode;
  let client: SoukClient;
  let agents: ProviderAgent[] = [];
  let recipeId: bigint;
  let shards: Uint8Array[];
  let heldOut: Uint8Array;
  const accounts = devAccounts();
  const providers = [accounts[9], accounts[8], accounts[7]];
  const cheat = providers[0].account.address;
  /** Orders the cheat corrupts (set once round 1 is done: its first assignment after that). */
  const corrupted = new Set<string>();
  let armed = false;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-rounds-'));
    const glyphs = renderGlyphs([12, 14]).filter((g) => g.label < 10);
    const faces = [...new Set(glyphs.map((g) => g.font))];
    const pack = (gs: Glyph[]) => {
      const { samples, labels } = packGlyphs(gs);
      return writeLabelledDataset(samples, [GLYPH_SIZE, GLYPH_SIZE], labels);
    };
    const training = glyphs.filter((g) => faces.indexOf(g.font) % 4 !== 3);
    heldOut = pack(glyphs.filter((g) => faces.indexOf(g.font) % 4 === 3));
    shards = [0, 1, 2].map((k) => pack(training.filter((g) => faces.indexOf(g.font) % 3 === k)));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { SOUK_SAMPLE_MODEL: '0', SOUK_AUDIT_RATE: '0', SOUK_COMMIT_TIMEOUT_SECONDS: '120' },
    );
    node = await startNode(config, { logger: false, log: process.env.SOUK_TEST_LOG ? console.log : undefined });
    agents = await startProviderAgents(
      node,
      providers.map((p) => p.account),
      (_i, account) => ({
        faults: { corruptResult: (id: bigint) => account.address === cheat && corrupted.has(hex(id)) },
      }),
    );
    // The cheat's first assignment once armed is corrupted.
    const bus = node.services.bus as NonNullable<typeof node.services.bus>;
    const publish = bus.publish.bind(bus);
    bus.publish = (async (subject: string, data: unknown, options?: { id?: string }) => {
      const message = data as { kind?: string; orderHash?: string };
      if (armed && message.kind === 'assign' && subject.endsWith(cheat.toLowerCase())) {
        corrupted.add(String(message.orderHash).toLowerCase());
        armed = false;
      }
      return publish(subject, data, options);
    }) as typeof bus.publish;
    client = createSoukClient({ url: node.url });
    await signIn(client, { account: accounts[2].account });
    const upload = await uploadContent(client, {
      data: packBundle({ 'recipe.json': new TextEncoder().encode(JSON.stringify(recipe)) }),
      encrypt: true,
    });
    recipeId = BigInt(
      (
        await publishAsset(client, {
          uploadId: upload.uploadId,
          name: 'Federated digit recipe (MLP 256→24→10)',
          kind: 'model',
          runtime: { engine: 'onnxruntime', pipeline: 'train' },
          license: { terms: 'MIT' },
          royaltyBps: 0,
          mint: { mode: 'submit' },
        })
      ).assetId as string,
    );
  });

  after(async () => {
    for (const agent of agents) await agent.stop().catch(() => {});
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the market’s aggregates equal the test’s own FedAvg to the bit; a corrupted update is outvoted and slashed', async (t) => {
    const { chain } = node.services;
    const stakeOf = async (p: Address) =>
      (
        (await chain.publicClient.readContract({
          address: chain.deployment.contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'getProvider',
          args: [p],
        })) as { stake: bigint }
      ).stake;
    const stakes = await Promise.all(providers.map((p) => stakeOf(p.account.address)));

    const seen: RoundSummary[] = [];
    const run = await runRounds(client, {
      recipeId,
      shards,
      rounds: ROUNDS,
      redundancy: 2,
      maxPriceWei: parseEther('0.0005'),
      publicClient: chain.publicClient,
      timeoutMs: 300_000,
      track: true,
      onRound: (round) => {
        seen.push(round);
        t.diagnostic(
          `round ${round.round}: loss ${round.loss.toFixed(4)}, accuracy ${(round.accuracy * 100).toFixed(1)} %`,
        );
        if (round.round === 1) armed = true;
      },
    });
    assert.equal(seen.length, ROUNDS, 'onRound after every round');

    // The same rounds, directly: the engine on each shard from the previous aggregate, then FedAvg.
    let weights: Uint8Array | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const updates = [];
      for (const shard of shards) {
        const trained = await trainClassifier({
          dataset: readLabelledDataset(shard, 10),
          classes: 10,
          template: recipe.template,
          hyperparameters: recipe.hyperparameters,
          initialWeights: weights ? decodeWeights(weights, SIZES) : undefined,
        });
        updates.push({
          weights: encodeWeights(trained.layers.flatMap((l) => [l.kernel, l.bias])),
          samples: readLabelledDataset(shard, 10).y.length,
        });
      }
      weights = fedAvg(updates);
      assert.equal(run.rounds[round]?.aggregateHash, sha256(weights), `round ${round}'s aggregate`);
    }
    assert.deepEqual([...run.weights], [...(weights as Uint8Array)], 'the final model is exactly the test’s');

    // The node verified and aggregated every round itself: its timeline has the same aggregates.
    assert.ok(run.runId);
    const timeline = await getRoundRun(createSoukClient({ url: node.url }), { runId: run.runId });
    assert.deepEqual(
      timeline.entries.map((e) => e.aggregateHash),
      run.rounds.map((r) => r.aggregateHash),
    );
    assert.deepEqual(
      timeline.entries.map((e) => e.orders),
      run.rounds.map((r) => r.orders.map((o) => o.toLowerCase())),
    );
    assert.ok((timeline.entries.at(-1)?.loss ?? 1) < (timeline.entries[0]?.loss ?? 0), 'the loss falls');
    // A round cannot be reported twice, beyond the run, or by another account.
    const lastOrders = run.rounds.at(-1)?.orders ?? [];
    await assert.rejects(
      recordRound(client, { runId: run.runId, round: ROUNDS, orders: lastOrders }),
      (e) => e instanceof SoukApiError && e.status === 409,
    );
    const other = createSoukClient({ url: node.url });
    await signIn(other, { account: accounts[3].account });
    await assert.rejects(
      recordRound(other, { runId: run.runId, round: ROUNDS, orders: lastOrders }),
      (e) => e instanceof SoukApiError && e.status === 403,
    );
    // A run whose round 0 reports updates of round 4 (other starting weights) is refused, naming why.
    const fresh = await createRoundRun(client, { recipeId, shards: 3, rounds: 1 });
    await assert.rejects(
      recordRound(client, { runId: fresh.id, round: 0, orders: lastOrders }),
      (e) => e instanceof SoukApiError && e.status === 422 && /update of round 4/.test(`${e.details}`),
    );

    // The corrupted update was caught: outvoted by the referee, and its provider slashed once, on its own attestation.
    assert.equal(corrupted.size, 1, 'the cheat was assigned an update after round 1');
    const [order] = [...corrupted];
    const round = run.rounds.find((r) => r.orders.map((o) => o.toLowerCase()).includes(order as string));
    assert.ok(round && round.round >= 2, 'in round 2 or later');
    const shard = round.orders.map((o) => o.toLowerCase()).indexOf(order as string);
    assert.ok(
      !round.providers[shard]?.map((p) => p.toLowerCase()).includes(cheat.toLowerCase()),
      'the cheat’s attestation is not among the verified update’s',
    );
    const slash = (await chain.publicClient.readContract({
      address: chain.deployment.contracts.computeEscrow,
      abi: (await import('@souk/contracts')).computeEscrowAbi,
      functionName: 'slashAmount',
    })) as bigint;
    for (let i = 0; i < 60 && (await stakeOf(cheat)) === stakes[0]; i++) await new Promise((r) => setTimeout(r, 500));
    assert.equal((stakes[0] as bigint) - (await stakeOf(cheat)), slash, 'the cheat is slashed by the slash amount');
    for (const [i, p] of providers.entries()) {
      if (i > 0) assert.equal(await stakeOf(p.account.address), stakes[i], 'honest providers keep their stake');
    }

    // The federated model generalises to the held-out fonts.
    const tensors = decodeWeights(run.weights, SIZES);
    const layers: DenseLayer[] = [
      { in: FEATURES, out: 24, kernel: tensors[0] as Float32Array, bias: tensors[1] as Float32Array },
      { in: 24, out: 10, kernel: tensors[2] as Float32Array, bias: tensors[3] as Float32Array },
    ];
    const test = readLabelledDataset(heldOut, 10);
    const metrics = classificationMetrics(predictClasses(layers, test.x), test.y, 10);
    t.diagnostic(`held-out fonts: accuracy ${(metrics.accuracy * 100).toFixed(1)} % over ${test.y.length} glyphs`);
    assert.ok(metrics.accuracy >= 0.8, `accuracy ${metrics.accuracy}`);
  });
});

const hex = (id: bigint) => `0x${id.toString(16).padStart(64, '0')}`;
