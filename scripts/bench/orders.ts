/**
 * Compute protocol v2 (signed orders, off-chain commit–reveal, batch settlement) against the raw ONNX Runtime
 * pipeline on the same input, in one run:
 *
 * - result latency p50 / p95 at r = 1, 2, 3 — the SDK's `runOrder` from POST to a result whose attestations it has
 *   verified (signatures and each provider's stake read on-chain) — on the instant devnet and on anvil
 *   `--block-time 2` (an OP-Stack-like L2), after warm-up jobs so providers hold the model;
 * - time from a batch's transaction being sent to its receipt (payment final), against the block time;
 * - sustained throughput with 2 local providers at r = 1 (BENCH_INFLIGHT orders in flight) against two raw
 *   pipelines running back to back on the same cores;
 * - the node's own CPU per order during the throughput run: the node runs in this process with the job bus on NATS
 *   (127.0.0.1:4222, a subject prefix of its own), each provider agent in a child process of its own and the SDK
 *   load generator in another (this file again, `BENCH_ROLE=provider` / `load`), so `process.cpuUsage()` of this
 *   process is the node alone (all its threads: main, libuv pool, PGlite); then a CPU profile of this process alone
 *   during a second window (`profile.ts`).
 *
 * Env: BENCH_JOBS (orders per r and chain, default 30), BENCH_RAW_RUNS (default 30), BENCH_TPUT_SECONDS (default 30),
 * BENCH_INFLIGHT (default 4), BENCH_PROFILE_SECONDS (default 10), BENCH_PHASES (default `latency,blocktime,throughput`),
 * NATS_URL (default nats://127.0.0.1:4222).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createProviderAgent } from '@souk/provider';
import { createSoukClient, runOrder, signIn } from '@souk/sdk';
import { createPublicClient, type Hex, http, type PublicClient, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createJobBus } from '../../packages/node/src/bus/createJobBus.ts';
import { rawPipeline, rawRun, renderInput, startBenchNode } from './fixtures.ts';
import { emit, fmt, progress, type Row, round, since, summarize, table } from './lib.ts';
import { profiled, profileMarkdown } from './profile.ts';

if (process.env.BENCH_ROLE === 'provider') await providerRole();
if (process.env.BENCH_ROLE === 'load') await loadRole();

const JOBS = Number(process.env.BENCH_JOBS ?? 30);
const RAW_RUNS = Number(process.env.BENCH_RAW_RUNS ?? 30);
const TPUT_SECONDS = Number(process.env.BENCH_TPUT_SECONDS ?? 30);
const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? 4);
const PROFILE_SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 10);
const PHASES = new Set((process.env.BENCH_PHASES ?? 'latency,blocktime,throughput').split(','));
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const TARGET_MS: Record<number, number | undefined> = { 1: 25, 2: 50 };

/** One escrow deposit for every order of the run (orders in flight at once must not race for a top-up). */
async function deposit(bench: Awaited<ReturnType<typeof startBenchNode>>) {
  await bench.client.json('/api/v1/orders/escrow/deposit', {
    method: 'POST',
    body: { amountWei: String(parseEther('10')) },
  });
}

const started = performance.now();
const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-orders-'));
const png = renderInput(dir);

progress('raw pipeline: warming up');
const raw = await rawPipeline();
for (let i = 0; i < 3; i++) await rawRun(raw, png);
const rawSamples: number[] = [];
for (let i = 0; i < RAW_RUNS; i++) {
  const t0 = performance.now();
  await rawRun(raw, png);
  rawSamples.push(since(t0));
}
const rawStats = summarize(rawSamples);
progress(`raw pipeline: p50 ${fmt(rawStats.p50)} ms, p95 ${fmt(rawStats.p95)} ms`);

// Raw throughput: two pipelines (like two providers with one intra-op thread each) back to back.
const raw2 = await rawPipeline();
await rawRun(raw2, png);
let rawDone = 0;
const rawEnd = performance.now() + TPUT_SECONDS * 1000;
await Promise.all(
  [raw, raw2].map(async (r) => {
    while (performance.now() < rawEnd) {
      await rawRun(r, png);
      rawDone++;
    }
  }),
);
const rawPerSecond = rawDone / TPUT_SECONDS;
await raw.close();
await raw2.close();
progress(`raw pipeline × 2: ${fmt(rawPerSecond)} runs/s`);

