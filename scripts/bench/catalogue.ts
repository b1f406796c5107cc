/**
 * Every model of the devnet catalogue (`packages/node/src/compute/catalogue/entries.ts`), each on a real input, in
 * one run:
 *
 * - raw ONNX Runtime: the entry's own bundle files on its pipeline (`createOcrPipeline`, `createVadPipeline`,
 *   `createIsnetPipeline`, `createWakewordPipeline`) and `createRuntime({ threads: 1 })` (one intra-op thread, as a provider), no market;
 * - a job through the market: a signed order (compute protocol v2, the SDK's `runOrder`, which verifies the
 *   attestations and the providers' stake before it returns) at r = 1 and r = 2, on the instant devnet — a node
 *   started here with `SOUK_CATALOGUE=all` and 2 local providers;
 * - overhead = market − raw (ms) and the ratio market / raw, at p50 and p95.
 *
 * The three are measured in interleaved rounds (raw, r = 1, r = 2, raw, …) after warm-up, so a change of the
 * machine's load during the run falls on all three alike. Rounds per model: as many as fit in
 * BENCH_CATALOGUE_BUDGET_S (estimated from the warm-up), at least 5 and at most BENCH_CATALOGUE_RUNS. Each market
 * result is checked against the raw pipeline's canonical result (the same result hash).
 *
 * Inputs: OCR — the 2-line receipt rendered by ImageMagick (`fixtures.ts`); VAD — the eSpeak NG recording of the VAD
 * test (`speechRecording`, 12.6 s at 22,050 Hz); IS-Net — a shaded sphere drawn by ImageMagick (`renderShape`,
 * 640 × 480); openWakeWord — the eSpeak NG recording of the CLI's wake-word test (`wakewordRecording`: "hey jarvis",
 * a sentence, "alexa", 8.5 s at 22,050 Hz), all four heads of the bundle listening. An entry with another pipeline is run through `createJobExecutor` (the provider's own path) on an
 * input chosen by its media types, and says so in the report.
 *
 * Env: BENCH_CATALOGUE_RUNS (rounds per model at most, default 15), BENCH_CATALOGUE_BUDGET_S (seconds of rounds per
 * model, default 45).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type BundleFiles,
  createIsnetPipeline,
  createJobExecutor,
  createOcrPipeline,
  createRuntime,
  createVadPipeline,
  createWakewordPipeline,
  keywordFiles,
  type PipelineOutput,
  type Runtime,
  resultHash,
  unpackBundle,
} from '@souk/provider';
import { findImageMagick } from '@souk/provider/test-utils';
import { renderShape } from '@souk/provider/test-utils/shapes';
import { speechRecording, wakewordRecording } from '@souk/provider/test-utils/speech';
import { runOrder } from '@souk/sdk';
import { parseEther } from 'viem';
import { catalogue } from '../../packages/node/src/compute/catalogue/entries.ts';
import type { CatalogueEntry } from '../../packages/node/src/compute/catalogue/types.ts';
import { renderInput, startBenchNode } from './fixtures.ts';
import { emit, fmt, progress, type Row, round, type Summary, since, summarize, table } from './lib.ts';

const MAX_RUNS = Number(process.env.BENCH_CATALOGUE_RUNS ?? 15);
const BUDGET_MS = Number(process.env.BENCH_CATALOGUE_BUDGET_S ?? 45) * 1000;
const MIN_RUNS = 5;
const PRICE = parseEther('0.0001');

/** Runs one input through a raw pipeline; resolves to the pipeline's output. */
type RawRun = (input: Uint8Array) => Promise<PipelineOutput>;

/** A bundle's file, or a clear error naming the entry. */
function bundleFile(files: BundleFiles, name: string, key: string): Uint8Array {
  const file = files[name];
  if (!file) throw new Error(`The ${key} bundle has no ${name}.`);
  return file;
}

/** How the bench feeds one pipeline: its input and its raw baseline. */
type Subject = {
  /** The input, in words (for the report). */
  input: string;
  /** The baseline, in words. */
  baseline: string;
  bytes: Uint8Array;
  /** Builds the raw baseline from the bundle the market publishes, on `runtime`. */
  raw: (files: BundleFiles, bundle: Uint8Array, runtime: Runtime) => Promise<RawRun>;
};

