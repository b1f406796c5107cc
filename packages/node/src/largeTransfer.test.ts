/**
 * A 1 GiB file streamed through the HTTP API (upload, encrypt, store; then licensed download, decrypt, verify):
 * resident memory must stay far below the file size. Size adjustable with SOUK_LARGE_TEST_BYTES.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { createSoukClient, downloadAsset, publishAsset, signIn, type UploadContentReturnType } from '@souk/sdk';
import { loadConfig } from './config.ts';
import { type RunningNode, startNode } from './server.ts';

const SIZE = Number(process.env.SOUK_LARGE_TEST_BYTES ?? 1024 ** 3);
const PIECE = 1024 * 1024;
let node: RunningNode;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'souk-large-'));
  const config = loadConfig(
    { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()) },
    { SOUK_PROVIDERS: '0', SOUK_SAMPLE_MODEL: '0' },
  );
  node = await startNode(config, { logger: false });
});
after(async () => {
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Samples resident memory every 50 ms; `stop()` returns the peak growth over the baseline, in bytes. */
function watchMemory() {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss) - baseline;
  };
}

test(`streams ${SIZE} bytes up and down through the API with bounded memory`, async () => {
  const client = createSoukClient({ url: node.url });
  const account = node.services.chain.devAccounts[2].account;
  await signIn(client, { account });

  // The client runs in a child process so that only the node's memory is measured here.
  const uploader = `
    const { createHash, randomBytes } = await import('node:crypto');
    const [url, token, size] = process.argv.slice(1);
    const sent = createHash('sha256');
    let produced = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (produced >= Number(size)) return controller.close();
        const piece = randomBytes(Math.min(${PIECE}, Number(size) - produced));
        produced += piece.length;
        sent.update(piece);
        controller.enqueue(piece);
      },
    });
    const res = await fetch(url + '/api/v1/uploads', {
      method: 'POST', body, duplex: 'half',
      headers: { authorization: 'Bearer ' + token, 'content-type': 'application/octet-stream' },
    });
    console.log(JSON.stringify({ status: res.status, body: await res.json(), sha256: sent.digest('hex') }));
  `;
  global.gc?.();
  let stop = watchMemory();
  let started = performance.now();
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', uploader, node.url, client.accessToken as string, String(SIZE)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  await once(child, 'exit');
  const uploadSeconds = (performance.now() - started) / 1000;
  const uploadGrowth = stop();
  const result = JSON.parse(output) as { status: number; body: UploadContentReturnType; sha256: string };
  assert.equal(result.status, 201);
  const upload = result.body;
  assert.equal(upload.sha256, result.sha256);
  assert.equal(upload.size, SIZE);

  const published = await publishAsset(client, {
    uploadId: upload.uploadId,
    name: 'Large dataset',
    kind: 'dataset',
    license: { terms: 'proprietary' },
    royaltyBps: 0,
  });
  const assetId = BigInt(published.assetId as string);
  const { chainId, contracts } = node.services.chain.deployment;

  global.gc?.();
  stop = watchMemory();
  started = performance.now();
  // The owner holds access on-chain (Licenses.hasAccess is true for the owner).
  const response = await downloadAsset(client, { assetId, account, chainId, licenses: contracts.licenses });
  const received = createHash('sha256');
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    received.update(chunk);
    total += chunk.length;
  }
  const downloadSeconds = (performance.now() - started) / 1000;
  const downloadGrowth = stop();
  assert.equal(total, SIZE);
  assert.equal(received.digest('hex'), upload.sha256);

  const MiB = 1024 * 1024;
  console.log(
    `upload ${(SIZE / MiB / uploadSeconds).toFixed(0)} MiB/s (rss +${(uploadGrowth / MiB).toFixed(0)} MiB), ` +
      `download ${(SIZE / MiB / downloadSeconds).toFixed(0)} MiB/s (rss +${(downloadGrowth / MiB).toFixed(0)} MiB)`,
  );
  // Far below the file size: the whole path streams.
  const limit = Math.min(300 * MiB, SIZE / 2);
  assert.ok(uploadGrowth < limit, `upload grew resident memory by ${(uploadGrowth / MiB).toFixed(0)} MiB`);
  assert.ok(downloadGrowth < limit, `download grew resident memory by ${(downloadGrowth / MiB).toFixed(0)} MiB`);
});