const rows: Row[] = [];
const latencyRows: Array<Array<string | number>> = [];
const batchRows: Array<Array<string | number>> = [];
const details: Record<string, unknown> = { rawPipelineMs: rawStats, rawPerSecond };

let profileMd = '';
const price = parseEther('0.0001');

for (const chain of [
  { name: 'instant devnet', env: {} as Record<string, string>, blockTimeS: 0, phase: 'latency' },
  { name: 'anvil --block-time 2', env: { SOUK_DEVNET_BLOCK_TIME: '2' }, blockTimeS: 2, phase: 'blocktime' },
]) {
  if (!PHASES.has(chain.phase)) continue;
  progress(`${chain.name}: starting a node with 3 local providers`);
  const bench = await startBenchNode(3, chain.env);
  await deposit(bench);
  const publicClient = bench.node.services.chain.publicClient;
  const one = async (redundancy: number) => {
    const t0 = performance.now();
    await runOrder(bench.client, { assetId: bench.sampleId, input: png, redundancy, maxPriceWei: price, publicClient });
    return since(t0);
  };
  for (let i = 0; i < 3; i++) await one(3); // every provider loads the model; the first deposit
  for (const r of [1, 2, 3]) {
    const samples: number[] = [];
    for (let i = 0; i < JOBS; i++) samples.push(await one(r));
    const stats = summarize(samples);
    progress(`${chain.name} r = ${r}: p50 ${fmt(stats.p50)} ms, p95 ${fmt(stats.p95)} ms`);
    latencyRows.push([chain.name, r, fmt(stats.p50, 1), fmt(stats.p95, 1), fmt(stats.p50 - rawStats.p50, 1)]);
    const target = TARGET_MS[r];
    for (const q of ['p50', 'p95'] as const) {
      const overhead = stats[q] - rawStats[q];
      rows.push({
        figure: `result latency ${q}, r = ${r}, ${chain.name} (${JOBS} orders)`,
        value: round(stats[q], 1),
        unit: 'ms',
        baseline: { label: `raw pipeline ${q}`, value: round(rawStats[q], 1) },
        ratio: round(overhead, 1),
        ratioLabel: 'overhead ms',
        target: target === undefined || q === 'p95' ? undefined : `overhead ≤ ${target} ms`,
        met: target === undefined || q === 'p95' ? undefined : overhead <= target,
      });
    }
    details[`${chain.name} r${r}`] = stats;
  }
  // Batch finality: the settler's own timing of each batch (transaction sent → receipt).
  const batches = bench.lines
    .map((l) => /batch 0x[0-9a-f]+…: (\d+) of (\d+) settled in (\d+) ms/.exec(l.line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ settled: Number(m[1]), size: Number(m[2]), ms: Number(m[3]) }));
  const finality = summarize(batches.map((b) => b.ms));
  const sizes = summarize(batches.map((b) => b.size));
  batchRows.push([
    chain.name,
    batches.length,
    fmt(sizes.p50, 0),
    fmt(sizes.max, 0),
    fmt(finality.p50, 0),
    fmt(finality.p95, 0),
  ]);
  if (chain.blockTimeS > 0) {
    rows.push({
      figure: `batch sent → payment final (receipt), ${chain.name}, p95 of ${batches.length} batches`,
      value: round(finality.p95, 0),
      unit: 'ms',
      baseline: { label: 'block time', value: chain.blockTimeS * 1000 },
      ratio: round(finality.p95 / (chain.blockTimeS * 1000), 2),
      ratioLabel: 'blocks',
      target: '≤ 2 blocks',
      met: finality.p95 <= 2 * chain.blockTimeS * 1000,
    });
  }
  details[`${chain.name} batches`] = { count: batches.length, sizes, finalityMs: finality };

  await bench.stop();
}
if (PHASES.has('throughput')) {
  const local = await throughput('local');
  const split = await throughput('split');
  rows.push(...local.rows, ...split.rows);
  details.throughput = local.details;
  details.nodeAlone = split.details;
  profileMd = [local.markdown, '', split.markdown].join('\n');
}
rmSync(dir, { recursive: true, force: true });

