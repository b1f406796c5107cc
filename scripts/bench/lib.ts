/**
 * Shared pieces of the benchmark runners (`scripts/bench/<figure>.ts`): statistics, the machine and version
 * record, and the result format each runner hands to `run.ts`.
 *
 * A runner is a plain script. Run alone (`node scripts/bench/latency.ts`) it prints its result; run by `run.ts` it
 * writes the result to the file named by `SOUK_BENCH_OUT`, which `run.ts` merges into `bench/results.json`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The repository root. */
export const ROOT = path.resolve(import.meta.dirname, '../..');

/** One line of the report's main table: a figure, its baseline measured in the same run, and the target. */
export type Row = {
  /** What is measured, e.g. `job latency p50, r = 1`. */
  figure: string;
  /** The measured value. */
  value: number;
  /** Unit of `value` (and of `baseline.value` unless it names its own). */
  unit: string;
  /** The baseline measured in the same run, when the figure has one. */
  baseline?: { label: string; value: number; unit?: string | undefined } | undefined;
  /** `value / baseline.value`, or another comparison named by `ratioLabel`. */
  ratio?: number | undefined;
  /** What `ratio` is, when it is not value / baseline (e.g. `overhead`). */
  ratioLabel?: string | undefined;
  /** The target, in words. */
  target?: string | undefined;
  /** Whether the target is met; absent when the figure has no target. */
  met?: boolean | undefined;
};

/** What a runner produces. */
export type FigureResult = {
  /** Runner name (file name without `.ts`). */
  name: string;
  /** Section title in the report. */
  title: string;
  /** When the runner finished (ISO 8601). */
  date: string;
  /** Wall-clock time of the runner, ms. */
  durationMs: number;
  /** Rows of the main table. */
  rows: Row[];
  /** Markdown shown under the figure's section (method, breakdowns, profiles, misses explained). */
  markdown: string;
  /** Raw data behind the rows (samples summaries, per-stage breakdowns …). */
  details: Record<string, unknown>;
};

/** Summary statistics of a sample, in the sample's unit. */
export type Summary = { n: number; min: number; p50: number; p95: number; p99: number; max: number; mean: number };

/** The q-quantile (0 < q ≤ 1) of an ascending array, nearest-rank method. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** n, min, p50, p95, p99, max and mean of `samples`. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean,
  };
}

/** Rounds to `digits` decimals (for JSON that stays readable). */
export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** Formats a number for the report: thousands separators, at most `digits` decimals. */
export function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const d = abs >= 1000 ? 0 : abs >= 100 ? Math.min(digits, 1) : digits;
  return value.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 });
}

/** The machine the benchmarks ran on. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((v) => round(v, 2)),
  };
}

const require = createRequire(path.join(ROOT, 'packages/node/package.json'));
const providerRequire = createRequire(path.join(ROOT, 'packages/provider/package.json'));

function packageVersion(name: string, from = require): string | null {
  for (const base of [path.join(ROOT, 'node_modules'), path.join(ROOT, 'packages/node/node_modules')]) {
    try {
      return (JSON.parse(readFileSync(path.join(base, name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // try the next place
    }
  }
  try {
    return (from(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

/** Versions of the runtime and the libraries the figures depend on. */
export function versions(): Record<string, string | null> {
  let anvil: string | null = null;
  try {
    anvil =
      execFileSync(path.join(ROOT, 'node_modules/.bin/anvil'), ['--version'], { encoding: 'utf8' })
        .split('\n')[0]
        .match(/\d+\.\d+\.\d+/)?.[0] ?? null;
  } catch {
    anvil = packageVersion('@foundry-rs/anvil');
  }
  return {
    node: process.version,
    v8: process.versions.v8,
    onnxruntime: packageVersion('onnxruntime-node', providerRequire),
    solc: packageVersion('solc'),
    anvil,
    viem: packageVersion('viem'),
    fastify: packageVersion('fastify'),
    kysely: packageVersion('kysely'),
    pglite: packageVersion('@electric-sql/pglite'),
    pg: packageVersion('pg'),
    helia: packageVersion('helia'),
    sharp: packageVersion('sharp', providerRequire),
    autocannon: packageVersion('autocannon'),
    openzeppelin: packageVersion('@openzeppelin/contracts'),
    postgresql: postgresVersion(),
  };
}

function postgresVersion(): string | null {
  try {
    return execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-tAc', 'show server_version'], {
      encoding: 'utf8',
      timeout: 3000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** Milliseconds since `t0` (from `performance.now()`). */
export const since = (t0: number): number => performance.now() - t0;

/**
 * Hands a runner's result over: to `run.ts` through `SOUK_BENCH_OUT`, or to the terminal when run alone.
 * @param result - Everything but `date`, which is set here.
 */
export function emit(result: Omit<FigureResult, 'date'>): void {
  const full: FigureResult = { ...result, date: new Date().toISOString() };
  const out = process.env.SOUK_BENCH_OUT;
  if (out) writeFileSync(out, JSON.stringify(full, null, 2));
  else {
    console.log(JSON.stringify(full.rows, null, 2));
    console.log(full.markdown);
  }
}

/** A markdown table from a header and rows of cells. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map((c) => String(c)).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Logs a progress line with the time since the runner started. */
const started = performance.now();
export function progress(line: string): void {
  console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
}
