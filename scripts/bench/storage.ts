/**
 * Storage: 1 GiB through the storage gateway (`storage/gateway.ts`) on the node's default store (Helia, filesystem
 * blockstore in a temporary directory).
 *
 * - upload: SHA-256 of the plaintext + chunked AES-256-GCM (1 MiB chunks) + UnixFS import (each block hashed for its
 *   CID and written to disk) → the content CID;
 * - download: read the blocks back, decrypt and authenticate every chunk, re-hash the plaintext and compare.
 *
 * Baseline, on the same bytes in the same process: Node's raw `createHash('sha256')` + `createCipheriv('aes-256-gcm')`
 * per 1 MiB chunk (upload), and `createDecipheriv` with tag check + SHA-256 (download) — the cryptography alone,
 * no storage. The bytes are a 64 MiB random pattern repeated 16 times (generated before timing starts).
 *
 * Env: BENCH_STORAGE_BYTES (default 1 GiB).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHeliaStore } from '../../packages/node/src/storage/blocks.ts';
import { createGateway } from '../../packages/node/src/storage/gateway.ts';
import { loadMasterKey } from '../../packages/node/src/storage/keys.ts';
import { emit, fmt, progress, type Row, round, since } from './lib.ts';
import { profiled, profileMarkdown } from './profile.ts';

const SIZE = Number(process.env.BENCH_STORAGE_BYTES ?? 1024 ** 3);
const CHUNK = 1024 * 1024;
const PATTERN = Math.min(64 * CHUNK, SIZE);
const MiB = 1024 * 1024;

const started = performance.now();
const pattern = randomBytes(PATTERN);
/** The SIZE bytes, as 1 MiB pieces of the pattern (views, no copies). */
function* pieces(): Generator<Uint8Array> {
  for (let offset = 0; offset < SIZE; offset += CHUNK) {
    const at = offset % PATTERN;
    yield pattern.subarray(at, Math.min(at + CHUNK, PATTERN, at + SIZE - offset));
  }
}

// ── baseline: raw SHA-256 + AES-256-GCM ──
progress(`baseline: sha256 + aes-256-gcm over ${fmt(SIZE / MiB)} MiB`);
const key = randomBytes(32);
let t0 = performance.now();
{
  const hash = createHash('sha256');
  let i = 0;
  for (const piece of pieces()) {
    hash.update(piece);
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(i++, 8);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.update(piece);
    cipher.final();
    cipher.getAuthTag();
  }
  hash.digest();
}
const rawUploadMs = since(t0);
// Ciphertexts of the pattern's chunks, made before timing the raw download.
const sealed: Array<{ iv: Buffer; data: Buffer; tag: Buffer }> = [];
for (let at = 0; at < PATTERN; at += CHUNK) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(pattern.subarray(at, at + CHUNK)), cipher.final()]);
  sealed.push({ iv, data, tag: cipher.getAuthTag() });
}
t0 = performance.now();
{
  const hash = createHash('sha256');
  for (let offset = 0, i = 0; offset < SIZE; offset += CHUNK, i++) {
    const { iv, data, tag } = sealed[i % sealed.length];
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    hash.update(decipher.update(data));
    decipher.final();
  }
  hash.digest();
}
const rawDownloadMs = since(t0);

// ── the gateway on Helia ──
const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-storage-'));
const store = await createHeliaStore({ dataDir: dir });
const gateway = createGateway({ store, masterKey: await loadMasterKey({ dataDir: dir }) });
progress('gateway upload');
// Resident memory sampled every 20 ms during the gateway's upload and download only (the baseline's own garbage
// is not the gateway's), bytes.
let gatewayPeakRss = process.memoryUsage.rss();
const rssAtStart = gatewayPeakRss;
const sampler = setInterval(() => {
  gatewayPeakRss = Math.max(gatewayPeakRss, process.memoryUsage.rss());
}, 20);
t0 = performance.now();
const uploaded = await gateway.upload({ source: pieces(), encrypt: true });
const uploadMs = since(t0);
const uploadPeakRss = gatewayPeakRss;
progress(`gateway upload: ${fmt(uploadMs)} ms (${uploaded.contentCid})`);
t0 = performance.now();
let received = 0;
for await (const piece of gateway.download({ ...uploaded })) received += piece.length;
const downloadMs = since(t0);
if (received !== SIZE) throw new Error(`downloaded ${received} bytes of ${SIZE}`);
progress(`gateway download: ${fmt(downloadMs)} ms`);
clearInterval(sampler);
const peakRss = Math.max(gatewayPeakRss, process.memoryUsage.rss());

