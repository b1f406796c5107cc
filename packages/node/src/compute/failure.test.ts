/**
 * Jobs whose input the model cannot take (issue "Security and crash safety", item 6: "anyone can slash honest
 * providers with a bad input"). Before the fix such a job failed on every provider, was reassigned as "missed its
 * commit", refunded at the deadline, and every assigned provider was slashed 100 SOUK — two such jobs left the
 * devnet without an active provider. Now:
 *
 * - most bad inputs are refused at order time (422, nothing escrowed);
 * - one that gets through (a truncated image, a tensor whose fixed dimension is wrong) is reported by the providers,
 *   signed, reproduced by the node's referee, and ended by `ComputeMarket.failJob`: status `failed` with its reason,
 *   requester refunded, nobody slashed;
 * - a provider that falsely reports a runnable job as failed is reassigned and not paid.
 *
 * Runs with three local providers on the embedded defaults (PGlite, in-process bus), and again on the machine's
 * PostgreSQL + NATS JetStream (skipped with the reason when they are down; required under SOUK_REQUIRE_SERVICES=1).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeMarketAbi, devAccounts, providerRegistryAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { createProviderAgent, type ProviderAgent, writeNpy } from '@souk/provider';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import {
  createSoukClient,
  getJob,
  JobFailedError,
  runJob,
  SoukApiError,
  type SoukClient,
  signIn,
  uploadContent,
} from '@souk/sdk';
import { type Address, parseEther, zeroAddress } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { publishClassifier, zeros } from '../testing/models.ts';
import { serviceSetups } from '../testing/setups.ts';

type OcrOutput = { lines: Array<{ text: string }> };

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

for (const setup of await serviceSetups('souk_failure'))
  describe(`jobs whose input the model cannot take, on ${setup.name}`, { skip: setup.skip }, () => {
    let dataDir: string;
    let node: RunningNode;
    let client: SoukClient;
    let agents: ProviderAgent[] = [];
    let ocrId: bigint;
    let onnxId: bigint;
    let declaredId: bigint;
    let png: Uint8Array;
    const accounts = devAccounts();
    const requester = accounts[1];
    const providerAccounts = [accounts[9], accounts[8], accounts[7]];
    /** The job a provider lies about (reports a failure of a runnable job); the first to take it is the liar. */
    let lieAbout: bigint | undefined;
    let liar: string | undefined;

    const publicClient = () => node.services.chain.publicClient;
    const contracts = () => node.services.chain.deployment.contracts;
    const escrowed = () =>
      publicClient().readContract({
        address: contracts().computeMarket,
        abi: computeMarketAbi,
        functionName: 'totalEscrowed',
        args: [zeroAddress],
      });
    const jobCount = () =>
      publicClient().readContract({
        address: contracts().computeMarket,
        abi: computeMarketAbi,
        functionName: 'jobCount',
      });
    const stakes = () =>
      Promise.all(
        providerAccounts.map((p) =>
          publicClient()
            .readContract({
              address: contracts().providerRegistry,
              abi: providerRegistryAbi,
              functionName: 'getProvider',
              args: [p.address],
            })
            .then((info) => info.stake),
        ),
      );
    const active = () =>
      Promise.all(
        providerAccounts.map((p) =>
          publicClient().readContract({
            address: contracts().providerRegistry,
            abi: providerRegistryAbi,
            functionName: 'isActive',
            args: [p.address],
          }),
        ),
      );
    const balance = () => publicClient().getBalance({ address: requester.address });

    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'souk-failure-'));
      const out = path.join(dataDir, 'text.png');
      renderText(findImageMagick(), {
        out,
        text: 'Souk compute market',
        font: dejavuFont('DejaVuSans.ttf'),
        pointSize: 32,
      });
      png = new Uint8Array(readFileSync(out));
      const config = loadConfig(
        { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
        { SOUK_AUDIT_RATE: '0', SOUK_COMMIT_TIMEOUT_SECONDS: '10', ...setup.env },
      );
      node = await startNode(config, { logger: false, log: process.env.SOUK_TEST_LOG ? console.log : undefined });
      ocrId = node.sampleModelId as bigint;
      agents = providerAccounts.map((dev) =>
        createProviderAgent({
          account: dev.account,
          rpcUrl: node.services.chain.rpcUrl,
          chainId: node.services.chain.deployment.chainId,
          contracts: contracts(),
          bus: node.services.bus as NonNullable<typeof node.services.bus>,
          dataDir: path.join(dataDir, 'providers', dev.address.toLowerCase()),
          heartbeatIntervalMs: 500,
          revealPollMs: 200,
          log: process.env.SOUK_TEST_LOG ? console.log : undefined,
          faults: {
            falseFailure: (jobId) => {
              if (lieAbout !== jobId) return false;
              liar ??= dev.address.toLowerCase();
              return liar === dev.address.toLowerCase();
            },
          },
        }),
      );
      for (const agent of agents) await agent.start();
      client = createSoukClient({ url: node.url });
      await signIn(client, { account: requester.account });
      // A generic ONNX model (no declared inputs: the node reads them from the model's ONNX session).
      onnxId = await publishClassifier(client, { name: 'Direction classifier (generic ONNX)' });
      // The same model with its inputs declared in the manifest: the node checks against those.
      declaredId = await publishClassifier(client, {
        name: 'Direction classifier (declared inputs)',
        inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3, 48, 192] }],
      });
    });

    after(async () => {
      for (const agent of agents) await agent.stop().catch(() => {});
      await node?.stop();
      await setup.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    describe('refused at order time with a 422 naming what is wrong, nothing escrowed', () => {
      const cases: Array<{ name: string; asset: () => bigint; input: () => Uint8Array; detail: RegExp }> = [
        { name: 'a PNG to an onnx model', asset: () => onnxId, input: () => png, detail: /not UTF-8 JSON/ },
        {
          name: 'an empty tensor map',
          asset: () => onnxId,
          input: () => json({ tensors: {} }),
          detail: /no tensors.*the model takes: x float32\[p2o\.DynamicDimension\.0, 3, /, // from its ONNX session
        },
        {
          name: 'a wrong tensor name',
          asset: () => onnxId,
          input: () => json({ tensors: { image: zeros([1, 3, 48, 192]) } }),
          detail: /missing: x; unknown: image/,
        },
        {
          // A bare .npy is the only input's tensor (docs/provider.md): decoded, then checked like any tensor.
          name: 'a bare .npy of the wrong dtype',
          asset: () => onnxId,
          input: () => writeNpy({ dtype: 'int32', dims: [1, 3, 4, 4], data: new Int32Array(48) }),
          detail: /"x" has dtype int32; the model takes float32/,
        },
        {
          name: 'a wrong dtype',
          asset: () => onnxId,
          input: () => json({ tensors: { x: zeros([1, 3, 4, 4], 'int32') } }),
          detail: /"x" has dtype int32; the model takes float32/,
        },
        {
          name: 'a wrong rank',
          asset: () => onnxId,
          input: () => json({ tensors: { x: zeros([3, 4, 4]) } }),
          detail: /"x" has rank 3 .*rank 4/,
        },
        {
          name: 'an empty tensor map to a model whose manifest declares its inputs (named from the manifest)',
          asset: () => declaredId,
          input: () => json({ tensors: {} }),
          detail: /no tensors.*the model takes: x float32\[batch, 3, 48, 192\]/,
        },
        {
          name: 'bytes that are not an image to the OCR model',
          asset: () => ocrId,
          input: () => json({ tensors: {} }),
          detail: /not a readable image/,
        },
      ];
      for (const c of cases) {
        test(`order-time refusal: ${c.name}`, async () => {
          const [escrowBefore, countBefore, balanceBefore] = await Promise.all([escrowed(), jobCount(), balance()]);
          const { uploadId } = await uploadContent(client, { data: c.input(), encrypt: true });
          const response = await client.request('/api/v1/jobs', {
            method: 'POST',
            body: { assetId: String(c.asset()), uploadId, rewardWei: String(parseEther('0.01')), redundancy: 2 },
            accept: [422],
          });
          assert.equal(response.status, 422);
          assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
          const problem = (await response.json()) as { code: string; detail: string };
          assert.equal(problem.code, 'SOUK_ERR_INVALID_JOB_INPUT');
          assert.match(problem.detail, c.detail);
          assert.equal(await escrowed(), escrowBefore, 'nothing escrowed');
          assert.equal(await jobCount(), countBefore, 'no job submitted');
          assert.equal(await balance(), balanceBefore, 'the requester paid nothing, not even gas');
        });
      }

      test('the SDK path (runJob) rejects with the 422 before anything is escrowed', async () => {
        const countBefore = await jobCount();
        const error = await runJob(client, {
          assetId: onnxId,
          input: json({ tensors: {} }),
          maxPriceWei: parseEther('0.01'),
        }).then(
          (handle) => handle.close(), // (only if it was wrongly accepted: stop following it)
          (e: unknown) => e,
        );
        assert.ok(error instanceof SoukApiError, String(error));
        assert.equal(error.status, 422);
        assert.match(error.details ?? '', /no tensors/);
        assert.equal(await jobCount(), countBefore);
      });
    });

    describe('a job with an input the model cannot take ends failed with its reason and slashes nobody', () => {
      const cases = [
        {
          name: 'a truncated PNG to the OCR model (its header reads, its pixels do not)',
          asset: () => ocrId,
          input: () => png.subarray(0, Math.floor(png.length * 0.6)),
          reason: /not a readable image/,
          code: 'invalid-input',
        },
        {
          name: 'a tensor whose fixed dimension is wrong to an onnx model (ONNX Runtime refuses it)',
          asset: () => onnxId,
          input: () => json({ tensors: { x: zeros([1, 4, 8, 8]) } }),
          reason: /invalid dimensions for input: x/,
          code: 'invalid-argument',
        },
      ];
      for (const c of cases) {
        test(`a job with an input the model cannot take ends failed with its reason and slashes nobody: ${c.name}`, async () => {
          const [stakesBefore, balanceBefore] = await Promise.all([stakes(), balance()]);
          const reward = parseEther('0.01');
          const handle = await runJob<OcrOutput>(client, {
            assetId: c.asset(),
            input: c.input(),
            redundancy: 2,
            maxPriceWei: reward,
            deadlineSeconds: 120,
            pollIntervalMs: 100,
          });
          const started = Date.now();
          const error = await handle.result({ timeoutMs: 170_000 }).then(
            () => undefined,
            (e: unknown) => e,
          );
          assert.ok(error instanceof JobFailedError, `expected JobFailedError, got ${String(error)}`);
          assert.ok(Date.now() - started < 60_000, 'failed at once, not at the deadline');
          assert.equal(error.jobId, handle.jobId);
          assert.match(error.reason, c.reason);
          assert.equal(error.code, c.code);
          assert.equal(error.reproducedByReferee, true);
          const failed = handle.history.find((e) => e.type === 'failed');
          assert.ok(failed && failed.type === 'failed');
          assert.match(failed.reason ?? '', c.reason);

          const job = await getJob(client, { jobId: handle.jobId });
          assert.equal(job.status, 'failed');
          assert.ok(job.failure);
          assert.match(job.failure.reason ?? '', c.reason);
          assert.equal(job.failure.reproducedByReferee, true);
          const assigned = job.assignments.map((a) => a.provider.toLowerCase());
          assert.ok(assigned.includes(job.failure.reportedBy ?? ''), 'reported by an assigned provider');
          assert.ok(job.events.some((e) => e.kind === 'JobFailed'));
          assert.ok(!job.events.some((e) => e.kind === 'ProviderSlashed'), 'nobody slashed');
          assert.ok(
            !job.events.some((e) => e.kind === 'ProviderReassigned'),
            'nobody treated as having missed a commit',
          );
          assert.deepEqual(
            job.payouts.map((p) => [p.role, p.account.toLowerCase(), p.amount]),
            [['refund', requester.address.toLowerCase(), String(reward)]],
          );
          assert.deepEqual(await stakes(), stakesBefore, 'every stake intact');
          assert.deepEqual(await active(), [true, true, true], 'every provider still active');
          assert.equal(await escrowed(), 0n);
          assert.ok(balanceBefore - (await balance()) < parseEther('0.001'), 'refunded in full: only gas spent');
        });
      }
    });

    test('a provider that falsely reports a failure of a runnable job is reassigned and not paid', async () => {
      const stakesBefore = await stakes();
      const reward = parseEther('0.01');
      const { uploadId } = await uploadContent(client, { data: png, encrypt: true });
      const submitted = await client.json<{ jobId: string }>('/api/v1/jobs', {
        method: 'POST',
        body: { assetId: String(ocrId), uploadId, rewardWei: String(reward), redundancy: 2 },
      });
      lieAbout = BigInt(submitted.jobId);
      let job = await getJob(client, { jobId: lieAbout }).catch(() => undefined);
      const deadline = Date.now() + 120_000;
      while (job?.status !== 'finalized' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        job = await getJob(client, { jobId: lieAbout }).catch(() => undefined);
      }
      assert.ok(job, 'the job was indexed');
      assert.equal(job.status, 'finalized', 'the job ran to the end');
      assert.ok(liar, 'a provider lied about the job');
      const reassigned = job.events.find((e) => e.kind === 'ProviderReassigned');
      assert.ok(reassigned, 'the liar was reassigned');
      assert.equal(String((reassigned.data as { previous: string }).previous).toLowerCase(), liar);
      const paid = job.payouts.filter((p) => p.role === 'provider').map((p) => p.account.toLowerCase());
      assert.equal(paid.length, 2);
      assert.ok(!paid.includes(liar), 'the liar is not paid');
      assert.equal(job.failure ?? null, null, 'the job did not fail');
      assert.equal((await getJob(client, { jobId: lieAbout })).status, 'finalized');
      // Reassignment does not slash: only the contract's failure count goes up (reputation).
      assert.deepEqual(await stakes(), stakesBefore);
      const info = await publicClient().readContract({
        address: contracts().providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'getProvider',
        args: [liar as Address],
      });
      assert.ok(info.failed >= 1n);
      assert.equal(await escrowed(), 0n);
    });
  });
