/**
 * `npm run bench [-- <figure> …]`: runs the benchmark runners (`scripts/bench/<figure>.ts`, each in its own Node
 * process, one after another so they never share the cores), merges their results into `bench/results.json`
 * (figures not run keep their previous result) and renders `bench/REPORT.md`.
 *
 * Figures, in report order: gas, scheduler, orders, batch, catalogue, training, rounds, marketplace, storage, indexer,
 * durability, scaleout.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FigureResult, machine, ROOT, versions } from './lib.ts';
import { type Results, renderReport } from './report.ts';

const FIGURES = [
  'gas',
  'scheduler',
  'orders',
  'batch',
  'catalogue',
  'training',
  'rounds',
  'marketplace',
  'storage',
  'indexer',
  'durability',
  'scaleout',
] as const;

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = requested.filter((name) => !(FIGURES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`Unknown figure ${unknown.join(', ')}; choose from ${FIGURES.join(', ')}.`);
  process.exit(2);
}
const selected = requested.length > 0 ? FIGURES.filter((f) => requested.includes(f)) : [...FIGURES];

const resultsFile = path.join(ROOT, 'bench/results.json');
const previous: Partial<Results> = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
// Figures of runners that no longer exist (e.g. the per-job compute path's) are dropped, not carried forward.
const figures: Record<string, FigureResult> = Object.fromEntries(
  Object.entries(previous.figures ?? {}).filter(([name]) => (FIGURES as readonly string[]).includes(name)),
);
const tmp = mkdtempSync(path.join(tmpdir(), 'souk-bench-'));
const loadStart = machine().loadAverage;
const started = performance.now();
const failed: string[] = [];

for (const name of selected) {
  const out = path.join(tmp, `${name}.json`);
  console.error(`\n── ${name} ──`);
  const t0 = performance.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/bench', `${name}.ts`)], {
      cwd: ROOT,
      env: { ...process.env, SOUK_BENCH_OUT: out },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  if (code !== 0 || !existsSync(out)) {
    console.error(`${name} failed (exit ${code})`);
    failed.push(name);
    continue;
  }
  figures[name] = JSON.parse(readFileSync(out, 'utf8')) as FigureResult;
  console.error(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
rmSync(tmp, { recursive: true, force: true });

const ordered = Object.fromEntries(FIGURES.filter((f) => figures[f]).map((f) => [f, figures[f]]));
const results: Results = {
  date: new Date().toISOString(),
  machine: machine(),
  load: { start: loadStart, end: machine().loadAverage },
  versions: versions(),
  run: { durationMs: Math.round(performance.now() - started), figures: [...selected], failed },
  figures: ordered,
};
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(path.join(ROOT, 'bench/REPORT.md'), renderReport(results));
console.error(
  `\nwrote bench/results.json and bench/REPORT.md (${((performance.now() - started) / 1000).toFixed(1)} s)` +
    (failed.length ? `; failed: ${failed.join(', ')}` : ''),
);
process.exit(failed.length ? 1 : 0);