// ── where the gateway's time goes: a profiled pass on 256 MiB (this thread; libuv's file writes are not in it) ──
const PROFILE_BYTES = Math.min(SIZE, 256 * MiB);
function* someBytes(): Generator<Uint8Array> {
  for (let offset = 0; offset < PROFILE_BYTES; offset += CHUNK)
    yield pattern.subarray(offset % PATTERN, (offset % PATTERN) + CHUNK);
}
progress('profiling upload and download (256 MiB)');
const up = await profiled(() => gateway.upload({ source: someBytes(), encrypt: true }));
const down = await profiled(async () => {
  for await (const _ of gateway.download({ ...up.result })) {
    // drain
  }
});
await store.stop();
rmSync(dir, { recursive: true, force: true });

const rate = (ms: number) => round(SIZE / MiB / (ms / 1000), 1);
const label = SIZE === 1024 ** 3 ? '1 GiB' : `${fmt(SIZE / MiB)} MiB`;
const rows: Row[] = [
  {
    figure: `storage upload ${label} (encrypt + hash + CID, Helia)`,
    value: rate(uploadMs),
    unit: 'MiB/s',
    baseline: { label: 'raw sha256 + aes-256-gcm', value: rate(rawUploadMs) },
    ratio: round(rawUploadMs / uploadMs, 2),
    target: '≥ 0.5× baseline',
    met: rawUploadMs / uploadMs >= 0.5,
  },
  {
    figure: `storage download ${label} (decrypt + verify, Helia)`,
    value: rate(downloadMs),
    unit: 'MiB/s',
    baseline: { label: 'raw aes-256-gcm decrypt + sha256', value: rate(rawDownloadMs) },
    ratio: round(rawDownloadMs / downloadMs, 2),
    target: '≥ 0.5× baseline',
    met: rawDownloadMs / downloadMs >= 0.5,
  },
  {
    figure: `storage peak RSS during ${label} up and down`,
    value: round(peakRss / MiB, 0),
    unit: 'MiB',
  },
  {
    figure: `storage retrieval time, ${label}`,
    value: round(downloadMs / 1000, 2),
    unit: 's',
    baseline: { label: 'raw decrypt + sha256', value: round(rawDownloadMs / 1000, 2), unit: 's' },
    target: SIZE === 1024 ** 3 ? '< 5 s' : undefined,
    met: SIZE === 1024 ** 3 ? downloadMs < 5000 : undefined,
  },
];

const markdown = [
  `${label} (a 64 MiB random pattern repeated) through \`createGateway\` on \`createHeliaStore\` (filesystem`,
  'blockstore, temporary directory), in-process, no HTTP. Upload: SHA-256 of the plaintext, chunked AES-256-GCM',
  '(1 MiB chunks, `crypto.ts`), UnixFS import (`unixfs.ts`: each ciphertext leaf hashed for its CID, written to',
  'disk). Download: blocks read back (`unixfs.ts`, 4 leaves ahead), each chunk authenticated and decrypted, the',
  'plaintext hashed and compared before the last piece is released. Baseline: the same cryptography with nothing',
  'else (`createHash` + `createCipheriv` / `createDecipheriv` per 1 MiB), same bytes, same process. The upload',
  'hashes twice by necessity (plaintext SHA-256 for the manifest, ciphertext leaves for their CIDs); the baseline',
  'hashes once, so 0.5× leaves ~0.3× of the baseline time for everything that is not cryptography.',
  '',
  `Times: upload ${fmt(uploadMs / 1000)} s (raw ${fmt(rawUploadMs / 1000)} s), download ${fmt(downloadMs / 1000)} s ` +
    `(raw ${fmt(rawDownloadMs / 1000)} s). Peak RSS while the gateway ran ${fmt(peakRss / MiB, 0)} MiB (upload ` +
    `${fmt(uploadPeakRss / MiB, 0)} MiB; ${fmt(rssAtStart / MiB, 0)} MiB before it, the bench's 64 MiB pattern and ` +
    'its ciphertexts included).',
  '',
  `CPU profile of the upload (${fmt(PROFILE_BYTES / MiB)} MiB, main thread, self time):`,
  '',
  profileMarkdown(up.summary, 8),
  '',
  `CPU profile of the download (${fmt(PROFILE_BYTES / MiB)} MiB):`,
  '',
  profileMarkdown(down.summary, 8),
].join('\n');

emit({
  name: 'storage',
  title: 'Storage (1 GiB)',
  durationMs: since(started),
  rows,
  markdown,
  details: {
    bytes: SIZE,
    uploadMs: round(uploadMs, 1),
    downloadMs: round(downloadMs, 1),
    rawUploadMs: round(rawUploadMs, 1),
    rawDownloadMs: round(rawDownloadMs, 1),
    peakRssBytes: peakRss,
    uploadPeakRssBytes: uploadPeakRss,
    rssBeforeGatewayBytes: rssAtStart,
    contentCid: uploaded.contentCid,
    uploadProfile: up.summary,
    downloadProfile: down.summary,
  },
});
