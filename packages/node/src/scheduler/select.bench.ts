/**
 * Benchmark of {@link selectProviders}: p50 / p99 / max latency of choosing r = 3 providers among 1k, 10k and 100k
 * random providers (see `randomProviders`). Speed is measured here, never asserted in tests.
 *
 * Run: `cd packages/node && ../../node_modules/.bin/node src/scheduler/select.bench.ts`
 */
import { createScoringContext } from './score.ts';
import { selectProviders } from './select.ts';
import { MIN_STAKE, MODEL_CIDS, makeJob, randomProviders } from './testing.ts';

const percentile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

const rows: Record<string, string | number>[] = [];
for (const [n, iterations] of [
  [1_000, 10_000],
  [10_000, 3_000],
  [100_000, 300],
] as const) {
  const pool = randomProviders(n, n);
  const jobs = MODEL_CIDS.slice(0, 8).map((modelCid) => makeJob({ modelCid, redundancy: 3 }));
  const options = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
  const optionsWithContext = { ...options, context: createScoringContext(options) };
  for (const [label, opts] of [
    ['options', options],
    ['context', optionsWithContext],
  ] as const) {
    // Warm-up: let the JIT optimise the hot loop.
    for (let i = 0; i < Math.min(iterations, 2_000); i++) selectProviders(pool, jobs[i % jobs.length], opts);
    const samples = new Float64Array(iterations);
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      selectProviders(pool, jobs[i % jobs.length], opts);
      samples[i] = performance.now() - t0;
    }
    samples.sort();
    rows.push({
      providers: n,
      scoring: label,
      iterations,
      'p50 ms': percentile(samples, 0.5).toFixed(3),
      'p99 ms': percentile(samples, 0.99).toFixed(3),
      'max ms': samples[samples.length - 1].toFixed(3),
      'ns/provider (p50)': Math.round((percentile(samples, 0.5) * 1e6) / n),
    });
  }
}
console.log(`selectProviders, r = 3, node ${process.version}`);
console.table(rows);
