/**
 * Compute faults that crash instead of simulating, on the embedded defaults (PGlite + in-process bus) and on the
 * machine's PostgreSQL (a fresh database) + NATS JetStream (a fresh stream):
 *
 * - an assignment message that never reaches its provider (lost on the bus): re-announced, then reassigned — the
 *   provider is not slashed for work it never got — or, with no replacement available, released, and the job refunded
 *   at its deadline without slashing it;
 * - a job submitted after the devnet sat idle (its next block minutes past its last) with a short deadline;
 * - a provider process killed with SIGKILL after its commit, restarted from its data dir: it still reveals (NATS);
 * - the random audit at r = 1 (audit rate 1) catching a corrupted result: challenge, slash, requester refunded.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { computeMarketAbi, devAccounts, providerRegistryAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import type { ProviderBus, ResultNotice } from '@souk/protocol';
import { createProviderAgent, type ProviderAgent } from '@souk/provider';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { createSoukClient, runJob, type SoukClient, signIn } from '@souk/sdk';
import { type Address, parseEther, zeroAddress } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { TEST_NATS_URL } from '../testing/services.ts';
import { serviceSetups } from '../testing/setups.ts';
import { chainNow } from './chainClock.ts';

type OcrOutput = { lines: Array<{ text: string }> };
const textOf = (output: OcrOutput) =>
  output.lines
    .map((l) => l.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();

const NATS_URL = TEST_NATS_URL;
const STAKE = parseEther('2000'); // twice the minimum: one slash leaves the provider active
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A provider's bus on which assignment messages can be lost: while `lost()` holds, they vanish unseen; while
 * `gateway()` names a URL, assignments send the provider there for the job's model and input instead of the node.
 */
function lossyBus(
  bus: ProviderBus,
  lost: () => boolean,
  gateway: () => string | undefined = () => undefined,
): ProviderBus {
  return {
    kind: bus.kind,
    subjects: bus.subjects,
    publish: (subject, data, options) => bus.publish(subject, data, options),
    subscribe: (subject, handler, options) =>
      bus.subscribe(
        subject,
        (message: Parameters<typeof handler>[0]) => {
          const assignment = subject === bus.subjects.assigned(subject.split('.').at(-1) as string);
          if (assignment && lost() && (message.data as { purpose?: string }).purpose !== 'reveal') return;
          const url = assignment ? gateway() : undefined;
          return handler(url ? { ...message, data: { ...(message.data as object), nodeUrl: url } as never } : message);
        },
        options,
      ),
  };
}

