/**
 * Fixtures shared by the compute runners (`latency.ts`, `throughput.ts`): the rendered input image, the raw ONNX
 * Runtime baseline (the sample model's own files on `createOcrPipeline` + `createRuntime`, no market), and a whole
 * node started the way `souk start` does it (embedded devnet, PGlite, in-process bus, local providers), on
 * temporary directories.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeMarketAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import {
  createOcrPipeline,
  createRuntime,
  type OcrOutput,
  type OcrPipeline,
  type Runtime,
  unpackBundle,
} from '@souk/provider';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { createSoukClient, type SoukClient, signIn } from '@souk/sdk';
import { createPublicClient, type Log, webSocket } from 'viem';
import { ocrBundle as sampleOcrBundle } from '../../packages/node/src/compute/catalogue/ocr.ts';
import { loadConfig } from '../../packages/node/src/config.ts';
import { type RunningNode, startNode } from '../../packages/node/src/server.ts';

/** The text rendered into the benchmark's input image (a two-line receipt). */
export const INPUT_TEXT = 'TOTAL 12.50 EUR\nPaid by card 4242';

/** Renders the input image once (DejaVu Sans, 32 px) and returns its PNG bytes. */
export function renderInput(dir: string): Uint8Array {
  const out = path.join(dir, 'input.png');
  renderText(findImageMagick(), { out, text: INPUT_TEXT, font: dejavuFont('DejaVuSans.ttf'), pointSize: 32 });
  return new Uint8Array(readFileSync(out));
}

/** The raw pipeline: the sample model's bundle files on a fresh runtime (1 intra-op thread, as a provider). */
export async function rawPipeline(): Promise<{ ocr: OcrPipeline; runtime: Runtime; close: () => Promise<void> }> {
  const files = unpackBundle(await sampleOcrBundle());
  const ocr = await createOcrPipeline({
    detectionModel: files['detection.onnx'],
    classifierModel: files['classifier.onnx'],
    recognitionModel: files['recognition.onnx'],
    dictionary: files['dictionary.txt'],
  });
  const runtime = createRuntime({ threads: 1 });
  return { ocr, runtime, close: () => runtime.close() };
}

/** Runs the raw pipeline once; returns the output. */
export async function rawRun(raw: { ocr: OcrPipeline; runtime: Runtime }, png: Uint8Array): Promise<OcrOutput> {
  return (await raw.ocr.run(raw.runtime, png)).output;
}

/** A chain log seen by the watcher, with the time it arrived (`performance.now()`). */
export type SeenLog = { eventName: string; jobId: bigint; provider?: string | undefined; at: number };

/** A running node with its providers, a signed-in requester and a push watcher of ComputeMarket logs. */
export type BenchNode = {
  node: RunningNode;
  client: SoukClient;
  sampleId: bigint;
  /** Log lines of the node and its providers, with their arrival time. */
  lines: Array<{ at: number; line: string }>;
  /** ComputeMarket logs by job id, in arrival order (WebSocket subscription to anvil: no polling delay). */
  logs: Map<string, SeenLog[]>;
  /** Times the SDK's requests finished, by `METHOD path` (for the submit stage). */
  requests: Array<{ key: string; start: number; end: number }>;
  stop: () => Promise<void>;
};

/** A client signed in as devnet account `index` (for concurrent requesters: one nonce sequence each). */
export async function clientFor(bench: BenchNode, index: number): Promise<SoukClient> {
  const client = createSoukClient({ url: bench.node.url });
  await signIn(client, { account: bench.node.services.chain.devAccounts[index].account });
  return client;
}

/**
 * Starts a node with `providers` local providers (SOUK_AUDIT_RATE=0, no rate limit), signs in dev account 1.
 * @param env - Extra environment for `loadConfig`.
 */
