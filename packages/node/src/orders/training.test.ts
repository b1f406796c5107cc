/**
 * A training job through the market (compute protocol v2, the provider's `train` pipeline): a training recipe is
 * published as an encrypted, minted asset; a signed order carries a real labelled dataset (digits rendered by
 * ImageMagick in the DejaVu faces, every fourth face held out); two providers train it independently and must agree
 * on the canonical result, which holds the weights hash — so the requester gets a model whose weights two staked
 * providers reproduced bit for bit, settled 80/15/5 like any order. The trained ONNX model is then published as a
 * model asset and run as an inference job, giving the predictions the training side computed.
 *
 * Compute-to-data: the same dataset published as an encrypted dataset asset with training-licence terms. A requester
 * without a training licence is refused (403) before anything is escrowed; with one, the order's input is only a
 * dataset reference, the providers read the data through the order gateway, and the requester receives the trained
 * model (the same weights) but never the dataset's bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { devAccounts } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { type EvaluationOutput, encodeDatasetReference, encodeEvaluation } from '@souk/protocol';
import { type ProviderAgent, packBundle, type TrainingRecipe, type TrainOutput } from '@souk/provider';
import { GLYPH_SIZE, type Glyph, packGlyphs, renderGlyphs } from '@souk/provider/test-utils/glyphs';
import { classificationMetrics, predictClasses, readLabelledDataset, trainClassifier } from '@souk/provider/training';
import {
  collectRoyalties,
  createSoukClient,
  downloadAsset,
  getAssetManifest,
  getModelLineage,
  getModelPerformance,
  getRoyalties,
  getTrainingStatus,
  getVerificationStatus,
  publishAsset,
  publishAssetVersion,
  purchaseLicence,
  runOrder,
  SoukApiError,
  type SoukClient,
  setLicenceTerms,
  signIn,
  uploadContent,
} from '@souk/sdk';
import { parseEther } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { startProviderAgents, waitSettled } from './testing.ts';

const recipe: TrainingRecipe = {
  template: { kind: 'mlp', hidden: [48] },
  hyperparameters: { epochs: 20, batchSize: 32, learningRate: 0.01, seed: 11 },
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};

describe('a training job through the market at r = 2 (PGlite + in-process bus)', { timeout: 10 * 60_000 }, () => {
  let dataDir: string;
  let node: RunningNode;
  let client: SoukClient;
  let agents: ProviderAgent[] = [];

  /** Waits until the leader has recorded a model's lineage on-chain (`Lineages.record`), and returns the record. */
  async function lineageOnChain(modelId: bigint) {
    for (let i = 0; i < 120; i++) {
      const lineage = await getModelLineage(client, { assetId: modelId });
      if (lineage.chainTx && lineage.onChain) return lineage.onChain;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const row = await node.services.db.selectFrom('model_lineages').selectAll().execute();
    throw new Error(`lineage of ${modelId} not recorded on-chain: ${JSON.stringify(row)}`);
  }
  let recipeId: bigint;
  let trainNpz: Uint8Array;
  let testNpz: Uint8Array;
  /** Set by the first test for the second: the verified training and evaluation orders and the trained model. */
  let done:
    | { training: string; weightsHash: string; evaluation: string; accuracy: number; modelId: bigint }
    | undefined;
  const accounts = devAccounts();
  const requester = accounts[2];

  const publish = async (
    files: Record<string, Uint8Array> | Uint8Array,
    name: string,
    pipeline: string,
    extra: { lineage?: { trainingOrder: string } } = {},
    as: SoukClient = client,
  ) => {
    const data = files instanceof Uint8Array ? files : packBundle(files);
    const upload = await uploadContent(as, { data, encrypt: true });
    const published = await publishAsset(as, {
      uploadId: upload.uploadId,
      name,
      kind: 'model',
      runtime: { engine: 'onnxruntime', pipeline },
      license: { terms: 'MIT' },
      royaltyBps: 0,
      mint: { mode: 'submit' },
      ...extra,
    });
    return BigInt(published.assetId as string);
  };

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-training-'));
    const glyphs = renderGlyphs([12, 14]).filter((g) => g.label < 10);
    const faces = [...new Set(glyphs.map((g) => g.font))];
    const heldOut = (g: Glyph) => faces.indexOf(g.font) % 4 === 3;
    const pack = (gs: Glyph[]) => {
      const { samples, labels } = packGlyphs(gs);
      return { samples, labels };
    };
    const { writeLabelledDataset } = await import('@souk/provider/training');
    const train = pack(glyphs.filter((g) => !heldOut(g)));
    const test = pack(glyphs.filter(heldOut));
    trainNpz = writeLabelledDataset(train.samples, [GLYPH_SIZE, GLYPH_SIZE], train.labels);
    testNpz = writeLabelledDataset(test.samples, [GLYPH_SIZE, GLYPH_SIZE], test.labels);
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { SOUK_SAMPLE_MODEL: '0', SOUK_AUDIT_RATE: '0', SOUK_COMMIT_TIMEOUT_SECONDS: '120' },
    );
    node = await startNode(config, { logger: false, log: process.env.SOUK_TEST_LOG ? console.log : undefined });
    agents = await startProviderAgents(node, [accounts[9].account, accounts[8].account]);
    client = createSoukClient({ url: node.url });
    await signIn(client, { account: requester.account });
    recipeId = await publish(
      { 'recipe.json': new TextEncoder().encode(JSON.stringify(recipe)) },
      'Glyph classifier recipe (MLP 256→48→10)',
      'train',
    );
  });

  after(async () => {
    for (const agent of agents) await agent.stop().catch(() => {});
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('two providers agree on the trained weights; the model generalises to held-out fonts and runs as a job', async (t) => {
    const run = await runOrder<TrainOutput>(client, {
      assetId: recipeId,
      input: trainNpz,
      redundancy: 2,
      maxPriceWei: parseEther('0.001'),
      publicClient: node.services.chain.publicClient,
      timeoutMs: 300_000,
    });
    assert.equal(run.providers.length, 2, 'two verified attestations');
    const { training } = run.output;
    // The same training run here, directly: the market's result is exactly the engine's.
    const direct = await trainClassifier({
      dataset: readLabelledDataset(trainNpz, 10),
      classes: 10,
      template: recipe.template,
      hyperparameters: recipe.hyperparameters,
    });
    assert.equal(training.weightsHash, direct.weightsHash);
    const test = readLabelledDataset(testNpz, 10);
    const metrics = classificationMetrics(predictClasses(direct.layers, test.x), test.y, 10);
    t.diagnostic(`held-out fonts: accuracy ${(metrics.accuracy * 100).toFixed(1)} % over ${test.y.length} glyphs`);
    assert.ok(metrics.accuracy >= 0.85, `accuracy ${metrics.accuracy}`);

    const settled = await waitSettled(client, run.order.orderHash);
    assert.equal(settled.phase, 'settled', settled.reason ?? '');

    // The trained model, published with its lineage, runs as an ordinary inference job (generic ONNX pipeline).
    const onnx = new Uint8Array(Buffer.from(training.model, 'base64'));
    const trainingOrder = run.order.orderHash.toUpperCase().replace(/^0X/, '0x'); // normalised by the node
    const modelId = await publish(onnx, 'Glyph classifier (trained through Souk)', 'onnx', {
      lineage: { trainingOrder },
    });
    const manifest = await getAssetManifest(client, { assetId: modelId });
    assert.deepEqual(manifest.lineage, {
      trainingOrder: run.order.orderHash.toLowerCase(),
      recipe: { assetId: recipeId.toString(), version: 0 },
      datasets: [{ sha256: createHash('sha256').update(trainNpz).digest('hex') }],
      weightsHash: direct.weightsHash,
      template: recipe.template,
      hyperparameters: recipe.hyperparameters,
      providers: run.providers.map((p) => p.toLowerCase()).sort(),
    });
    // The lineage on-chain: the leader records it with the training job's attestations, which the contract checks.
    const lineageRecord = await lineageOnChain(modelId);
    assert.equal(lineageRecord.recipeId, recipeId.toString());
    assert.equal(lineageRecord.weightsHash, direct.weightsHash);
    assert.deepEqual(lineageRecord.datasets, [
      { assetId: '0', sha256: `0x${createHash('sha256').update(trainNpz).digest('hex')}` },
    ]);
    assert.deepEqual(lineageRecord.jobs, [
      { orderHash: run.order.orderHash.toLowerCase(), providers: run.providers.map((p) => p.toLowerCase()) },
    ]);
    const x = Array.from(test.x.subarray(0, 10 * training.features));
    const inference = await runOrder<{ tensors: Record<string, { dtype: string; dims: number[]; data: string }> }>(
      client,
      {
        assetId: modelId,
        input: new TextEncoder().encode(
          JSON.stringify({ tensors: { input: { dtype: 'float32', dims: [10, training.features], data: x } } }),
        ),
        redundancy: 1,
        maxPriceWei: parseEther('0.0001'),
        publicClient: node.services.chain.publicClient,
      },
    );
    const probabilities = inference.output.tensors.probabilities;
    assert.ok(probabilities, 'the job returns the probabilities output');
    const p = new Float32Array(new Uint8Array(Buffer.from(probabilities.data, 'base64')).buffer);
    const predicted = Array.from({ length: 10 }, (_, r) => {
      let best = 0;
      for (let k = 1; k < 10; k++) if ((p[r * 10 + k] as number) > (p[r * 10 + best] as number)) best = k;
      return best;
    });
    assert.deepEqual(predicted, Array.from(predictClasses(direct.layers, test.x.subarray(0, 10 * training.features))));

    // Evaluation: two providers score the published model on the held-out fonts; the node records what they agreed.
    const evaluation = await runOrder<EvaluationOutput>(client, {
      assetId: modelId,
      input: encodeEvaluation(testNpz),
      redundancy: 2,
      maxPriceWei: parseEther('0.0001'),
      publicClient: node.services.chain.publicClient,
    });
    assert.equal(evaluation.providers.length, 2);
    const { confusion, accuracy, precision, recall, f1 } = metrics;
    assert.deepEqual(evaluation.output.evaluation, {
      samples: test.y.length,
      classes: 10,
      accuracy,
      precision,
      recall,
      f1,
      confusion,
    });
    // The evaluation goes on-chain too (Evaluations.record, with the providers' attestations): wait for its tx.
    let listed = await client.json<{ items: Array<Record<string, unknown>> }>(`/api/v1/assets/${modelId}/evaluations`);
    for (let i = 0; i < 50 && !listed.items[0]?.chainTx; i++) {
      await new Promise((r) => setTimeout(r, 200));
      listed = await client.json(`/api/v1/assets/${modelId}/evaluations`);
    }
    assert.equal(listed.items.length, 1);
    assert.match(String(listed.items[0]?.chainTx), /^0x[0-9a-f]{64}$/, 'recorded on-chain');
    const { evaluationsAbi } = await import('@souk/contracts');
    const { chain } = node.services;
    const [onChain, attesters] = await chain.publicClient.readContract({
      address: chain.deployment.contracts.evaluations,
      abi: evaluationsAbi,
      functionName: 'evaluationOf',
      args: [evaluation.order.orderHash as `0x${string}`],
    });
    assert.deepEqual(
      {
        modelId: onChain.modelId,
        accuracyPpm: onChain.accuracyPpm,
        f1Ppm: onChain.f1Ppm,
        resultHash: onChain.resultHash,
        samples: onChain.samples,
      },
      {
        modelId,
        accuracyPpm: Math.round(metrics.accuracy * 1e6),
        f1Ppm: Math.round(metrics.f1 * 1e6),
        resultHash: evaluation.resultHash,
        samples: test.y.length,
      },
    );
    assert.deepEqual(
      attesters.map((a) => a.toLowerCase()).sort(),
      evaluation.providers.map((p) => p.toLowerCase()).sort(),
    );
    assert.deepEqual(
      { ...listed.items[0], recordedAt: 0, chainTx: null },
      {
        orderHash: evaluation.order.orderHash.toLowerCase(),
        modelId: modelId.toString(),
        modelVersion: 0,
        datasetSha256: createHash('sha256').update(testNpz).digest('hex'),
        samples: test.y.length,
        classes: 10,
        accuracy,
        precision,
        recall,
        f1,
        confusion,
        providers: evaluation.providers.map((p) => p.toLowerCase()).sort(),
        resultHash: evaluation.resultHash,
        recordedAt: 0,
        chainTx: null,
      },
    );
    done = {
      training: run.order.orderHash,
      weightsHash: training.weightsHash,
      evaluation: evaluation.order.orderHash,
      accuracy,
      modelId,
    };
    // An evaluation container whose dataset is not a labelled .npz is refused at order time, before escrow.
    await assert.rejects(
      runOrder(client, {
        assetId: modelId,
        input: encodeEvaluation(new TextEncoder().encode('not a dataset')),
        redundancy: 1,
        maxPriceWei: parseEther('0.0001'),
        publicClient: node.services.chain.publicClient,
      }),
      (e) => e instanceof SoukApiError && e.status === 422,
    );

    // Lineage cannot be claimed: not by another account, not for another file, not for an order that trained nothing.
    const other = createSoukClient({ url: node.url });
    await signIn(other, { account: accounts[3].account });
    const refused = async (promise: Promise<unknown>, status: number, pattern: RegExp) =>
      assert.rejects(promise, (e) => e instanceof SoukApiError && e.status === status && pattern.test(`${e.details}`));
    await refused(publish(onnx, 'Stolen lineage', 'onnx', { lineage: { trainingOrder } }, other), 403, /requester/);
    await refused(
      publish(onnx.subarray(0, onnx.length - 1), 'Wrong file', 'onnx', { lineage: { trainingOrder } }),
      422,
      /not the model/,
    );
    await refused(
      publish(onnx, 'Not a training', 'onnx', { lineage: { trainingOrder: inference.order.orderHash } }),
      422,
      /not a training job/,
    );
    await refused(
      publish(onnx, 'Unknown order', 'onnx', { lineage: { trainingOrder: `0x${'ab'.repeat(32)}` } }),
      404,
      /No order/,
    );
  });
  test("the seeds' terms: /models/train, /training/:id, /verify/training, /verify/status/:id, /analytics/performance", async () => {
    assert.ok(done, 'the training test ran first');
    const status = await getTrainingStatus(client, { trainingId: done.training });
    assert.equal(status.trainingId, done.training.toLowerCase());
    assert.equal(status.recipeId, recipeId.toString());
    assert.equal(status.verified, true);
    assert.equal(status.weightsHash, done.weightsHash);
    assert.equal(status.history?.loss.length, recipe.hyperparameters.epochs);
    assert.equal(status.providers.length, 2);
    const verification = await getVerificationStatus(client, { verificationId: done.evaluation });
    assert.equal(verification.modelId, done.modelId.toString());
    assert.equal(verification.evaluation?.orderHash, done.evaluation.toLowerCase());
    assert.equal(verification.evaluation?.accuracy, done.accuracy);
    // A training job is not a verification: the status answers, with no card record.
    assert.equal((await getVerificationStatus(client, { verificationId: done.training })).evaluation, null);
    const performance = await getModelPerformance(client);
    const card = performance.find((m) => m.modelId === done?.modelId.toString());
    assert.ok(card, 'the evaluated model is in the performance summary');
    assert.equal(card.evaluations, 1);
    assert.equal(card.datasets, 1);
    assert.equal(card.latest.orderHash, done.evaluation.toLowerCase());
    assert.deepEqual(card.best, card.latest);

    // Only the requester reads a job's status, through the same check as GET /orders/:hash.
    const other = createSoukClient({ url: node.url });
    await signIn(other, { account: accounts[3].account });
    await assert.rejects(
      getTrainingStatus(other, { trainingId: done.training }),
      (e) => e instanceof SoukApiError && e.status === 403,
    );
    await assert.rejects(
      getVerificationStatus(client, { verificationId: `0x${'cd'.repeat(32)}` }),
      (e) => e instanceof SoukApiError && e.status === 404,
    );
    // Submitting: a training job must name a training recipe, a verification must carry an evaluation container.
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const submit = (url: string, body: Record<string, unknown>) =>
      client.json<Record<string, unknown>>(url, { method: 'POST', body });
    const devnet = { redundancy: 1, maxPriceWei: parseEther('0.001').toString() };
    await assert.rejects(
      submit('/api/v1/models/train', { ...devnet, assetId: done.modelId.toString(), input: b64(trainNpz) }),
      (e) => e instanceof SoukApiError && e.status === 422 && /not a training recipe/.test(`${e.details}`),
    );
    await assert.rejects(
      submit('/api/v1/verify/training', { ...devnet, assetId: done.modelId.toString(), input: b64(testNpz) }),
      (e) => e instanceof SoukApiError && e.status === 422 && /evaluation container/.test(`${e.details}`),
    );
    await assert.rejects(
      submit('/api/v1/verify/training', {
        ...devnet,
        assetId: recipeId.toString(),
        input: b64(encodeEvaluation(testNpz)),
      }),
      (e) => e instanceof SoukApiError && e.status === 422 && /ONNX classifier/.test(`${e.details}`),
    );
    // Accepted ones are ordinary orders (202), readable at once under their own status route.
    const accepted = await submit('/api/v1/verify/training', {
      ...devnet,
      assetId: done.modelId.toString(),
      input: b64(encodeEvaluation(testNpz)),
    });
    assert.match(String(accepted.orderHash), /^0x[0-9a-f]{64}$/);
    const pending = await getVerificationStatus(client, { verificationId: String(accepted.orderHash) });
    assert.equal(pending.modelId, done.modelId.toString());
    const trainingJob = await submit('/api/v1/models/train', {
      ...devnet,
      assetId: recipeId.toString(),
      input: b64(trainNpz),
    });
    const queued = await getTrainingStatus(client, { trainingId: String(trainingJob.orderHash) });
    assert.equal(queued.recipeId, recipeId.toString());
    assert.equal(typeof queued.verified, 'boolean');
  });

  test('compute-to-data: a licensed dataset asset is trained on by the providers only; no training licence, no order', async () => {
    const owner = accounts[5];
    // A requester of its own, so no earlier order's escrow moves while this one is checked.
    const trainer = accounts[6];
    const client = createSoukClient({ url: node.url });
    await signIn(client, { account: trainer.account });
    const ownerClient = createSoukClient({ url: node.url });
    await signIn(ownerClient, { account: owner.account });
    const upload = await uploadContent(ownerClient, { data: trainNpz, encrypt: true });
    const published = await publishAsset(ownerClient, {
      uploadId: upload.uploadId,
      name: 'DejaVu digits (training only)',
      kind: 'dataset',
      // The dataset's owner claims 20 % of the creator earnings of every model trained on it.
      license: { terms: 'CC-BY-4.0', derivedRoyaltyBps: 2_000 },
      royaltyBps: 0,
      mint: { mode: 'submit' },
    });
    const datasetId = BigInt(published.assetId as string);
    const price = parseEther('0.01');
    await setLicenceTerms(ownerClient, { assetId: datasetId, price, usage: 'training', mode: 'submit' });
    const reference = encodeDatasetReference({
      assetId: datasetId,
      sha256: createHash('sha256').update(trainNpz).digest('hex'),
    });
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const escrow = async () => {
      const { balance, reserved, available } = await client.json<Record<string, string>>('/api/v1/orders/escrow');
      return { balance, reserved, available };
    };

    // No training licence: refused before anything is escrowed or stored.
    const before = await escrow();
    await assert.rejects(
      client.json('/api/v1/models/train', {
        method: 'POST',
        body: {
          assetId: recipeId.toString(),
          input: b64(reference),
          redundancy: 2,
          maxPriceWei: String(parseEther('0.001')),
        },
      }),
      (e) => e instanceof SoukApiError && e.status === 403 && /training licence/.test(`${e.details}`),
    );
    assert.deepEqual(await escrow(), before, 'nothing escrowed or reserved');
    // A reference to other bytes than the dataset's, or to an asset that is not a dataset, is refused too.
    await assert.rejects(
      runOrder(ownerClient, {
        assetId: recipeId,
        input: encodeDatasetReference({ assetId: datasetId, sha256: 'ab'.repeat(32) }),
        redundancy: 1,
        maxPriceWei: parseEther('0.001'),
        publicClient: node.services.chain.publicClient,
      }),
      (e) => e instanceof SoukApiError && e.status === 409,
    );

    // A training licence: the owner is paid (price − 2.5 % protocol fee; the owner is the creator, royalty 0).
    const balance = () => node.services.chain.publicClient.getBalance({ address: owner.account.address });
    const ownerBefore = await balance();
    await purchaseLicence(client, { assetId: datasetId, usage: 'training', mode: 'submit' });
    const licence = await client.json<{ hasAccess: boolean; canTrain: boolean }>(
      `/api/v1/licences/${datasetId}/${trainer.account.address}`,
    );
    assert.deepEqual(
      { hasAccess: licence.hasAccess, canTrain: licence.canTrain },
      { hasAccess: false, canTrain: true },
    );
    const fee = (price * BigInt(await feeBps())) / 10_000n;
    assert.equal((await balance()) - ownerBefore, price - fee, 'the dataset owner is paid for training use');
    // The training licence never releases the plaintext.
    await assert.rejects(
      downloadAsset(client, {
        assetId: datasetId,
        account: trainer.account,
        chainId: node.services.chain.deployment.chainId,
        licenses: node.services.chain.deployment.contracts.licenses,
      }),
      (e) => e instanceof SoukApiError && e.status === 403,
    );

    // The recipe's creator (the first test's requester) claims 10 % of models trained from this copy of the recipe.
    const recipeUpload = await uploadContent(requesterClient(), {
      data: packBundle({ 'recipe.json': new TextEncoder().encode(JSON.stringify(recipe)) }),
      encrypt: true,
    });
    const recipeWithRoyalty = BigInt(
      (
        await publishAsset(requesterClient(), {
          uploadId: recipeUpload.uploadId,
          name: 'Glyph classifier recipe (10 % lineage royalty)',
          kind: 'model',
          runtime: { engine: 'onnxruntime', pipeline: 'train' },
          license: { terms: 'MIT', derivedRoyaltyBps: 1_000 },
          royaltyBps: 0,
          mint: { mode: 'submit' },
        })
      ).assetId as string,
    );
    const run = await runOrder<TrainOutput>(client, {
      assetId: recipeWithRoyalty,
      input: reference,
      redundancy: 2,
      maxPriceWei: parseEther('0.001'),
      publicClient: node.services.chain.publicClient,
      timeoutMs: 300_000,
    });
    assert.equal(run.providers.length, 2, 'two verified attestations');
    assert.ok(done, 'the first test ran');
    assert.equal(run.output.training.weightsHash, done.weightsHash, 'the same data gives the same weights');
    // Not a byte of the dataset comes back: no 64-byte run of its pixels is in what the requester received.
    const received = Buffer.from(JSON.stringify(run.output));
    const model = Buffer.from(run.output.training.model, 'base64');
    const raw = Buffer.from(trainNpz);
    for (let at = 0; at + 64 <= raw.length; at += 4096) {
      const window = raw.subarray(at, at + 64);
      assert.equal(received.indexOf(window), -1, `dataset bytes at ${at} in the result`);
      assert.equal(model.indexOf(window), -1, `dataset bytes at ${at} in the model`);
    }
    const settled = await waitSettled(client, run.order.orderHash);
    assert.equal(settled.phase, 'settled', settled.reason ?? '');

    const modelId = await publish(
      model,
      'Glyph classifier (licensed data)',
      'onnx',
      { lineage: { trainingOrder: run.order.orderHash } },
      client,
    );
    const manifest = await getAssetManifest(client, { assetId: modelId });
    assert.deepEqual(manifest.lineage?.datasets, [
      { sha256: createHash('sha256').update(trainNpz).digest('hex'), assetId: datasetId.toString() },
    ]);
    // On-chain, the licensed dataset asset is in the model's lineage (and the model among those trained on it).
    const onChain = await lineageOnChain(modelId);
    assert.deepEqual(onChain.datasets, [
      { assetId: datasetId.toString(), sha256: `0x${createHash('sha256').update(trainNpz).digest('hex')}` },
    ]);
    const { lineagesAbi } = await import('@souk/contracts');
    const trainedOn = await node.services.chain.publicClient.readContract({
      address: node.services.chain.deployment.contracts.lineages,
      abi: lineagesAbi,
      functionName: 'trainedOn',
      args: [datasetId],
    });
    assert.deepEqual(trainedOn, [modelId << 32n]);

    // Lineage royalties: the model was minted through LineageRoyalties with the shares its parents declared, so its
    // AgentNFT creator is its RoyaltySplit, which pays the lineage out of every creator payment, to the wei.
    const recipeCreator = requester.account.address.toLowerCase();
    const datasetOwner = owner.account.address.toLowerCase();
    assert.deepEqual(manifest.lineage?.royalties, [
      { account: recipeCreator, bps: 1_000, assetId: recipeWithRoyalty.toString(), role: 'recipe' },
      { account: datasetOwner, bps: 2_000, assetId: datasetId.toString(), role: 'dataset' },
    ]);
    const { chain } = node.services;
    const { agentNft, lineageRoyalties, computeEscrow } = chain.deployment.contracts;
    const { agentNftAbi, computeEscrowAbi, lineageRoyaltiesAbi } = await import('@souk/contracts');
    const split = await chain.publicClient.readContract({
      address: lineageRoyalties,
      abi: lineageRoyaltiesAbi,
      functionName: 'splitOf',
      args: [modelId],
    });
    assert.equal(
      await chain.publicClient.readContract({
        address: agentNft,
        abi: agentNftAbi,
        functionName: 'creatorOf',
        args: [modelId],
      }),
      split,
    );
    // A version of an existing asset cannot carry a lineage that owes royalties: its creator is no split.
    await assert.rejects(
      publishAssetVersion(client, {
        assetId: modelId,
        uploadId: (await uploadContent(client, { data: model, encrypt: true })).uploadId,
        name: 'v2',
        kind: 'model',
        runtime: { engine: 'onnxruntime', pipeline: 'onnx' },
        license: { terms: 'MIT' },
        royaltyBps: 0,
        lineage: { trainingOrder: run.order.orderHash },
        mint: { mode: 'submit' },
      }),
      (e) => e instanceof SoukApiError && e.status === 422 && /publish it as a new asset/.test(`${e.details}`),
    );

    // An inference job on the derived model: its creator share is credited to the split; anyone collects it.
    const x = Array.from(readLabelledDataset(testNpz, 10).x.subarray(0, 2 * run.output.training.features));
    const job = await runOrder(client, {
      assetId: modelId,
      input: new TextEncoder().encode(
        JSON.stringify({ tensors: { input: { dtype: 'float32', dims: [2, run.output.training.features], data: x } } }),
      ),
      redundancy: 1,
      maxPriceWei: parseEther('0.0001'),
      publicClient: chain.publicClient,
    });
    assert.equal((await waitSettled(client, job.order.orderHash)).phase, 'settled');
    const share = await chain.publicClient.readContract({
      address: computeEscrow,
      abi: computeEscrowAbi,
      functionName: 'creditsOf',
      args: ['0x0000000000000000000000000000000000000000', split],
    });
    assert.ok(share > 0n, 'the creator share went to the split');
    const balances = () =>
      Promise.all(
        [recipeCreator, datasetOwner, trainer.account.address].map((a) =>
          chain.publicClient.getBalance({ address: a as `0x${string}` }),
        ),
      );
    const paidBefore = await balances();
    const shown = await getRoyalties(client, { assetId: modelId });
    assert.equal(shown.split, split.toLowerCase());
    assert.equal(shown.creator, trainer.account.address.toLowerCase());
    assert.deepEqual(shown.recipients, [
      { account: recipeCreator, bps: 1_000 },
      { account: datasetOwner, bps: 2_000 },
    ]);
    assert.equal(shown.pending[0]?.escrowCredits, share.toString());
    // Anyone may pay it out: a third account collects (through the node), and gets nothing itself.
    const collector = createSoukClient({ url: node.url });
    await signIn(collector, { account: accounts[7].account });
    const { transactionHashes } = await collectRoyalties(collector, { assetId: modelId, mode: 'submit' });
    assert.equal(transactionHashes.length, 1);
    const after = await balances();
    const recipeShare = (share * 1_000n) / 10_000n;
    const datasetShare = (share * 2_000n) / 10_000n;
    assert.deepEqual(
      after.map((b, i) => b - (paidBefore[i] as bigint)),
      [recipeShare, datasetShare, share - recipeShare - datasetShare],
      'recipe creator 10 %, dataset owner 20 %, the trainer the rest, to the wei',
    );
    assert.equal((await getRoyalties(client, { assetId: modelId })).pending[0]?.escrowCredits, '0');
    await assert.rejects(
      collectRoyalties(collector, { assetId: modelId, mode: 'submit' }),
      (e) => e instanceof SoukApiError && e.status === 409,
    );
  });

  /** The suite's client, signed in as the first test's requester (the recipes' creator). */
  function requesterClient(): SoukClient {
    return client;
  }

  /** The Licenses contract's protocol fee, bps. */
  async function feeBps(): Promise<number> {
    const { licensesAbi } = await import('@souk/contracts');
    return Number(
      await node.services.chain.publicClient.readContract({
        address: node.services.chain.deployment.contracts.licenses,
        abi: licensesAbi,
        functionName: 'protocolFeeBps',
      }),
    );
  }
});