/** The scene of the IS-Net input (the first scene of `isnet.test.ts`). */
function shapeInput(dir: string): Uint8Array {
  const out = path.join(dir, 'sphere.png');
  renderShape(findImageMagick(), {
    out,
    truthOut: path.join(dir, 'sphere-truth.png'),
    width: 640,
    height: 480,
    background: '#dfe6ec',
    primitive: 'circle 300,240 300,110',
    box: [170, 110, 260, 260],
    light: '#ffd2a6',
    dark: '#8a2a00',
  });
  return new Uint8Array(readFileSync(out));
}

/** Input and raw baseline per pipeline; a pipeline missing here falls back to the provider's executor. */
async function subjectFor(entry: CatalogueEntry, dir: string): Promise<Subject> {
  const speech = async () => (await speechRecording()).wav;
  switch (entry.pipeline) {
    case 'ocr':
      return {
        input: 'receipt, 2 lines, ImageMagick (DejaVu Sans 32 px)',
        baseline: '`createOcrPipeline`',
        bytes: renderInput(dir),
        raw: async (files, _bundle, runtime) => {
          const ocr = await createOcrPipeline({
            detectionModel: bundleFile(files, 'detection.onnx', 'ocr'),
            classifierModel: files['classifier.onnx'],
            recognitionModel: bundleFile(files, 'recognition.onnx', 'ocr'),
            dictionary: bundleFile(files, 'dictionary.txt', 'ocr'),
          });
          return async (input) => (await ocr.run(runtime, input)).output;
        },
      };
    case 'vad':
      return {
        input: 'eSpeak NG, 3 phrases, 12.6 s WAV at 22,050 Hz',
        baseline: '`createVadPipeline`',
        bytes: await speech(),
        raw: async (files, _bundle, runtime) => {
          const vad = await createVadPipeline({ model: bundleFile(files, 'model.onnx', 'vad') });
          return async (input) => (await vad.run(runtime, input)).output;
        },
      };
    case 'isnet':
      return {
        input: 'shaded sphere, 640 × 480 PNG, ImageMagick',
        baseline: '`createIsnetPipeline`',
        bytes: shapeInput(dir),
        raw: async (files, _bundle, runtime) => {
          const isnet = await createIsnetPipeline({ model: bundleFile(files, 'model.onnx', 'isnet') });
          return async (input) => (await isnet.run(runtime, input)).output;
        },
      };
    case 'wakeword':
      return {
        input: 'eSpeak NG, "hey jarvis", a sentence, "alexa", 8.5 s WAV at 22,050 Hz; 4 heads',
        baseline: '`createWakewordPipeline`',
        bytes: (await wakewordRecording()).wav,
        raw: async (files, _bundle, runtime) => {
          const wakeword = await createWakewordPipeline({
            melspectrogramModel: bundleFile(files, 'melspectrogram.onnx', 'wakeword'),
            embeddingModel: bundleFile(files, 'embedding_model.onnx', 'wakeword'),
            keywordModels: keywordFiles(files),
          });
          return async (input) => (await wakeword.run(runtime, input)).output;
        },
      };
    default: {
      const audio = entry.inputMediaTypes.some((t) => t.startsWith('audio/'));
      if (!audio && !entry.inputMediaTypes.some((t) => t.startsWith('image/')))
        throw new Error(`No bench input for ${entry.key} (media types ${entry.inputMediaTypes.join(', ')}).`);
      return {
        input: audio ? 'eSpeak NG recording (as VAD)' : 'receipt image (as OCR)',
        baseline: '`createJobExecutor` (no adapter of its own yet)',
        bytes: audio ? await speech() : renderInput(dir),
        raw: async (_files, bundle, runtime) => {
          const executor = createJobExecutor({ runtime });
          return async (input) => (await executor.execute({ pipeline: entry.pipeline, bundle, input })).output;
        },
      };
    }
  }
}

/** One escrow deposit for every order of the run. */
async function deposit(bench: Awaited<ReturnType<typeof startBenchNode>>) {
  await bench.client.json('/api/v1/orders/escrow/deposit', {
    method: 'POST',
    body: { amountWei: String(parseEther('10')) },
  });
}

