/**
 * Sustained throughput of the compute market with 2 local providers (the `souk start` default), against the raw
 * pipeline's throughput on the same cores: two runtimes (1 intra-op thread each, like two providers) running the
 * same input back to back.
 *
 * The market run keeps BENCH_INFLIGHT jobs (r = 1) in flight through the SDK for BENCH_MARKET_SECONDS after a
 * warm-up, and counts the jobs settled in that window. Where the cores go is measured with CPU clocks: this
 * process's main thread (node, coordinator, indexer, provider agents, SDK), its worker threads (ONNX Runtime), and
 * anvil (a child process).
 *
 * Env: BENCH_RAW_SECONDS (default 20), BENCH_MARKET_SECONDS (default 45), BENCH_INFLIGHT (default 4).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runJob } from '@souk/sdk';
import { parseEther } from 'viem';
import { clientFor, rawPipeline, rawRun, renderInput, startBenchNode } from './fixtures.ts';
import { emit, fmt, progress, type Row, round, since, table } from './lib.ts';
import { profiled, profileMarkdown } from './profile.ts';

const RAW_SECONDS = Number(process.env.BENCH_RAW_SECONDS ?? 20);
const MARKET_SECONDS = Number(process.env.BENCH_MARKET_SECONDS ?? 45);
const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? 4);

const started = performance.now();
const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-throughput-'));
const png = renderInput(dir);

/** CPU time (user + system) of the process tree's pieces, ms. */
function clocks() {
  const total = process.cpuUsage();
  const main = process.threadCpuUsage();
  let children = 0;
  try {
    const pids = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    for (const pid of pids.filter(Boolean)) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      children += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, clock ticks of 10 ms
    }
  } catch {
    // no children
  }
  return {
    process: (total.user + total.system) / 1000,
    main: (main.user + main.system) / 1000,
    children,
    wall: performance.now(),
  };
}
const delta = (a: ReturnType<typeof clocks>, b: ReturnType<typeof clocks>) => ({
  wallMs: b.wall - a.wall,
  mainMs: b.main - a.main,
  workersMs: b.process - a.process - (b.main - a.main),
  anvilMs: b.children - a.children,
});

// ── baseline: two raw runtimes, back to back ──
progress(`raw pipeline ×2 for ${RAW_SECONDS} s`);
const raws = await Promise.all([rawPipeline(), rawPipeline()]);
for (const raw of raws) await rawRun(raw, png);
let c0 = clocks();
const rawEnd = performance.now() + RAW_SECONDS * 1000;
const rawCounts = await Promise.all(
  raws.map(async (raw) => {
    let n = 0;
    while (performance.now() < rawEnd) {
      await rawRun(raw, png);
      n++;
    }
    return n;
  }),
);
const rawCpu = delta(c0, clocks());
for (const raw of raws) await raw.close();
const rawJobs = rawCounts.reduce((s, n) => s + n, 0);
const rawPerMinute = rawJobs / (rawCpu.wallMs / 60_000);
progress(`raw: ${rawJobs} runs, ${fmt(rawPerMinute)} per minute`);

// ── the market ──
progress('starting a node with 2 local providers');
const bench = await startBenchNode(2);
const reward = parseEther('0.01');
// One requester account per loop: the node sends devnet transactions for each account in its own nonce sequence,
// and two concurrent submissions from one account collide on the nonce.
const clients = await Promise.all(Array.from({ length: Math.max(INFLIGHT, 4) }, (_, i) => clientFor(bench, 1 + i)));
async function job(client = clients[0]): Promise<number> {
  const handle = await runJob(client, {
    assetId: bench.sampleId,
    input: png,
    redundancy: 1,
    maxPriceWei: reward,
  });
  await handle.result({ timeoutMs: 120_000 });
  handle.close();
  return performance.now();
}
progress('warm-up: 4 jobs');
await Promise.all(clients.slice(0, 4).map((client) => job(client)));

