/**
 * Scheduler: the time `selectFromPool` (scheduler/pool.ts: a `ProviderPool` fed by heartbeats, candidates binned by
 * their job-independent score) takes to choose r = 3 providers among 1k, 10k and 100k random providers
 * (`scheduler/testing.ts`'s `randomProviders`: about 27 % eligible, `minStakeWei` set), with a scoring context
 * built once as the coordinator does. Between selections the pool takes n / 1,000 heartbeats (`upsert`: load,
 * latency and counters change, so providers move between bins), timed apart. Baseline, same run, same calls, same
 * snapshots: `selectProviders` over the snapshot array, in alternating blocks of {@link BLOCK} calls (each path runs
 * with its own data in the CPU caches, as in the coordinator, and both see the same machine). Target: p99 ≤ 1 ms at
 * 10k.
 */

import os from 'node:os';
import { ProviderPool, selectFromPool } from '../../packages/node/src/scheduler/pool.ts';
import { createScoringContext, type ProviderSnapshot } from '../../packages/node/src/scheduler/score.ts';
import { selectProviders } from '../../packages/node/src/scheduler/select.ts';
import {
  MIN_STAKE,
  MODEL_CIDS,
  makeJob,
  randomProviders,
  seededRandom,
} from '../../packages/node/src/scheduler/testing.ts';
import { emit, fmt, progress, type Row, round, since, summarize, table } from './lib.ts';
import { profiled, profileMarkdown } from './profile.ts';

const started = performance.now();
const loadStart = os.loadavg()[0];
const rows: Row[] = [];
const curve: Array<Record<string, number>> = [];
/** Calls per block: the two paths alternate block by block. */
const BLOCK = 50;
for (const [n, iterations] of [
  [1_000, 10_000],
  [10_000, 3_000],
  [100_000, 300],
] as const) {
  const pool = new ProviderPool(randomProviders(n, n));
  const jobs = MODEL_CIDS.slice(0, 8).map((modelCid) => makeJob({ modelCid, redundancy: 3 }));
  const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
  const options = { ...base, context: createScoringContext(base) };
  const random = seededRandom(n + 1);
  const beatsPerCall = Math.max(1, n / 1_000);
  const beatSamples: number[] = [];
  /** The next heartbeat: a random provider with a new load and latency (built outside the timed part). */
  const beat = (): ProviderSnapshot => {
    const p = pool.snapshots[Math.floor(random() * pool.size)];
    const running = Math.floor(random() * (p.maxConcurrency + 1));
    return { ...p, running, latencyMs: 50 + Math.floor(random() * 4950), lastHeartbeatMs: p.lastHeartbeatMs };
  };
  const heartbeats = (timed: boolean) => {
    for (let b = 0; b < beatsPerCall; b++) {
      const next = beat();
      const t0 = performance.now();
      pool.upsert(next);
      if (timed) beatSamples.push(performance.now() - t0);
    }
  };
  // JIT warm-up of both, then the calls interleaved so both see the same machine and the same snapshots.
  for (let i = 0; i < Math.min(iterations, 2_000); i++) {
    heartbeats(false);
    selectFromPool(pool, jobs[i % jobs.length], options);
    selectProviders(pool.snapshots, jobs[i % jobs.length], options);
  }
  const samples: number[] = [];
  const arraySamples: number[] = [];
  for (let start = 0; start < iterations; start += BLOCK) {
    const end = Math.min(iterations, start + BLOCK);
    for (let i = start; i < end; i++) {
      heartbeats(true);
      const t0 = performance.now();
      selectFromPool(pool, jobs[i % jobs.length], options);
      samples.push(performance.now() - t0);
    }
    // The same jobs on the pool's current snapshots.
    for (let i = start; i < end; i++) {
      const t0 = performance.now();
      selectProviders(pool.snapshots, jobs[i % jobs.length], options);
      arraySamples.push(performance.now() - t0);
    }
  }
  const s = summarize(samples);
  const a = summarize(arraySamples);
  const h = summarize(beatSamples);
  progress(
    `${n} providers: pool p50 ${fmt(s.p50, 3)} / p99 ${fmt(s.p99, 3)} ms; ` +
      `array p50 ${fmt(a.p50, 3)} / p99 ${fmt(a.p99, 3)} ms; upsert p50 ${fmt(h.p50 * 1000, 2)} µs`,
  );
  curve.push({
    providers: n,
    iterations,
    p50Ms: round(s.p50, 4),
    p99Ms: round(s.p99, 4),
    maxMs: round(s.max, 4),
    nsPerProviderP50: Math.round((s.p50 * 1e6) / n),
    arrayP50Ms: round(a.p50, 4),
    arrayP99Ms: round(a.p99, 4),
    upsertP50Us: round(h.p50 * 1000, 2),
    upsertP99Us: round(h.p99 * 1000, 2),
  });
  rows.push({
    figure: `scheduler: r = 3 among ${n.toLocaleString('en-US')} providers, p99`,
    value: round(s.p99, 3),
    unit: 'ms',
    baseline: { label: 'selectProviders over the array, p99', value: round(a.p99, 3) },
    ratio: round(s.p99 / a.p99, 3),
    target: n === 10_000 ? '≤ 1 ms p99' : undefined,
    met: n === 10_000 ? s.p99 <= 1 : undefined,
  });
}

