/**
 * Scheduler: the time `selectProviders` takes to choose r = 3 providers among 1k, 10k and 100k random providers
 * (`scheduler/testing.ts`'s `randomProviders`: about 27 % eligible, `minStakeWei` set), with a scoring context built
 * once as the coordinator does. No baseline: the figure is the scaling curve. Target: p99 ≤ 1 ms at 10k.
 */
import { createScoringContext } from '../../packages/node/src/scheduler/score.ts';
import { selectProviders } from '../../packages/node/src/scheduler/select.ts';
import { MIN_STAKE, MODEL_CIDS, makeJob, randomProviders } from '../../packages/node/src/scheduler/testing.ts';
import { emit, fmt, progress, type Row, round, since, summarize, table } from './lib.ts';
import { profiled, profileMarkdown } from './profile.ts';

const started = performance.now();
const rows: Row[] = [];
const curve: Array<Record<string, number>> = [];
for (const [n, iterations] of [
  [1_000, 10_000],
  [10_000, 3_000],
  [100_000, 300],
] as const) {
  const pool = randomProviders(n, n);
  const jobs = MODEL_CIDS.slice(0, 8).map((modelCid) => makeJob({ modelCid, redundancy: 3 }));
  const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
  const options = { ...base, context: createScoringContext(base) };
  for (let i = 0; i < Math.min(iterations, 2_000); i++) selectProviders(pool, jobs[i % jobs.length], options); // JIT warm-up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    selectProviders(pool, jobs[i % jobs.length], options);
    samples.push(performance.now() - t0);
  }
  const s = summarize(samples);
  progress(`${n} providers: p50 ${fmt(s.p50, 3)} ms, p99 ${fmt(s.p99, 3)} ms`);
  curve.push({
    providers: n,
    iterations,
    p50Ms: round(s.p50, 4),
    p99Ms: round(s.p99, 4),
    maxMs: round(s.max, 4),
    nsPerProviderP50: Math.round((s.p50 * 1e6) / n),
  });
  rows.push({
    figure: `scheduler: r = 3 among ${n.toLocaleString('en-US')} providers, p99`,
    value: round(s.p99, 3),
    unit: 'ms',
    target: n === 10_000 ? '≤ 1 ms p99' : undefined,
    met: n === 10_000 ? s.p99 <= 1 : undefined,
  });
}

// Where a 10k call spends its time (1,000 calls under the sampling profiler).
const pool10k = randomProviders(10_000, 10_000);
const job10k = makeJob({ modelCid: MODEL_CIDS[0], redundancy: 3 });
const base10k = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
const options10k = { ...base10k, context: createScoringContext(base10k) };
const { summary } = await profiled(async () => {
  for (let i = 0; i < 1_000; i++) selectProviders(pool10k, job10k, options10k);
});
const row10k = rows.find((r) => r.figure.includes('10,000'));

const markdown = [
  '`selectProviders` (single pass, bounded top-k buffer with branch and bound; docs/scheduler.md) choosing r = 3',
  'among random providers (`randomProviders`, ~27 % eligible), scoring context built once. Per call, after a JIT',
  'warm-up:',
  '',
  table(
    ['providers', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'ns / provider (p50)'],
    curve.map((c) => [
      c.providers.toLocaleString('en-US'),
      c.iterations,
      fmt(c.p50Ms, 3),
      fmt(c.p99Ms, 3),
      fmt(c.maxMs, 3),
      c.nsPerProviderP50,
    ]),
  ),
  '',
  'Time grows linearly with the pool (the ns/provider column stays flat): each provider costs one filter and, for',
  'the few that can still enter the top k, a score.',
  '',
  row10k?.met === false
    ? `**Missed at 10k** (p99 ${fmt(row10k.value, 3)} ms): the call is one linear pass, and at 10k providers its ` +
      'cost is memory access per provider — the filter reads each provider object, its arrays (pipelines, ' +
      'runtimes, cached models) and bigints (stake, price) — about 60–80 ns each; p99 adds GC and the shared ' +
      "machine's noise on top of p50. The docs' earlier runs on this machine measured p99 0.74–0.96 ms. CPU " +
      'profile of 1,000 calls at 10k:'
    : 'CPU profile of 1,000 calls at 10k:',
  '',
  profileMarkdown(summary, 8),
].join('\n');

emit({ name: 'scheduler', title: 'Scheduler', durationMs: since(started), rows, markdown, details: { curve } });