for (const setup of await serviceSetups('souk_faults', 'faults')) {
  describe(`compute faults on ${setup.name}`, { timeout: 900_000, skip: setup.skip }, () => {
    let dataDir: string;
    let node: RunningNode;
    let client: SoukClient;
    let sampleId: bigint;
    const png: Uint8Array[] = [];
    const TEXTS = ['Souk fault drill', 'Refund 7.25 EUR', 'Kill nine'];
    const accounts = devAccounts();
    const requester = accounts[1];
    const deafAccount = accounts[7];
    const honestAccount = accounts[9];
    const processAccount = accounts[6];
    const agents = new Map<string, ProviderAgent>();
    let deaf = true;
    /** While set, the lossy provider downloads through this tampering proxy of the node's gateway. */
    let tamperUrl: string | undefined;
    let corrupt = false;
    /** Per provider address: a commit hold the test releases. */
    const holds = new Map<string, { promise: Promise<void>; release: () => void }>();
    const children: ChildProcess[] = [];
    /** The node's log lines (the coordinator's decisions). */
    const nodeLog: string[] = [];

    const hold = (address: string) => {
      let release = () => {};
      const promise = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.set(address.toLowerCase(), { promise, release });
    };

    function agentFor(dev: (typeof accounts)[number], bus: ProviderBus): ProviderAgent {
      const address = dev.address.toLowerCase();
      return createProviderAgent({
        account: dev.account,
        rpcUrl: node.services.chain.rpcUrl,
        chainId: node.services.chain.deployment.chainId,
        contracts: node.services.chain.deployment.contracts,
        bus,
        dataDir: path.join(dataDir, 'providers', address),
        stakeWei: STAKE,
        heartbeatIntervalMs: 500,
        revealPollMs: 200,
        log: process.env.SOUK_TEST_LOG ? console.log : undefined,
        faults: { corruptResult: () => corrupt, holdCommit: () => holds.get(address)?.promise },
      });
    }

    async function startAgent(dev: (typeof accounts)[number], bus: ProviderBus) {
      const agent = agentFor(dev, bus);
      await agent.start();
      agents.set(dev.address.toLowerCase(), agent);
    }

    /** The lossy provider hears its assignments again and the honest one is up (the first test starts it). */
    async function bothInProcessProvidersUp() {
      deaf = false;
      if (!agents.has(honestAccount.address.toLowerCase())) {
        await startAgent(honestAccount, node.services.bus as ProviderBus);
      }
    }

    const chain = () => node.services.chain;
    const stakeOf = async (provider: Address) =>
      (
        await chain().publicClient.readContract({
          address: chain().deployment.contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'getProvider',
          args: [provider],
        })
      ).stake;
    const slashesOf = (jobId: bigint) =>
      chain().publicClient.getContractEvents({
        address: chain().deployment.contracts.computeMarket,
        abi: computeMarketAbi,
        eventName: 'ProviderSlashed',
        args: { jobId },
        fromBlock: 0n,
      });
    const escrowed = () =>
      chain().publicClient.readContract({
        address: chain().deployment.contracts.computeMarket,
        abi: computeMarketAbi,
        functionName: 'totalEscrowed',
        args: [zeroAddress],
      });
    const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, ms = 60_000) => {
      const end = Date.now() + ms;
      while (!(await ok())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
      }
    };

    /** Starts the provider agent in a child process on the node's NATS bus; resolves once it is up. */
    async function spawnProvider(lines: string[]): Promise<ChildProcess> {
      const child = spawn(process.execPath, [fileURLToPath(new URL('./providerProcess.fixture.ts', import.meta.url))], {
        env: {
          ...process.env,
          PROVIDER_KEY: processAccount.privateKey,
          RPC_URL: chain().rpcUrl,
          CHAIN_ID: String(chain().deployment.chainId),
          CONTRACTS: JSON.stringify(chain().deployment.contracts),
          NATS_URL,
          BUS_PREFIX: setup.env.SOUK_BUS_PREFIX,
          DATA_DIR: path.join(dataDir, 'providers', 'process'),
          STAKE_WEI: String(STAKE),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      await waitFor(`the provider process (${stderr})`, () => {
        if (child.exitCode !== null) throw new Error(`provider process exited ${child.exitCode}: ${stderr}`);
        return lines.includes('PROVIDER UP');
      });
      return child;
    }

    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'souk-faults-'));
      const magick = findImageMagick();
      for (const [i, text] of TEXTS.entries()) {
        const out = path.join(dataDir, `${i}.png`);
        renderText(magick, { out, text, font: dejavuFont('DejaVuSans.ttf'), pointSize: 36 });
        png.push(new Uint8Array(readFileSync(out)));
      }
      const config = loadConfig(
        { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
        // Every agreeing job is audited; a provider is only replaced for a missing commit after 10 minutes, so a
        // reassignment within the tests' deadlines comes from the missing receipt alone.
        { SOUK_AUDIT_RATE: '1', SOUK_COMMIT_TIMEOUT_SECONDS: '600', ...setup.env },
      );
      node = await startNode(config, {
        logger: false,
        log: (line) => {
          nodeLog.push(line);
          if (process.env.SOUK_TEST_LOG) console.log(line);
        },
      });
      sampleId = node.sampleModelId as bigint;
      client = createSoukClient({ url: node.url });
      await signIn(client, { account: requester.account });
      // Only the provider whose assignments get lost is up at first: the scheduler has no one else to pick.
      await startAgent(
        deafAccount,
        lossyBus(
          node.services.bus as ProviderBus,
          () => deaf,
          () => tamperUrl,
        ),
      );
    });

    after(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      for (const agent of agents.values()) await agent.stop().catch(() => {});
      await node?.stop();
      await setup.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('a provider that never received its assignment is released, not slashed, when no replacement exists', async () => {
      // Only the provider whose assignment messages are lost is up: r = 1 with exactly the providers the job needs.
      const deafStake = await stakeOf(deafAccount.address);
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: png[0],
        redundancy: 1,
        maxPriceWei: parseEther('0.01'),
        deadlineSeconds: 45,
        pollIntervalMs: 100,
      });
      try {
        await waitFor('the assignment', () => handle.history.some((e) => e.type === 'assigned'));
        const assigned = handle.history.find((e) => e.type === 'assigned');
        assert.equal(
          assigned?.type === 'assigned' && assigned.provider.toLowerCase(),
          deafAccount.address.toLowerCase(),
        );
        await assert.rejects(handle.result({ timeoutMs: 150_000 }), /refunded/);
        assert.ok(
          handle.history.some((e) => e.type === 'refunded'),
          'the requester got the escrow back',
        );
        assert.deepEqual(await slashesOf(handle.jobId), [], 'nobody slashed');
        assert.equal(await stakeOf(deafAccount.address), deafStake, 'it keeps its stake');
        const released = await chain().publicClient.getContractEvents({
          address: chain().deployment.contracts.computeMarket,
          abi: computeMarketAbi,
          eventName: 'ProviderReleased',
          args: { jobId: handle.jobId },
          fromBlock: 0n,
        });
        assert.deepEqual(
          released.map((e) => e.args.provider?.toLowerCase()),
          [deafAccount.address.toLowerCase()],
          'the provider that never got the work was released',
        );
        const locked = await chain().publicClient.readContract({
          address: chain().deployment.contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'lockedStake',
          args: [deafAccount.address],
        });
        assert.equal(locked, 0n, 'its stake lock was released');
        // The index knows it left the job (`ProviderReleased`): it no longer holds the slot.
        const rows = await node.services.db
          .selectFrom('job_assignments')
          .select(['provider', 'assigned'])
          .where('job_id', '=', String(handle.jobId))
          .execute();
        assert.deepEqual(
          rows.map((r) => [r.provider, r.assigned]),
          [[deafAccount.address.toLowerCase(), false]],
          'indexed as no longer assigned',
        );
        assert.ok(
          nodeLog.some((l) => l.includes(`job ${handle.jobId}:`) && l.includes('released (not slashed)')),
          'the coordinator released it',
        );
        assert.equal(await escrowed(), 0n);
      } finally {
        handle.close();
      }
    });

    test('a provider that never received its assignment is reassigned, not slashed', async () => {
      const deafStake = await stakeOf(deafAccount.address);
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: png[0],
        redundancy: 1,
        maxPriceWei: parseEther('0.01'),
        deadlineSeconds: 120,
        pollIntervalMs: 100,
      });
      try {
        await waitFor('the assignment', () => handle.history.some((e) => e.type === 'assigned'));
        const assigned = handle.history.find((e) => e.type === 'assigned');
        assert.equal(
          assigned?.type === 'assigned' && assigned.provider.toLowerCase(),
          deafAccount.address.toLowerCase(),
        );
        // Its assignment messages are lost; an honest provider joins and must get the job.
        await startAgent(honestAccount, node.services.bus as ProviderBus);
        const result = await handle.result({ timeoutMs: 150_000 });
        assert.equal(textOf(result.output), TEXTS[0]);
        const reassigned = handle.history.find((e) => e.type === 'reassigned');
        assert.ok(reassigned && reassigned.type === 'reassigned', 'the job moved to another provider');
        assert.equal(reassigned.previous.toLowerCase(), deafAccount.address.toLowerCase());
        assert.equal(reassigned.replacement.toLowerCase(), honestAccount.address.toLowerCase());
        assert.deepEqual(await slashesOf(handle.jobId), [], 'nobody slashed');
        assert.equal(
          await stakeOf(deafAccount.address),
          deafStake,
          'the provider that never got the work keeps its stake',
        );
        assert.equal(await escrowed(), 0n);
      } finally {
        handle.close();
        deaf = false;
      }
    });

    test('a job submitted after the devnet sat idle for minutes, with a 30 s deadline, is accepted and completes', async () => {
      await bothInProcessProvidersUp();
      // The idle gap: the devnet's next block will be 7 minutes past its last one (as after 7 idle minutes).
      await chain().publicClient.request({ method: 'evm_increaseTime' as never, params: [420] as never });
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: png[1],
        redundancy: 1,
        maxPriceWei: parseEther('0.01'),
        deadlineSeconds: 30,
        pollIntervalMs: 100,
      });
      try {
        const result = await handle.result({ timeoutMs: 60_000 });
        assert.equal(textOf(result.output), TEXTS[1]);
        assert.equal(result.status, 'finalized');
      } finally {
        handle.close();
      }
    });

    test('a provider process killed with SIGKILL after its commit restarts from its data dir, reveals and is not slashed', {
      skip: setup.kind === 'services' ? false : 'a provider in another process needs the NATS bus',
    }, async () => {
      const lines: string[] = [];
      // Three live providers: the two in-process ones and the process.
      await bothInProcessProvidersUp();
      let child = await spawnProvider(lines);
      const victim = processAccount.address.toLowerCase();
      const stake = await stakeOf(processAccount.address);
      // r = 3 over the three live providers; the two in-process ones hold their commits until the victim is dead,
      // so the job cannot reach its reveals while the victim is still running.
      hold(deafAccount.address);
      hold(honestAccount.address);
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: png[2],
        redundancy: 3,
        maxPriceWei: parseEther('0.03'),
        deadlineSeconds: 300,
        pollIntervalMs: 100,
      });
      try {
        await waitFor(
          'the victim’s commit',
          () => lines.some((l) => l.includes(`job ${handle.jobId} committed`)),
          90_000,
        );
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
        for (const h of holds.values()) h.release();
        holds.clear();
        await waitFor(
          'the others’ reveals',
          () => handle.history.filter((e) => e.type === 'revealed').length === 2,
          90_000,
        );
        assert.ok(!handle.history.some((e) => e.type === 'revealed' && e.provider.toLowerCase() === victim));
        // Back from the same data dir: its saved salt lets it reveal.
        child = await spawnProvider(lines);
        const result = await handle.result({ timeoutMs: 120_000 });
        assert.equal(textOf(result.output), TEXTS[2]);
        assert.ok(handle.history.some((e) => e.type === 'revealed' && e.provider.toLowerCase() === victim));
        assert.ok(result.providers.some((p) => p.provider === victim && p.agreed));
        assert.deepEqual(await slashesOf(handle.jobId), []);
        assert.equal(await stakeOf(processAccount.address), stake);
        const finalized = handle.history.find((e) => e.type === 'finalized');
        assert.ok(finalized?.type === 'finalized');
        assert.ok(finalized.payouts.some((p) => p.role === 'provider' && p.account.toLowerCase() === victim));
      } finally {
        handle.close();
        child.kill('SIGTERM');
        await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      }
    });

    test('the random audit at r = 1 catches a corrupted result: challenge, slash, the requester refunded', async () => {
      await bothInProcessProvidersUp();
      const reward = parseEther('0.01');
      const before = await chain().publicClient.getBalance({ address: requester.address });
      const stakes = new Map<string, bigint>();
      for (const a of [deafAccount, honestAccount, processAccount])
        stakes.set(a.address.toLowerCase(), await stakeOf(a.address));
      corrupt = true;
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: png[0],
        redundancy: 1,
        maxPriceWei: reward,
        deadlineSeconds: 120,
        pollIntervalMs: 100,
      });
      try {
        await assert.rejects(handle.result({ timeoutMs: 150_000 }), /refunded/);
        const revealed = handle.history.filter((e) => e.type === 'revealed');
        assert.equal(revealed.length, 1, 'one provider revealed (a corrupted result)');
        const cheat = revealed[0].type === 'revealed' ? revealed[0].provider.toLowerCase() : '';
        assert.ok(
          handle.history.some((e) => e.type === 'disputed'),
          'the referee challenged the job',
        );
        const slashes = await slashesOf(handle.jobId);
        assert.equal(slashes.length, 1);
        assert.equal(slashes[0].args.provider?.toLowerCase(), cheat);
        const amount = slashes[0].args.amount as bigint;
        assert.ok(amount > 0n);
        assert.equal(await stakeOf(cheat as Address), (stakes.get(cheat) as bigint) - amount, 'the stake dropped');
        const refunded = handle.history.find((e) => e.type === 'refunded');
        assert.ok(refunded?.type === 'refunded');
        assert.equal(BigInt(refunded.amountWei), reward);
        const after = await chain().publicClient.getBalance({ address: requester.address });
        assert.ok(before - after < parseEther('0.001'), 'the requester got the reward back (only gas spent)');
        const audit = await client.json<{ audit: { reason: string; matched: boolean } | null }>(
          `/api/v1/jobs/${handle.jobId}`,
        );
        assert.equal(audit.audit?.reason, 'audit');
        assert.equal(audit.audit?.matched, false, 'the node’s re-execution differed');
        assert.equal(await escrowed(), 0n);
      } finally {
        handle.close();
        corrupt = false;
      }
    });

    test('a provider served model or input bytes whose hash differs refuses to run, reports why, and the job moves on', async () => {
      await bothInProcessProvidersUp();
      // A proxy of the node's gateway that flips one byte of every model bundle and input it serves.
      const proxy = createServer(async (request, response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const upstream = await fetch(`${node.url}${request.url}`, {
          method: request.method,
          headers: Object.fromEntries(
            Object.entries(request.headers).filter(
              ([k]) => k !== 'host' && k !== 'connection' && k !== 'content-length',
            ),
          ) as Record<string, string>,
          body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        });
        const bytes = new Uint8Array(await upstream.arrayBuffer());
        if (upstream.ok && /\/api\/v1\/jobs\/\d+\/(model|input)$/.test(request.url ?? '') && bytes.length > 0) {
          bytes[0] ^= 0xff;
        }
        response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
        response.end(Buffer.from(bytes));
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      tamperUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const notices: ResultNotice[] = [];
      const bus = node.services.bus as ProviderBus;
      const listening = await bus
        .subscribe<ResultNotice>(node.services.bus?.subjects.resultsAll as string, (m) => void notices.push(m.data), {
          durable: `tamper-watch-${randomBytes(3).toString('hex')}`,
          deliverPolicy: 'new',
        })
        .catch(async (error) => {
          await new Promise((resolve) => proxy.close(resolve));
          throw error;
        });
      const victim = deafAccount.address.toLowerCase();
      const stake = await stakeOf(deafAccount.address);
      // r = 2 over the two in-process providers (the process provider, on NATS, is stopped): the lossy one is
      // assigned and served tampered bytes; a third provider joins as its replacement.
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: png[1],
        redundancy: 2,
        maxPriceWei: parseEther('0.02'),
        deadlineSeconds: 180,
        pollIntervalMs: 100,
      });
      try {
        await waitFor(
          'the refusal',
          () => notices.some((n) => n.provider.toLowerCase() === victim && n.outcome === 'failed'),
          90_000,
        );
        const refusal = notices.find((n) => n.provider.toLowerCase() === victim && n.outcome === 'failed');
        assert.match(refusal?.reason ?? '', /of job \d+ does not match its hash/);
        assert.equal(refusal?.jobId, String(handle.jobId));
        tamperUrl = undefined;
        await startAgent(accounts[5], node.services.bus as ProviderBus);
        const result = await handle.result({ timeoutMs: 150_000 });
        assert.equal(textOf(result.output), TEXTS[1]);
        const reassigned = handle.history.find((e) => e.type === 'reassigned');
        assert.ok(reassigned?.type === 'reassigned');
        assert.equal(reassigned.previous.toLowerCase(), victim);
        assert.ok(
          !handle.history.some((e) => e.type === 'committed' && e.provider.toLowerCase() === victim),
          'it committed nothing',
        );
        assert.ok(!result.providers.some((p) => p.provider === victim), 'it stored no result');
        assert.deepEqual(await slashesOf(handle.jobId), []);
        assert.equal(await stakeOf(deafAccount.address), stake);
      } finally {
        handle.close();
        tamperUrl = undefined;
        await listening.close();
        await new Promise((resolve) => proxy.close(resolve));
      }
    });

    test('a job with less than the minimum working time left is never assigned: no reverted assignment, refunded', async () => {
      // Nobody live: stop every provider and let their heartbeats go stale.
      for (const agent of agents.values()) await agent.stop();
      agents.clear();
      await sleep(11_000);
      const minWorkingTime = Number(
        await chain().publicClient.readContract({
          address: chain().deployment.contracts.computeMarket,
          abi: computeMarketAbi,
          functionName: 'minWorkingTime',
        }),
      );
      assert.ok(minWorkingTime > 0, 'the deployment has a minimum working time');
      const handle = await runJob<OcrOutput>(client, {
        assetId: sampleId,
        input: png[2],
        redundancy: 1,
        maxPriceWei: parseEther('0.01'),
        deadlineSeconds: 30,
        pollIntervalMs: 100,
      });
      try {
        const { deadline } = await chain().publicClient.readContract({
          address: chain().deployment.contracts.computeMarket,
          abi: computeMarketAbi,
          functionName: 'getJob',
          args: [handle.jobId],
        });
        // A provider appears once less than the minimum working time is left.
        const seen = nodeLog.length;
        await waitFor(
          'the working time to run short',
          async () => Number(deadline) - (await chainNow(chain().publicClient)) < minWorkingTime,
          40_000,
        );
        await startAgent(honestAccount, node.services.bus as ProviderBus);
        await assert.rejects(handle.result({ timeoutMs: 90_000 }), /refunded/);
        assert.ok(!handle.history.some((e) => e.type === 'assigned'), 'never assigned');
        const lines = nodeLog.slice(seen).filter((l) => l.startsWith(`job ${handle.jobId}:`));
        assert.ok(
          lines.some((l) => /under the minimum working time .*: no \(re\)assignment/.test(l)),
          lines.join('\n'),
        );
        assert.ok(!lines.some((l) => /NotEnoughTimeLeft|reverted|assigned 0x/.test(l)), lines.join('\n'));
        assert.equal(await escrowed(), 0n);
      } finally {
        handle.close();
      }
    });
  });
}