emit({
  name: 'orders',
  title: 'Compute protocol v2: result latency, batch finality, throughput',
  durationMs: since(started),
  rows,
  markdown: [
    `Sequential \`runOrder\` calls (the SDK verifies each result's attestations and the providers' stake before it`,
    `returns) on a node with 3 local providers, PGlite, the in-process bus, SOUK_AUDIT_RATE=0; input: a 2-line receipt`,
    `rendered by ImageMagick. Baseline: the same model files on \`createOcrPipeline\` + \`createRuntime({ threads: 1 })\`,`,
    `${RAW_RUNS} runs in the same process (p50 ${fmt(rawStats.p50, 1)} ms). r = 3 runs three inferences on two cores.`,
    '',
    table(['chain', 'r', 'p50 ms', 'p95 ms', 'overhead p50 ms'], latencyRows),
    '',
    'Batches (the settler closes one every 500 ms on the devnet, 2 s elsewhere; time = transaction sent → receipt):',
    '',
    table(['chain', 'batches', 'size p50', 'size max', 'final p50 ms', 'final p95 ms'], batchRows),
    '',
    'Block time enters only the payment, never the result: the result latency on `--block-time 2` is the same as on',
    'the instant devnet, and each batch is final in its first block.',
    '',
    profileMd,
  ].join('\n'),
  details,
});
process.exit(0);

type ToParent =
  | { type: 'ready' }
  | { type: 'done'; done: number; seconds: number; cpuMs: number; failed: number; latencies: number[] };
type ToChild = { type: 'go'; seconds: number } | { type: 'stop' };

/** Starts this file again as a child process in `role`, with IPC; resolves once it reports `ready`. */
async function child(role: 'provider' | 'load', env: Record<string, string>): Promise<ChildProcess> {
  const proc = fork(import.meta.filename, [], {
    env: { ...process.env, ...env, BENCH_ROLE: role, SOUK_BENCH_OUT: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`bench ${role} exited (${code}) before it was ready`)));
    proc.on('message', (m: ToParent) => {
      if (m.type === 'ready') resolve();
    });
  });
  proc.removeAllListeners('exit');
  return proc;
}

function next(proc: ChildProcess): Promise<Extract<ToParent, { type: 'done' }>> {
  return new Promise((resolve) => {
    const on = (m: ToParent) => {
      if (m.type !== 'done') return;
      proc.off('message', on);
      resolve(m);
    };
    proc.on('message', on);
  });
}

/** Child: one provider agent (the key in BENCH_KEY) on the NATS bus; runs until the parent says stop. */
async function providerRole(): Promise<never> {
  const e = process.env as Record<string, string>;
  const bus = await createJobBus({ natsUrl: e.NATS_URL, subjectPrefix: e.SOUK_BUS_PREFIX, stream: e.BENCH_STREAM });
  const account = privateKeyToAccount(e.BENCH_KEY as Hex);
  const agent = createProviderAgent({
    account,
    rpcUrl: e.BENCH_RPC,
    chainId: Number(e.BENCH_CHAIN_ID),
    contracts: JSON.parse(e.BENCH_CONTRACTS),
    bus,
    log: (line) => {
      if (e.BENCH_DEBUG) console.error(`provider: ${line}`);
    },
  });
  await agent.start();
  process.send?.({ type: 'ready' } satisfies ToParent);
  await new Promise<void>((resolve) => process.on('message', (m: ToChild) => m.type === 'stop' && resolve()));
  await agent.stop();
  await bus.close();
  process.exit(0);
}

/**
 * Child: the SDK load generator — BENCH_INFLIGHT loops of `runOrder` at r = 1 (each result verified) for each window
 * the parent asks for; reports orders done and its own CPU.
 */