const started = performance.now();
const load = [os.loadavg()[0]];
const loadStart = os.loadavg().map((v) => round(v, 2));
const dir = mkdtempSync(path.join(os.tmpdir(), 'souk-bench-catalogue-'));

progress('starting a node with SOUK_CATALOGUE=all and 2 local providers (publishes every catalogue model)');
const nodeStart = performance.now();
const bench = await startBenchNode(2, { SOUK_CATALOGUE: 'all' });
const nodeStartMs = since(nodeStart);
progress(`node up in ${fmt(nodeStartMs / 1000, 1)} s: ${bench.node.catalogue.map((m) => m.key).join(', ')}`);
await deposit(bench);
const publicClient = bench.node.services.chain.publicClient;

const rows: Row[] = [];
const tableRows: Array<Array<string | number>> = [];
const inputRows: Array<Array<string | number>> = [];
const details: Record<string, unknown> = { nodeStartMs };
let negative = false;

for (const entry of catalogue) {
  const published = bench.node.catalogue.find((m) => m.key === entry.key);
  if (!published) throw new Error(`The node did not publish catalogue entry ${entry.key}.`);
  const subject = await subjectFor(entry, dir);
  const bundle = await entry.bundle();
  const runtime = createRuntime({ threads: 1 });
  const raw = await subject.raw(unpackBundle(bundle), bundle, runtime);
  const market = (redundancy: number) =>
    runOrder(bench.client, {
      assetId: published.assetId,
      input: subject.bytes,
      redundancy,
      maxPriceWei: PRICE,
      publicClient,
    });

  progress(`${entry.key}: warming up (raw × 2, market r = 2 × 2 so both providers hold the model, r = 1)`);
  const expected = resultHash(await raw(subject.bytes));
  let t0 = performance.now();
  await raw(subject.bytes);
  const rawWarmMs = since(t0);
  await market(2);
  await market(2);
  t0 = performance.now();
  await market(1);
  const marketWarmMs = since(t0);
  const fit = Math.floor(BUDGET_MS / (rawWarmMs + 2.5 * marketWarmMs));
  const runs = Math.min(MAX_RUNS, Math.max(MIN_RUNS, fit));

  const samples = { raw: [] as number[], r1: [] as number[], r2: [] as number[] };
  let mismatches = 0;
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    await raw(subject.bytes);
    samples.raw.push(since(t0));
    for (const r of [1, 2] as const) {
      t0 = performance.now();
      const result = await market(r);
      samples[`r${r}`].push(since(t0));
      if (result.resultHash !== expected) mismatches++;
    }
    load.push(os.loadavg()[0]);
  }
  await runtime.close();

  const stats = { raw: summarize(samples.raw), r1: summarize(samples.r1), r2: summarize(samples.r2) };
  progress(
    `${entry.key}: raw p50 ${fmt(stats.raw.p50)} ms, r = 1 p50 ${fmt(stats.r1.p50)} ms, r = 2 p50 ${fmt(stats.r2.p50)} ms (${runs} rounds)`,
  );
  // Paired: each round's market time minus the raw time of the same round (robust to load drifting between rounds).
  const paired = {
    r1: summarize(samples.r1.map((v, i) => v - samples.raw[i])),
    r2: summarize(samples.r2.map((v, i) => v - samples.raw[i])),
  };
  if ([stats.r1, stats.r2].some((m) => m.p50 < stats.raw.p50)) negative = true;
  inputRows.push([`\`${entry.key}\``, entry.name, subject.input, subject.baseline]);
  for (const r of [1, 2] as const) {
    const m: Summary = stats[`r${r}`];
    tableRows.push([
      `\`${entry.key}\``,
      r,
      runs,
      `${fmt(stats.raw.p50, 1)} / ${fmt(stats.raw.p95, 1)}`,
      `${fmt(m.p50, 1)} / ${fmt(m.p95, 1)}`,
      `${fmt(m.p50 - stats.raw.p50, 1)} / ${fmt(m.p95 - stats.raw.p95, 1)}`,
      fmt(paired[`r${r}`].p50, 1),
      `${fmt(m.p50 / stats.raw.p50, 2)}× / ${fmt(m.p95 / stats.raw.p95, 2)}×`,
      mismatches === 0 ? 'yes' : `**no** (${mismatches} of ${2 * runs})`,
    ]);
    rows.push({
      figure: `catalogue ${entry.key}: result latency p50, r = ${r}, instant devnet (${runs} orders)`,
      value: round(m.p50, 1),
      unit: 'ms',
      baseline: { label: 'raw ONNX Runtime p50', value: round(stats.raw.p50, 1) },
      ratio: round(m.p50 - stats.raw.p50, 1),
      ratioLabel: 'overhead ms',
    });
  }
  details[entry.key] = {
    assetId: String(published.assetId),
    pipeline: entry.pipeline,
    inputBytes: subject.bytes.length,
    runs,
    warmUpMs: { raw: rawWarmMs, marketR1: marketWarmMs },
    rawMs: stats.raw,
    r1Ms: stats.r1,
    r2Ms: stats.r2,
    overheadMs: {
      r1: { p50: stats.r1.p50 - stats.raw.p50, p95: stats.r1.p95 - stats.raw.p95 },
      r2: { p50: stats.r2.p50 - stats.raw.p50, p95: stats.r2.p95 - stats.raw.p95 },
    },
    ratio: {
      r1: { p50: stats.r1.p50 / stats.raw.p50, p95: stats.r1.p95 / stats.raw.p95 },
      r2: { p50: stats.r2.p50 / stats.raw.p50, p95: stats.r2.p95 / stats.raw.p95 },
    },
    pairedOverheadMs: paired,
    resultHashMismatches: mismatches,
  };
}
await bench.stop();
rmSync(dir, { recursive: true, force: true });