progress(`market: ${INFLIGHT} jobs in flight for ${MARKET_SECONDS} s`);
c0 = clocks();
const windowStart = performance.now();
const windowEnd = windowStart + MARKET_SECONDS * 1000;
const done: number[] = [];
await Promise.all(
  Array.from({ length: INFLIGHT }, async (_, i) => {
    while (performance.now() < windowEnd) done.push(await job(clients[i]));
  }),
);
const marketCpu = delta(c0, clocks());

// A profiled window of the same load (not counted above): where the main thread's time goes.
progress('profiling the main thread for 10 s of the same load');
const profileEnd = performance.now() + 10_000;
const { summary } = await profiled(() =>
  Promise.all(
    Array.from({ length: INFLIGHT }, async (_, i) => {
      while (performance.now() < profileEnd) await job(clients[i]);
    }),
  ),
);
await bench.stop();
rmSync(dir, { recursive: true, force: true });
const settled = done.filter((t) => t <= windowEnd).length;
const marketPerMinute = settled / (MARKET_SECONDS / 60);
progress(`market: ${settled} jobs settled in ${MARKET_SECONDS} s, ${fmt(marketPerMinute)} per minute`);

const ratio = marketPerMinute / rawPerMinute;
const rows: Row[] = [
  {
    figure: `sustained throughput, 2 local providers, r = 1 (${INFLIGHT} jobs in flight)`,
    value: round(marketPerMinute, 1),
    unit: 'jobs/min',
    baseline: { label: 'raw pipeline ×2, same cores', value: round(rawPerMinute, 1) },
    ratio: round(ratio, 3),
    target: '≥ 0.8× raw',
    met: ratio >= 0.8,
  },
];

const perJob = (ms: number, jobs: number) => fmt(ms / Math.max(jobs, 1), 1);
const markdown = [
  `Market: a node with 2 local providers (PGlite, in-process bus, SOUK_AUDIT_RATE=0), ${INFLIGHT} SDK \`runJob\` loops`,
  `at r = 1 for ${MARKET_SECONDS} s after 4 warm-up jobs; a job counts when its verified result is back.`,
  `Baseline: two \`createRuntime({ threads: 1 })\` running the same input back to back for ${RAW_SECONDS} s`,
  '(the raw capacity of the two cores for this model).',
  '',
  'Where the two cores went (CPU time per job, ms):',
  '',
  table(
    ['run', 'jobs', 'wall s', 'inference threads', 'main thread (node + agents + SDK)', 'anvil', 'total CPU / job'],
    [
      [
        'raw ×2',
        rawJobs,
        fmt(rawCpu.wallMs / 1000, 1),
        perJob(rawCpu.workersMs, rawJobs),
        perJob(rawCpu.mainMs, rawJobs),
        '—',
        perJob(rawCpu.workersMs + rawCpu.mainMs, rawJobs),
      ],
      [
        'market',
        done.length,
        fmt(marketCpu.wallMs / 1000, 1),
        perJob(marketCpu.workersMs, done.length),
        perJob(marketCpu.mainMs, done.length),
        perJob(marketCpu.anvilMs, done.length),
        perJob(marketCpu.workersMs + marketCpu.mainMs + marketCpu.anvilMs, done.length),
      ],
    ],
  ),
  '',
  `The cores' capacity is ${fmt((2 * 60_000) / 1000)} CPU-seconds per minute; every CPU-millisecond the market spends`,
  'outside inference (the main thread: HTTP, PGlite, indexing, coordinator, viem, EIP-712 signatures; and anvil',
  'executing 5 transactions per job) is taken from the inference threads.',
  '',
  'CPU profile of the main thread over 10 s of the same load (self time; idle is time the thread waited):',
  '',
  profileMarkdown(summary, 12),
].join('\n');

emit({
  name: 'throughput',
  title: 'Sustained throughput (2 local providers)',
  durationMs: since(started),
  rows,
  markdown,
  details: {
    rawRuns: rawCounts,
    rawPerMinute: round(rawPerMinute, 1),
    marketJobs: done.length,
    settledInWindow: settled,
    marketPerMinute: round(marketPerMinute, 1),
    cpuMs: { raw: rawCpu, market: marketCpu },
    mainThreadProfile: summary,
  },
});
process.exit(0);