async function loadRole(): Promise<never> {
  const e = process.env as Record<string, string>;
  const client = createSoukClient({ url: e.BENCH_NODE_URL });
  await signIn(client, { account: privateKeyToAccount(e.BENCH_KEY as Hex) });
  const publicClient = createPublicClient({ transport: http(e.BENCH_RPC) }) as PublicClient;
  const input = new Uint8Array(readFileSync(e.BENCH_INPUT));
  const parameters = { assetId: e.BENCH_ASSET, input, maxPriceWei: BigInt(e.BENCH_PRICE), publicClient };
  for (let i = 0; i < 3; i++) await runOrder(client, { ...parameters, redundancy: 2 }); // both providers load the model
  process.send?.({ type: 'ready' } satisfies ToParent);
  process.on('message', async (m: ToChild) => {
    if (m.type === 'stop') process.exit(0);
    let done = 0;
    let failed = 0;
    const latencies: number[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const end = t0 + m.seconds * 1000;
    await Promise.all(
      Array.from({ length: Number(e.BENCH_INFLIGHT) }, async () => {
        while (performance.now() < end) {
          const s = performance.now();
          try {
            await runOrder(client, { ...parameters, redundancy: 1 });
            latencies.push(performance.now() - s);
            done++;
          } catch (error) {
            failed++;
            console.error(`load: ${(error as Error).message}`);
          }
        }
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    const seconds = (performance.now() - t0) / 1000;
    process.send?.({
      type: 'done',
      done,
      failed,
      seconds,
      cpuMs: (cpu.user + cpu.system) / 1000,
      latencies,
    } satisfies ToParent);
  });
  return new Promise<never>(() => {});
}

/**
 * 2 providers at r = 1 under `BENCH_INFLIGHT` concurrent `runOrder` loops of an SDK load generator in a child
 * process. `local`: the node with 2 local provider agents (in-process bus), as `souk start --providers 2` runs it —
 * the throughput figure. `split`: the node alone in this process (job bus on NATS, no local providers), each
 * provider agent in a child process of its own — the node's own CPU per order and its profile.
 */
async function throughput(
  mode: 'local' | 'split',
): Promise<{ rows: Row[]; details: Record<string, unknown>; markdown: string }> {
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const busEnv = { NATS_URL, SOUK_BUS_PREFIX: prefix };
  progress(
    mode === 'local'
      ? 'throughput: a node with 2 local providers, the SDK in a child process'
      : `node alone: bus on NATS (prefix ${prefix}), 2 provider processes, the SDK in a child process`,
  );
  const node = await startBenchNode(mode === 'local' ? 2 : 0, mode === 'local' ? {} : busEnv);
  const { chain } = node.node.services;
  await deposit(node);
  const providers =
    mode === 'local'
      ? []
      : await Promise.all(
          chain.devAccounts
            .slice(-2)
            .reverse()
            .map((dev) =>
              child('provider', {
                ...busEnv,
                BENCH_STREAM: `SOUK_JOBS_${prefix.toUpperCase()}`,
                BENCH_KEY: dev.privateKey,
                BENCH_RPC: chain.rpcUrl,
                BENCH_CHAIN_ID: String(chain.deployment.chainId),
                BENCH_CONTRACTS: JSON.stringify(chain.deployment.contracts),
                BENCH_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'souk-bench-provider-')),
              }),
            ),
        );
  for (let i = 0; i < 200 && (node.node.services.orders?.pool.live().size ?? 0) < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const load = await child('load', {
    BENCH_NODE_URL: node.node.url,
    BENCH_KEY: chain.devAccounts[1].privateKey,
    BENCH_RPC: chain.rpcUrl,
    BENCH_INPUT: path.join(dir, 'input.png'),
    BENCH_ASSET: String(node.sampleId),
    BENCH_PRICE: String(price),
    BENCH_INFLIGHT: String(INFLIGHT),
  });

  // Idle: what the process spends with no order (indexer polls, heartbeats, timers), per second.
  const idle0 = process.cpuUsage();
  const idleT0 = performance.now();
  await new Promise((r) => setTimeout(r, 3000));
  const idleCpu = process.cpuUsage(idle0);
  const idleMsPerS = (idleCpu.user + idleCpu.system) / 1000 / (since(idleT0) / 1000);

  // Measured window (no profiler): this process's CPU (all threads) and its main thread, per order.
  const cpu0 = process.cpuUsage();
  const main0 = process.threadCpuUsage();
  load.send({ type: 'go', seconds: TPUT_SECONDS } satisfies ToChild);
  const w = await next(load);
  const cpu = process.cpuUsage(cpu0);
  const main = process.threadCpuUsage(main0);
  const perSecond = w.done / w.seconds;
  const processMs = (cpu.user + cpu.system) / 1000 / w.done;
  const mainMs = (main.user + main.system) / 1000 / w.done;
  const sdkMs = w.cpuMs / w.done;
  const lat = summarize(w.latencies);
  const who = mode === 'local' ? 'node + 2 local providers' : 'node alone';
  progress(
    `${who}: ${fmt(perSecond)} orders/s (${w.done} in ${fmt(w.seconds)} s, ${w.failed} failed), latency p50 ${fmt(lat.p50)} ms; process ${fmt(processMs)} ms/order (main thread ${fmt(mainMs)}; idle ${fmt(idleMsPerS)} ms/s), SDK process ${fmt(sdkMs)} ms/order`,
  );

  // Profile window: this process's main thread only.
  const { result: p, summary } = await profiled(async () => {
    load.send({ type: 'go', seconds: PROFILE_SECONDS } satisfies ToChild);
    return next(load);
  });
  const busy = summary.functions.filter((f) => f.name !== '(idle)' && f.name !== 'post' && f.name !== '(program)');
  const top = busy
    .slice(0, 5)
    .map((f) => `\`${f.name}\` (${f.where}) ${fmt(f.selfMs / p.done)} ms/order`)
    .join('; ');
  progress(`${who} profile: ${p.done} orders; top ${top}`);

  load.send({ type: 'stop' } satisfies ToChild);
  for (const proc of providers) proc.send({ type: 'stop' } satisfies ToChild);
  await Promise.all([load, ...providers].map((proc) => new Promise((r) => proc.once('exit', r))));
  await node.stop();

  const rows: Row[] =
    mode === 'local'
      ? [
          {
            figure: `sustained throughput, 2 local providers, r = 1 (${INFLIGHT} in flight, ${TPUT_SECONDS} s)`,
            value: round(perSecond, 2),
            unit: 'orders/s',
            baseline: { label: 'raw pipeline × 2', value: round(rawPerSecond, 2) },
            ratio: round(perSecond / rawPerSecond, 2),
            target: '≥ 0.8×',
            met: perSecond / rawPerSecond >= 0.8,
          },
          {
            figure: 'main-thread CPU per order, node + 2 local provider agents (SDK in another process)',
            value: round(mainMs, 2),
            unit: 'ms',
          },
        ]
      : [
          {
            figure: 'node CPU per order, node alone (providers and SDK in other processes, bus on NATS; all threads)',
            value: round(processMs, 2),
            unit: 'ms',
            target: '≤ 5 ms',
            met: processMs <= 5,
          },
        ];
  const markdown = [
    mode === 'local'
      ? `**Throughput (node + 2 local providers).** The node with 2 local provider agents on the in-process bus; the SDK load generator (${INFLIGHT} \`runOrder\` loops at r = 1, each result verified) in a child process.`
      : `**Node alone.** The node in the benchmark process, its job bus on NATS (${NATS_URL}) and no local providers; each of the 2 provider agents in a child process of its own, the SDK load generator (${INFLIGHT} \`runOrder\` loops at r = 1, each result verified) in another. anvil and the NATS server are other processes and not counted.`,
    `${TPUT_SECONDS} s window: ${w.done} orders (${fmt(perSecond)}/s; result latency under this load p50 ${fmt(lat.p50, 1)} ms, p95 ${fmt(lat.p95, 1)} ms).`,
    `CPU of the ${who} process: ${fmt(processMs)} ms per order over all its threads, main thread ${fmt(mainMs)} ms`,
    `(idle, before the window: ${fmt(idleMsPerS)} ms/s); the SDK process ${fmt(sdkMs)} ms per order.`,
    '',
    `CPU profile of the ${who} process's main thread (${fmt(PROFILE_SECONDS)} s window, ${p.done} orders, 1 ms sampling). Top self time per order: ${top}.`,
    '',
    profileMarkdown(summary, 12),
  ].join('\n');
  return {
    rows,
    markdown,
    details: {
      mode,
      done: w.done,
      failed: w.failed,
      seconds: w.seconds,
      perSecond,
      processMsPerOrder: processMs,
      mainMsPerOrder: mainMs,
      idleMsPerSecond: idleMsPerS,
      sdkMsPerOrder: sdkMs,
      latencyUnderLoad: lat,
      profile: { orders: p.done, ...summary },
    },
  };
}
