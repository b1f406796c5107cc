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
 * - CPU of this process's main thread per order during the throughput run (node, coordinator, settler, provider
 *   agents and SDK together: an upper bound of the node's share; ONNX Runtime runs in worker threads).
 *
 * Env: BENCH_JOBS (orders per r and chain, default 30), BENCH_RAW_RUNS (default 30), BENCH_TPUT_SECONDS (default 30),
 * BENCH_INFLIGHT (default 4).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runOrder } from '@souk/sdk';
import { parseEther } from 'viem';
import { rawPipeline, rawRun, renderInput, startBenchNode } from './fixtures.ts';
import { emit, fmt, progress, type Row, round, since, summarize, table } from './lib.ts';

const JOBS = Number(process.env.BENCH_JOBS ?? 30);
const RAW_RUNS = Number(process.env.BENCH_RAW_RUNS ?? 30);
const TPUT_SECONDS = Number(process.env.BENCH_TPUT_SECONDS ?? 30);
const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? 4);
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

for (const chain of [
  { name: 'instant devnet', env: {} as Record<string, string>, blockTimeS: 0 },
  { name: 'anvil --block-time 2', env: { SOUK_DEVNET_BLOCK_TIME: '2' }, blockTimeS: 2 },
]) {
  progress(`${chain.name}: starting a node with 3 local providers`);
  const bench = await startBenchNode(3, chain.env);
  const price = parseEther('0.0001');
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

  if (chain.blockTimeS === 0) {
    // Throughput with 2 providers at r = 1: stop the third one's heartbeats by running with 2 from a fresh node.
    await bench.stop();
    progress('throughput: a node with 2 local providers');
    const two = await startBenchNode(2, chain.env);
    await deposit(two);
    const pc = two.node.services.chain.publicClient;
    for (let i = 0; i < 3; i++) {
      await runOrder(two.client, {
        assetId: two.sampleId,
        input: png,
        redundancy: 2,
        maxPriceWei: price,
        publicClient: pc,
      });
    }
    let done = 0;
    const cpu0 = process.threadCpuUsage();
    const t0 = performance.now();
    const end = t0 + TPUT_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: INFLIGHT }, async () => {
        while (performance.now() < end) {
          await runOrder(two.client, {
            assetId: two.sampleId,
            input: png,
            redundancy: 1,
            maxPriceWei: price,
            publicClient: pc,
          });
          done++;
        }
      }),
    );
    const seconds = since(t0) / 1000;
    const cpu1 = process.threadCpuUsage(cpu0);
    const perSecond = done / seconds;
    const mainMsPerOrder = (cpu1.user + cpu1.system) / 1000 / done;
    progress(
      `throughput: ${fmt(perSecond)} orders/s (${done} in ${fmt(seconds)} s), main thread ${fmt(mainMsPerOrder)} ms/order`,
    );
    rows.push({
      figure: `sustained throughput, 2 local providers, r = 1 (${INFLIGHT} in flight, ${TPUT_SECONDS} s)`,
      value: round(perSecond, 2),
      unit: 'orders/s',
      baseline: { label: 'raw pipeline × 2', value: round(rawPerSecond, 2) },
      ratio: round(perSecond / rawPerSecond, 2),
      target: '≥ 0.8×',
      met: perSecond / rawPerSecond >= 0.8,
    });
    rows.push({
      figure:
        'main-thread CPU per order (node + coordinator + settler + provider agents + SDK, upper bound of the node)',
      value: round(mainMsPerOrder, 2),
      unit: 'ms',
      target: '≤ 5 ms (node alone)',
      met: mainMsPerOrder <= 5,
    });
    details.throughput = { done, seconds, perSecond, mainMsPerOrder };
    await two.stop();
  } else {
    await bench.stop();
  }
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
  ].join('\n'),
  details,
});
process.exit(0);
