/**
 * Renders `bench/REPORT.md` from `bench/results.json` (see `run.ts`). Run alone to re-render:
 * `node scripts/bench/report.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type FigureResult, fmt, ROOT, type Row, table } from './lib.ts';

/** `bench/results.json`. */
export type Results = {
  /** When the last `npm run bench` finished. */
  date: string;
  machine: { cpu: string; cores: number; memoryBytes: number; os: string; loadAverage: number[] };
  /** Load average (1, 5, 15 min) when the last run started and ended. */
  load?: { start: number[]; end: number[] } | undefined;
  versions: Record<string, string | null>;
  /** Wall time of the last `npm run bench` invocation, ms, and which figures it ran. */
  run: { durationMs: number; figures: string[]; failed: string[] };
  /** Every figure's latest result, in report order. */
  figures: Record<string, FigureResult>;
};

const unit = (value: number, u: string) => (u === 'ms' || u === 's' ? `${fmt(value)} ${u}` : `${fmt(value)} ${u}`);

function cells(row: Row): Array<string | number> {
  const baseline = row.baseline
    ? `${row.baseline.label}: ${unit(row.baseline.value, row.baseline.unit ?? row.unit)}`
    : '—';
  const ratio =
    row.ratio === undefined
      ? '—'
      : row.ratioLabel === 'overhead ms'
        ? `overhead ${row.ratio >= 0 ? '+' : ''}${fmt(row.ratio, 1)} ms`
        : `${fmt(row.ratio, 3)}×`;
  const met = row.met === undefined ? '—' : row.met ? 'met' : '**missed**';
  return [row.figure, unit(row.value, row.unit), baseline, ratio, row.target ?? '—', met];
}

/** The report's markdown. */
export function renderReport(results: Results): string {
  const figures = Object.values(results.figures);
  const GiB = 1024 ** 3;
  const versions = Object.entries(results.versions)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const out = [
    '# Souk benchmarks',
    '',
    'Written by `npm run bench` (all figures, under 10 minutes) or `npm run bench -- <figure> …` (one or more of',
    `${figures.map((f) => `\`${f.name}\``).join(', ')}); raw data in [results.json](results.json). Every figure is`,
    'shown with its baseline measured in the same run, and the ratio. Speed is measured here and never asserted in',
    'tests. Targets are the ones set in the benchmark issue; a missed target stays missed, with the profile that',
    'shows why.',
    '',
    `- **Machine:** ${results.machine.cpu}, ${results.machine.cores} cores, ${fmt(results.machine.memoryBytes / GiB, 1)} GiB,`,
    `  ${results.machine.os}. Load average at start ${results.load?.start.join(' / ') ?? '?'}, at end`,
    `  ${results.load?.end.join(' / ') ?? '?'} (1 / 5 / 15 min): the machine is shared, so other jobs may have run.`,
    `- **Versions:** ${versions}.`,
    `- **Last run:** ${results.date}, ${fmt(results.run.durationMs / 1000, 1)} s for ${results.run.figures.join(', ')}` +
      (results.run.failed.length ? ` (failed: ${results.run.failed.join(', ')})` : '') +
      '.',
    '',
    '## Results',
    '',
    table(
      ['figure', 'value', 'baseline (same run)', 'ratio', 'target', 'met'],
      figures.flatMap((f) => f.rows.map(cells)),
    ),
    '',
  ];
  for (const f of figures) {
    out.push(
      `## ${f.title}`,
      '',
      `*Runner \`scripts/bench/${f.name}.ts\`, ${f.date}, ${fmt(f.durationMs / 1000, 1)} s.*`,
    );
    out.push('', f.markdown.trim(), '');
  }
  return `${out.join('\n').trim()}\n`;
}

if (import.meta.filename === process.argv[1]) {
  const results = JSON.parse(readFileSync(path.join(ROOT, 'bench/results.json'), 'utf8')) as Results;
  writeFileSync(path.join(ROOT, 'bench/REPORT.md'), renderReport(results));
}
