/**
 * Fixtures shared by the compute runners (`orders.ts`, `batch.ts`, `catalogue.ts`, `training.ts`): the rendered input image, the raw ONNX
 * Runtime baseline (the sample model's own files on `createOcrPipeline` + `createRuntime`, no market), and a whole
 * node started the way `souk start` does it (embedded devnet, PGlite, in-process bus, local providers), on
 * temporary directories.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@souk/contracts/test-utils';
import {
  createOcrPipeline,
  createRuntime,
  type OcrOutput,
  type OcrPipeline,
  packBundle,
  type Runtime,
  unpackBundle,
} from '@souk/provider';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { createSoukClient, publishAsset, type SoukClient, signIn, uploadContent } from '@souk/sdk';
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

/** A running node with its providers and a signed-in requester. */
export type BenchNode = {
  node: RunningNode;
  client: SoukClient;
  sampleId: bigint;
  /** Log lines of the node and its providers, with their arrival time. */
  lines: Array<{ at: number; line: string }>;
  /** Times the SDK's requests finished, by `METHOD path`. */
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

  return {
    node,
    client,
    sampleId: node.sampleModelId as bigint,
    lines,
    requests,
    async stop() {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Publishes a training recipe (pipeline `train`, a bundle holding `recipe.json`) as an encrypted, minted asset.
 * @returns Its asset id.
 */
export async function publishRecipe(client: SoukClient, recipe: unknown, name: string): Promise<bigint> {
  const upload = await uploadContent(client, {
    data: packBundle({ 'recipe.json': new TextEncoder().encode(JSON.stringify(recipe)) }),
    encrypt: true,
  });
  const published = await publishAsset(client, {
    uploadId: upload.uploadId,
    name,
    kind: 'model',
    runtime: { engine: 'onnxruntime', pipeline: 'train' },
    license: { terms: 'MIT' },
    royaltyBps: 0,
    mint: { mode: 'submit' },
  });
  return BigInt(published.assetId as string);
}