const loadEnd = os.loadavg().map((v) => round(v, 2));
const cores = os.cpus().length;
details.load = { start: loadStart, end: loadEnd, max1min: round(Math.max(...load), 2), cores };

emit({
  name: 'catalogue',
  title: 'Catalogue: raw ONNX Runtime vs a job through the market, per model',
  durationMs: since(started),
  rows,
  markdown: [
    'Every catalogue model on a node started here with `SOUK_CATALOGUE=all` and 2 local providers (instant devnet,',
    `PGlite, the in-process bus, SOUK_AUDIT_RATE=0; up, with every model published, in ${fmt(nodeStartMs / 1000, 1)} s).`,
    "Market: the SDK's `runOrder` (signed order, compute protocol v2), from POST to a result whose attestations and",
    'provider stakes it has verified. Raw: the same bundle files on the pipeline and `createRuntime({ threads: 1 })`',
    'in this process, no market. Raw, r = 1 and r = 2 alternate round by round after warm-up, so all three see the',
    `same machine load; rounds per model fit a ${fmt(BUDGET_MS / 1000, 0)} s budget (at least ${MIN_RUNS}, at most ${MAX_RUNS}), so p95 is the`,
    'slowest round (nearest rank). r = 2 runs two inferences at once on the two cores. "result = raw": every market',
    "result had the raw pipeline's canonical result hash. Paired overhead: the median over rounds of (market − raw",
    'of the same round).',
    '',
    table(['model', 'name', 'input', 'raw baseline'], inputRows),
    '',
    table(
      [
        'model',
        'r',
        'rounds',
        'raw p50 / p95 ms',
        'market p50 / p95 ms',
        'overhead p50 / p95 ms',
        'paired overhead p50 ms',
        'ratio p50 / p95',
        'result = raw',
      ],
      tableRows,
    ),
    '',
    `Machine load: ${cores} cores; 1-minute load average ${loadStart[0]} when this runner started, ${loadEnd[0]} when it`,
    `ended, at most ${fmt(Math.max(...load), 2)} between rounds (5-minute: ${loadStart[1]} → ${loadEnd[1]}). Other sessions`,
    'share this machine: a load above the core count means other processes competed for the cores throughout, so the',
    'absolute figures are slower than on an idle machine and r = 2 (two inferences at once) suffers most; the ratios,',
    'measured round by round in the same minutes, are the comparable part.',
    ...(negative
      ? [
          'A market p50 below the raw p50 means the overhead is smaller than the run-to-run noise at this load (a few',
          'rounds, each slowed by whatever else ran then), not that the market is faster.',
        ]
      : []),
  ].join('\n'),
  details,
});
process.exit(0);
