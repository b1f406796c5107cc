/**
 * The compute market end to end, on real input: ImageMagick-rendered text images run through the whole market —
 * SDK `runJob` → node (job API, scheduler, gateway) → providers (download, PaddleOCR on ONNX Runtime, commit,
 * reveal) → ComputeMarket settlement — then faults: a provider killed mid-job, a corrupted result, no provider,
 * and the node restarted mid-job. Runs on the embedded defaults (PGlite, in-process bus), and again — faults
 * included — on the machine's NATS JetStream + PostgreSQL when they are reachable (real crashes: `faults.test.ts`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeMarketAbi, devAccounts } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { JOB_ACCESS_HEADER } from '@souk/protocol';
import { createProviderAgent, type ProviderAgent, signJobAccess } from '@souk/provider';
import { dejavuFont, findImageMagick, levenshtein, renderText } from '@souk/provider/test-utils';
import {
  createSoukClient,
  getJobsOverTime,
  type JobResult,
  listJobs,
  runJob,
  type SoukClient,
  signIn,
} from '@souk/sdk';
import { parseEther, zeroAddress } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { serviceSetups } from '../testing/setups.ts';

type OcrOutput = { lines: Array<{ text: string; confidence: number; box: number[][] }> };
const textOf = (output: OcrOutput) => output.lines.map((l) => l.text).join('\n');
const normalise = (s: string) => s.replace(/[ \t]+/g, ' ').trim();

/** The texts rendered: single- and multi-line, digits and punctuation. */
const TEXTS = ['Souk compute market', 'TOTAL 12.50 EUR\nPaid by card 4242', 'Invoice 2026-11-23\nQty 3 x 4.10'];
const FONTS = ['DejaVuSans.ttf', 'DejaVuSerif.ttf'];
const SIZES = [28, 40];

/** The set-ups, with the images each runs through the market: all on the embedded one, four on the services (the
 * fault block, which both run, uses the first four). */
const setups = (await serviceSetups('souk_compute')).map((setup) => ({
  ...setup,
  images: setup.kind === 'embedded' ? TEXTS.length * FONTS.length * SIZES.length : 4,
}));