export async function startBenchNode(providers: number, env: Record<string, string> = {}): Promise<BenchNode> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-bench-'));
  const lines: BenchNode['lines'] = [];
  const config = loadConfig(
    { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: String(providers) },
    { SOUK_AUDIT_RATE: '0', RATE_LIMIT_PER_MINUTE: '1000000', ...env },
  );
  const node = await startNode(config, {
    logger: false,
    log: (line) => {
      lines.push({ at: performance.now(), line });
      if (process.env.BENCH_DEBUG) console.error(`${performance.now().toFixed(0)} ${line}`);
    },
  });
  const requests: BenchNode['requests'] = [];
  const timedFetch: typeof fetch = async (input, init) => {
    const start = performance.now();
    const response = await fetch(input, init);
    const url = new URL(String(input instanceof Request ? input.url : input));
    requests.push({ key: `${init?.method ?? 'GET'} ${url.pathname}`, start, end: performance.now() });
    return response;
  };
  const client = createSoukClient({ url: node.url, fetch: timedFetch });
  await signIn(client, { account: node.services.chain.devAccounts[1].account });

  const logs = new Map<string, SeenLog[]>();
  const watcher = createPublicClient({ transport: webSocket(node.services.chain.rpcUrl.replace(/^http/, 'ws')) });
  const unwatch = watcher.watchContractEvent({
    address: node.services.chain.deployment.contracts.computeMarket,
    abi: computeMarketAbi,
    onLogs: (received) => {
      const at = performance.now();
      for (const log of received as Array<Log & { eventName: string; args: Record<string, unknown> }>) {
        const jobId = log.args.jobId as bigint | undefined;
        if (jobId === undefined) continue;
        const list = logs.get(String(jobId)) ?? [];
        list.push({ eventName: log.eventName, jobId, provider: log.args.provider as string | undefined, at });
        logs.set(String(jobId), list);
      }
    },
  });
  return {
    node,
    client,
    sampleId: node.sampleModelId as bigint,
    lines,
    logs,
    requests,
    async stop() {
      unwatch();
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Per-stage times of one job, ms, from the watcher's log arrivals and the SDK's requests. */
export type JobStages = {
  /** Upload of the input + `POST /jobs` (the node sends `submitJob`) until the response. */
  submit: number;
  /** `JobSubmitted` mined → `ProviderAssigned` mined (indexer, coordinator tick, selection, assign tx). */
  assign: number;
  /** Assignment → last `ResultCommitted` (bus, download, inference, result upload, commit tx). */
  execute: number;
  /** Last commit → last `ResultRevealed` (providers noticing `Revealing`, reveal txs). */
  reveal: number;
  /** Last reveal → `JobSettled` (coordinator noticing, finalize tx). */
  finalize: number;
  /** `JobSettled` → the SDK's `result()` resolved (indexer, SDK poll, `GET /jobs/:id/result`). */
  result: number;
};

/** Splits a job's wall time into stages. */
export function stagesOf(
  bench: BenchNode,
  jobId: bigint,
  window: { start: number; end: number },
): JobStages | undefined {
  const seen = bench.logs.get(String(jobId)) ?? [];
  const first = (name: string) => seen.find((l) => l.eventName === name)?.at;
  const last = (name: string) => seen.filter((l) => l.eventName === name).at(-1)?.at;
  const submitted = first('JobSubmitted');
  const assigned = last('ProviderAssigned');
  const committed = last('ResultCommitted');
  const revealed = last('ResultRevealed');
  const settled = first('JobSettled');
  const posted = bench.requests.find((r) => r.key === 'POST /api/v1/jobs' && r.start >= window.start)?.end;
  if ([submitted, assigned, committed, revealed, settled, posted].some((t) => t === undefined)) return undefined;
  return {
    submit: (posted as number) - window.start,
    assign: (assigned as number) - (submitted as number),
    execute: (committed as number) - (assigned as number),
    reveal: (revealed as number) - (committed as number),
    finalize: (settled as number) - (revealed as number),
    result: window.end - (settled as number),
  };
}

/** Provider-side split of the execute stage, parsed from the providers' `committed` log lines. */
export type ExecuteSplit = { download: number; inference: number; upload: number; commit: number };

/** Reads the providers' per-job split (download, inference, upload, commit ms) from their log lines. */
export function executeSplits(bench: BenchNode, jobId: bigint): ExecuteSplit[] {
  const pattern = new RegExp(
    `job ${jobId} committed .* \\(download (\\d+) ms, inference (\\d+) ms, upload (\\d+) ms, commit (\\d+) ms\\)`,
  );
  const out: ExecuteSplit[] = [];
  for (const { line } of bench.lines) {
    const m = pattern.exec(line);
    if (m) out.push({ download: +m[1], inference: +m[2], upload: +m[3], commit: +m[4] });
  }
  return out;
}
