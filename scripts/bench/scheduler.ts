/**
 * Scheduler: the time `selectFromPool` (struct-of-arrays pool, scheduler/pool.ts) takes to choose r = 3 providers
 * among 1k, 10k and 100k random providers (`scheduler/testing.ts`'s `randomProviders`: about 27 % eligible,
 * `minStakeWei` set), with a scoring context built once as the coordinator does. Baseline, same run and same calls:
 * `selectProviders` over the snapshot array. Target: p99 ≤ 1 ms at 10k.
 */

import { ProviderPool, selectFromPool } from '../../packages/node/src/scheduler/pool.ts';
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
  const snapshots = randomProviders(n, n);
  const pool = new ProviderPool(snapshots);
  const jobs = MODEL_CIDS.slice(0, 8).map((modelCid) => makeJob({ modelCid, redundancy: 3 }));
  const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
  const options = { ...base, context: createScoringContext(base) };
  const time = (select: () => unknown) => {
    const t0 = performance.now();
    select();
    return performance.now() - t0;
  };
  // JIT warm-up of both, then the calls interleaved so both see the same machine.
  for (let i = 0; i < Math.min(iterations, 2_000); i++) {
    selectFromPool(pool, jobs[i % jobs.length], options);
    selectProviders(snapshots, jobs[i % jobs.length], options);
  }
  const samples: number[] = [];
  const arraySamples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const job = jobs[i % jobs.length];
    samples.push(time(() => selectFromPool(pool, job, options)));
    arraySamples.push(time(() => selectProviders(snapshots, job, options)));
  }
  const s = summarize(samples);
  const a = summarize(arraySamples);
  progress(`${n} providers: pool p50 ${fmt(s.p50, 3)} / p99 ${fmt(s.p99, 3)} ms; array p99 ${fmt(a.p99, 3)} ms`);
  curve.push({
    providers: n,
    iterations,
    p50Ms: round(s.p50, 4),
    p99Ms: round(s.p99, 4),
    maxMs: round(s.max, 4),
    nsPerProviderP50: Math.round((s.p50 * 1e6) / n),
    arrayP50Ms: round(a.p50, 4),
    arrayP99Ms: round(a.p99, 4),
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

const markdown = [
  '`selectFromPool` over a `ProviderPool` (struct of typed arrays, candidates listed per runtime and pipeline,',
  'job-independent score parts cached per scoring context, bounded top-k with branch and bound; docs/scheduler.md)',
  'choosing r = 3 among random providers (`randomProviders`, ~27 % eligible), scoring context built once; the',
  'baseline is `selectProviders` over the snapshot array, called alternately with it on the same jobs. Per call,',
  'after a JIT warm-up:',
  '',
  table(
    ['providers', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'ns / provider (p50)', 'array p50 / p99 ms'],
    curve.map((c) => [
      c.providers.toLocaleString('en-US'),
      c.iterations,
      fmt(c.p50Ms, 3),
      fmt(c.p99Ms, 3),
      fmt(c.maxMs, 3),
      c.nsPerProviderP50,
      `${fmt(c.arrayP50Ms, 3)} / ${fmt(c.arrayP99Ms, 3)}`,
    ]),
  ),
  '',
  'Time grows linearly with the pool (the ns/provider column stays nearly flat; at 100k the columns outgrow the',
  'CPU caches): each candidate costs a few typed-array reads and, for the few that can still enter the top k, a',
  'score. p99 on this shared machine is set by preemption (the load average is in the header), not by the code.',
  '',
  row10k?.met === false
    ? `**Missed at 10k** (p99 ${fmt(row10k.value, 3)} ms; p50 ${fmt(curve[1]?.p50Ms ?? 0, 3)} ms). CPU profile of ` +
      '1,000 calls at 10k:'
    : 'CPU profile of 1,000 calls at 10k:',
  '',
  profileMarkdown(summary, 8),
].join('\n');

emit({ name: 'scheduler', title: 'Scheduler', durationMs: since(started), rows, markdown, details: { curve } });