for (const setup of setups) {
  describe(`compute market end to end on ${setup.name}`, { skip: setup.skip }, () => {
    let dataDir: string;
    let node: RunningNode;
    let client: SoukClient;
    let agents: ProviderAgent[] = [];
    let sampleId: bigint;
    const images: Array<{ name: string; text: string; png: Uint8Array }> = [];
    const accounts = devAccounts();
    const requester = accounts[1];
    const providerAccounts = [accounts[9], accounts[8], accounts[7]];
    /** Fault switches the tests flip, read by the agents at each assignment. */
    const faults: { drop?: bigint | undefined; corrupt?: bigint | undefined } = {};
    const faulted = new Map<string, string>(); // `${kind}:${jobId}` → provider that took the fault
    let devnetPort: number;

    const takeFault = (kind: 'drop' | 'corrupt', address: string) => (jobId: bigint) => {
      if (faults[kind] !== jobId) return false;
      const key = `${kind}:${jobId}`;
      if (faulted.has(key) && faulted.get(key) !== address) return false;
      faulted.set(key, address);
      return true;
    };

    async function startProviders() {
      agents = providerAccounts.map((dev) =>
        createProviderAgent({
          account: dev.account,
          rpcUrl: node.services.chain.rpcUrl,
          chainId: node.services.chain.deployment.chainId,
          contracts: node.services.chain.deployment.contracts,
          bus: node.services.bus as NonNullable<typeof node.services.bus>,
          dataDir: path.join(dataDir, 'providers', dev.address.toLowerCase()),
          heartbeatIntervalMs: 500,
          log: process.env.SOUK_TEST_LOG ? console.log : undefined,
          revealPollMs: 200,
          faults: {
            neverCommit: takeFault('drop', dev.address.toLowerCase()),
            corruptResult: takeFault('corrupt', dev.address.toLowerCase()),
          },
        }),
      );
      for (const agent of agents) await agent.start();
    }

    async function start() {
      const config = loadConfig(
        { 'data-dir': dataDir, port: '0', 'devnet-port': String(devnetPort), providers: '0' },
        { SOUK_AUDIT_RATE: '0', SOUK_COMMIT_TIMEOUT_SECONDS: '10', ...setup.env },
      );
      node = await startNode(config, { logger: false, log: process.env.SOUK_TEST_LOG ? console.log : undefined });
      sampleId = node.sampleModelId as bigint;
      await startProviders();
      client = createSoukClient({ url: node.url });
      await signIn(client, { account: requester.account });
    }

    const escrowed = () =>
      node.services.chain.publicClient.readContract({
        address: node.services.chain.deployment.contracts.computeMarket,
        abi: computeMarketAbi,
        functionName: 'totalEscrowed',
        args: [zeroAddress],
      });

    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'souk-compute-'));
      devnetPort = await freePort();
      const magick = findImageMagick();
      outer: for (const [t, text] of TEXTS.entries()) {
        for (const font of FONTS) {
          for (const size of SIZES) {
            if (images.length >= setup.images) break outer;
            const out = path.join(dataDir, `${t}-${font}-${size}.png`);
            renderText(magick, { out, text, font: dejavuFont(font), pointSize: size });
            images.push({ name: `${font} ${size}px #${t}`, text, png: new Uint8Array(readFileSync(out)) });
          }
        }
      }
      await start();
    });

    after(async () => {
      for (const agent of agents) await agent.stop().catch(() => {});
      await node?.stop();
      await setup.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('the sample OCR model was published at first start as an encrypted, minted asset', async () => {
      assert.ok(sampleId > 0n);
      const manifest = (await (await fetch(`${node.url}/api/v1/assets/${sampleId}/manifest`)).json()) as {
        runtime: { pipeline: string };
        content: { encryption: unknown };
      };
      assert.equal(manifest.runtime.pipeline, 'ocr');
      assert.notEqual(manifest.content.encryption, null);
      const direct = await fetch(`${node.url}/api/v1/assets/${sampleId}/content`);
      assert.equal(direct.status, 401, 'the bundle is not downloadable without a licence or a job');
    });

    test(`rendered images through the market at r = 2: CER ≤ 2 %, equal hashes, exact 80/15/5 payouts, escrow empty`, async (t) => {
      const reward = parseEther('0.01');
      let distance = 0;
      let length = 0;
      const misses: string[] = [];
      for (const image of images) {
        const handle = await runJob<OcrOutput>(client, {
          assetId: sampleId,
          input: image.png,
          redundancy: 2,
          maxPriceWei: reward,
          pollIntervalMs: 100,
        });
        const result: JobResult<OcrOutput> = await handle.result({ timeoutMs: 120_000 });
        const d = levenshtein(normalise(textOf(result.output)), normalise(image.text));
        distance += d;
        length += [...normalise(image.text)].length;
        if (d > 0) misses.push(`${image.name}: ${JSON.stringify(textOf(result.output))}`);

        // Both providers revealed the same hash, equal to the settled one.
        const revealed = handle.history.filter((e) => e.type === 'revealed');
        assert.equal(revealed.length, 2);
        for (const e of revealed) assert.equal(e.type === 'revealed' && e.resultHash.toLowerCase(), result.resultHash);
        // (A provider replaced for being slow may also have stored an equal result before losing its slot.)
        const agreed = new Set(result.providers.filter((p) => p.agreed).map((p) => p.provider));
        for (const e of revealed) assert.ok(e.type === 'revealed' && agreed.has(e.provider.toLowerCase()));

        // Payout: exactly 80 / 15 / 5 to the wei; the providers' 80 % split between the two.
        const finalized = handle.history.find((e) => e.type === 'finalized');
        assert.ok(finalized && finalized.type === 'finalized');
        const byRole = (role: string) => finalized.payouts.filter((p) => p.role === role);
        const providerPaid = byRole('provider');
        assert.equal(providerPaid.length, 2);
        for (const p of providerPaid) assert.equal(BigInt(p.amount), (reward * 8_000n) / 10_000n / 2n);
        const [creator] = byRole('creator');
        assert.equal(BigInt(creator.amount), (reward * 500n) / 10_000n, 'creator gets 5 %');
        assert.equal(creator.account.toLowerCase(), accounts[0].address.toLowerCase(), 'paid to the model creator');
        const [treasury] = byRole('treasury');
        const total =
          providerPaid.reduce((s, p) => s + BigInt(p.amount), 0n) + BigInt(creator.amount) + BigInt(treasury.amount);
        assert.equal(total, reward, 'the whole escrow is paid out');
        assert.equal(BigInt(treasury.amount), (reward * 1_500n) / 10_000n);
        assert.equal(await escrowed(), 0n, 'no escrow left');
        handle.close();
      }
      const cer = distance / length;
      t.diagnostic(`CER ${(cer * 100).toFixed(2)} % over ${images.length} images through the market`);
      for (const miss of misses) t.diagnostic(miss);
      assert.ok(cer <= 0.02, `CER ${cer}:\n${misses.join('\n')}`);
    });

    test('analytics: jobs per hour with outcomes and latency percentiles', async () => {
      const buckets = await getJobsOverTime(client, { bucket: 'hour' });
      const submitted = buckets.reduce((n, b) => n + b.submitted, 0);
      const settled = buckets.reduce((n, b) => n + b.settled, 0);
      assert.ok(submitted >= images.length && settled >= images.length, `${submitted} submitted, ${settled} settled`);
      const last = buckets.at(-1);
      assert.ok(last && last.latencyP50 !== null && last.latencyP50 >= 0 && (last.latencyP95 ?? 0) >= last.latencyP50);
    });

    test('jobs are listed by model, requester and provider, newest first, with cursor pagination', async () => {
      // Pages of 2: the PostgreSQL + NATS setup runs 3 jobs.
      const page = await listJobs(client, { modelId: sampleId, limit: 2 });
      assert.equal(page.items.length, 2);
      assert.ok(BigInt(page.items[0].id) > BigInt(page.items[1].id));
      assert.ok(page.nextCursor);
      const next = await listJobs(client, { modelId: sampleId, limit: 2, cursor: page.nextCursor });
      assert.ok(BigInt(next.items[0].id) < BigInt(page.items[1].id));
      const mine = await listJobs(client, { requester: requester.address, status: 'finalized', limit: 100 });
      assert.ok(mine.items.length >= images.length);
      // Which providers the scheduler picked depends on scores and load: look at all three.
      const byProvider = await Promise.all(
        providerAccounts.map((p) => listJobs(client, { provider: p.address, limit: 100 })),
      );
      const all = await listJobs(client, { limit: 100 });
      assert.ok(byProvider.some((p) => p.items.length > 0));
      for (const p of byProvider) assert.ok(p.items.length <= all.items.length);
      const bad = await client.request('/api/v1/jobs?provider=nope', { accept: [400] });
      assert.equal(bad.status, 400);
    });

    test('the job gateway refuses requests without a valid job access, with problem+json reasons', async () => {
      const none = await fetch(`${node.url}/api/v1/jobs/1/model`);
      assert.equal(none.status, 401);
      assert.match(none.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.match(((await none.json()) as { detail: string }).detail, /X-Souk-Job-Access/);
      // A well-signed access from an account that holds no slot of job 1 (a settled job): 403.
      const access = await signJobAccess({
        account: accounts[5].account,
        jobId: 1n,
        chainId: node.services.chain.deployment.chainId,
        computeMarket: node.services.chain.deployment.contracts.computeMarket,
      });
      const foreign = await fetch(`${node.url}/api/v1/jobs/1/input`, { headers: { [JOB_ACCESS_HEADER]: access } });
      assert.equal(foreign.status, 403);
      const replay = await fetch(`${node.url}/api/v1/jobs/1/input`, { headers: { [JOB_ACCESS_HEADER]: access } });
      assert.equal(replay.status, 401, 'a nonce is single-use');
      const garbage = await fetch(`${node.url}/api/v1/jobs/1/model`, { headers: { [JOB_ACCESS_HEADER]: 'not-json' } });
      assert.equal(garbage.status, 401);
      // Submitting with a malformed body, or someone else's upload: 400 / 404, nothing escrowed.
      const bad = await client.request('/api/v1/jobs', {
        method: 'POST',
        body: { assetId: String(sampleId), uploadId: 'nope', rewardWei: '1' },
        accept: [400],
      });
      assert.equal(bad.status, 400);
      const missing = await client.request('/api/v1/jobs', {
        method: 'POST',
        body: { assetId: String(sampleId), uploadId: crypto.randomUUID(), rewardWei: '1' },
        accept: [404],
      });
      assert.equal(missing.status, 404);
      assert.equal(await escrowed(), 0n);
    });

    test('a provider killed mid-job is replaced after its commit timeout and the job completes', async () => {
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: images[0].png,
        redundancy: 2,
        maxPriceWei: parseEther('0.01'),
        pollIntervalMs: 100,
      });
      faults.drop = handle.jobId;
      // The first provider to receive the assignment takes the job and dies before committing.
      const deadline = Date.now() + 30_000;
      while (!faulted.has(`drop:${handle.jobId}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const victimAddress = faulted.get(`drop:${handle.jobId}`);
      assert.ok(victimAddress, 'an assigned provider took the fault');
      const victim = agents.find((a) => a.address.toLowerCase() === victimAddress);
      await victim?.kill();
      const result = await handle.result({ timeoutMs: 120_000 });
      assert.equal(normalise(textOf(result.output)), normalise(images[0].text));
      const reassigned = handle.history.find((e) => e.type === 'reassigned');
      assert.ok(reassigned && reassigned.type === 'reassigned');
      assert.equal(reassigned.previous.toLowerCase(), victimAddress);
      assert.equal(await escrowed(), 0n);
      await victim?.start(); // back for the next tests
    });

    test('a corrupted result is disputed, re-executed by the referee, the cheat slashed, the right answer returned', async () => {
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: images[1].png,
        redundancy: 2,
        maxPriceWei: parseEther('0.01'),
        pollIntervalMs: 100,
      });
      faults.corrupt = handle.jobId;
      const result = await handle.result({ timeoutMs: 120_000 });
      const cheat = faulted.get(`corrupt:${handle.jobId}`);
      assert.ok(cheat, 'one provider corrupted its result');
      assert.ok(handle.history.some((e) => e.type === 'disputed'));
      const slashed = handle.history.filter((e) => e.type === 'slashed');
      assert.deepEqual(
        slashed.map((e) => e.type === 'slashed' && e.provider.toLowerCase()),
        [cheat],
      );
      assert.equal(
        normalise(textOf(result.output)),
        normalise(images[1].text),
        'the requester gets the correct answer',
      );
      assert.equal(result.audit?.reason, 'dispute');
      const honest = result.providers.filter((p) => p.agreed).map((p) => p.provider);
      assert.ok(honest.length >= 1);
      assert.ok(!honest.includes(cheat));
      assert.equal(await escrowed(), 0n);
    });

    test('the node restarted mid-job resumes it and settles it exactly once', async () => {
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: images[3].png,
        redundancy: 2,
        maxPriceWei: parseEther('0.01'),
        pollIntervalMs: 100,
      });
      const jobId = handle.jobId;
      // Stop everything as soon as the job is assigned.
      const deadline = Date.now() + 30_000;
      while (!handle.history.some((e) => e.type === 'assigned') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      handle.close();
      for (const agent of agents) await agent.kill();
      await node.stop();

      await start();
      const resumed = createSoukClient({ url: node.url, accessToken: client.accessToken });
      const deadline2 = Date.now() + 120_000;
      let job = await resumed.json<{ status: string }>(`/api/v1/jobs/${jobId}`).catch(() => ({ status: 'unknown' }));
      while (job.status !== 'finalized' && Date.now() < deadline2) {
        await new Promise((r) => setTimeout(r, 200));
        job = await resumed.json<{ status: string }>(`/api/v1/jobs/${jobId}`).catch(() => ({ status: 'unknown' }));
      }
      assert.equal(job.status, 'finalized');
      const full = await resumed.json<{ events: Array<{ kind: string }>; payouts: Array<{ role: string }> }>(
        `/api/v1/jobs/${jobId}`,
      );
      assert.equal(full.events.filter((e) => e.kind === 'JobSettled').length, 1, 'settled exactly once');
      assert.equal(full.payouts.filter((p) => p.role === 'provider').length, 2);
      assert.equal(full.payouts.filter((p) => p.role === 'creator').length, 1);
      const result = await resumed.json<JobResult<OcrOutput>>(`/api/v1/jobs/${jobId}/result`);
      assert.equal(normalise(textOf(result.output)), normalise(images[3].text));
      assert.equal(await escrowed(), 0n);
    });
    test('no provider before the deadline: the job is refunded in full', async () => {
      for (const agent of agents) await agent.stop();
      const before = await node.services.chain.publicClient.getBalance({ address: requester.address });
      const handle = await runJob(client, {
        assetId: sampleId,
        input: images[2].png,
        redundancy: 2,
        maxPriceWei: parseEther('0.01'),
        deadlineSeconds: 30,
        pollIntervalMs: 100,
      });
      // Nobody takes it (the stopped providers' heartbeats go stale); the node refunds it after the deadline.
      await assert.rejects(handle.result({ timeoutMs: 90_000 }), /refunded/);
      const refunded = handle.history.find((e) => e.type === 'refunded');
      assert.ok(refunded && refunded.type === 'refunded');
      assert.equal(BigInt(refunded.amountWei), parseEther('0.01'));
      const afterBalance = await node.services.chain.publicClient.getBalance({ address: requester.address });
      assert.ok(before - afterBalance < parseEther('0.001'), 'only gas was spent');
      assert.equal(await escrowed(), 0n);
      await startProviders();
    });
  });
}