// Where a 10k call spends its time (1,000 calls under the sampling profiler).
const pool10k = new ProviderPool(randomProviders(10_000, 10_000));
const job10k = makeJob({ modelCid: MODEL_CIDS[0], redundancy: 3 });
const base10k = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
const options10k = { ...base10k, context: createScoringContext(base10k) };
const { summary } = await profiled(async () => {
  for (let i = 0; i < 1_000; i++) selectFromPool(pool10k, job10k, options10k);
});
const row10k = rows.find((r) => r.figure.includes('10,000'));

const growth = fmt((curve[2]?.p50Ms ?? 0) / (curve[0]?.p50Ms ?? 1), 1);
const markdown = [
  '`selectFromPool` over a `ProviderPool` (typed columns; per scoring context and (runtime, pipeline) the',
  'candidates with a free slot and the minimum stake, binned by job-independent score and kept by `upsert` on every',
  'heartbeat; the walk goes down the bins and stops where no bin can reach the k-th score; docs/scheduler.md)',
  'choosing r = 3 among random providers (`randomProviders`, ~27 % eligible), scoring context built once, n / 1,000',
  'heartbeats between calls; the baseline is `selectProviders` over the same snapshots and jobs, the two alternating',
  `in blocks of ${BLOCK} calls. Per call, after a JIT warm-up:`,
  '',
  table(
    ['providers', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'array p50 / p99 ms', 'upsert p50 / p99 µs'],
    curve.map((c) => [
      c.providers.toLocaleString('en-US'),
      c.iterations,
      fmt(c.p50Ms, 3),
      fmt(c.p99Ms, 3),
      fmt(c.maxMs, 3),
      `${fmt(c.arrayP50Ms, 3)} / ${fmt(c.arrayP99Ms, 3)}`,
      `${fmt(c.upsertP50Us, 2)} / ${fmt(c.upsertP99Us, 2)}`,
    ]),
  ),
  '',
  'The array path is linear in the pool (it scores every eligible provider). The pool visits only the candidates',
  'whose job-independent score plus the most fit and price (and, for those caching the model, the cache bonus) can',
  `add still reaches the k-th best, a number that grows far slower than the pool (×100 providers: ×${growth} at p50);`,
  'a heartbeat costs O(1) per index. p99 wall-clock on this shared machine includes preemption by other processes',
  `(1-minute load average ${loadStart.toFixed(2)} at the start of this runner, ${os.loadavg()[0].toFixed(2)} at the end).`,
  '',
  row10k?.met === false
    ? `**Missed at 10k** (p99 ${fmt(row10k.value, 3)} ms; p50 ${fmt(curve[1]?.p50Ms ?? 0, 3)} ms). CPU profile of ` +
      '1,000 calls at 10k:'
    : 'CPU profile of 1,000 calls at 10k:',
  '',
  profileMarkdown(summary, 8),
].join('\n');

emit({ name: 'scheduler', title: 'Scheduler', durationMs: since(started), rows, markdown, details: { curve } });
