/**
 * Indexer ingest: 10k Souk events (5,000 `AgentNFT.mint`, each emitting `Transfer` + `AssetMinted`) put on an
 * anvil devnet first, then a fresh indexer catches up from the deployment block, timed. No baseline: events/s.
 *
 * Generation (not timed): automine off, the mints sent as `eth_sendTransaction` from an unlocked dev account, then
 * blocks mined until the pool is empty. Ingest runs on the node's default database (PGlite in a data directory),
 * then on the machine's PostgreSQL when it is reachable.
 *
 * Env: BENCH_INDEXER_EVENTS (default 10,000).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { agentNftAbi, startDevnet } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import pg from 'pg';
import { createPublicClient, encodeFunctionData, type Hex, http, type PublicClient } from 'viem';
import { openDatabase } from '../../packages/node/src/db/index.ts';
import { createIndexer } from '../../packages/node/src/indexer/index.ts';
import { emit, fmt, progress, type Row, round, since, table } from './lib.ts';

const EVENTS = Number(process.env.BENCH_INDEXER_EVENTS ?? 10_000);
const MINTS = Math.ceil(EVENTS / 2);
const POSTGRES_URL = process.env.SOUK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const started = performance.now();
const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-indexer-'));
const devnet = await startDevnet({ dataDir: path.join(dir, 'chain'), port: await freePort() });
const publicClient = createPublicClient({ transport: http(devnet.anvil.rpcUrl), pollingInterval: 50 }) as PublicClient;
const rpc = (method: string, params: unknown[] = []) =>
  publicClient.request({ method: method as never, params: params as never }) as Promise<unknown>;

// ── generate the events ──
progress(`generating ${MINTS} mints (${MINTS * 2} events)`);
let t0 = performance.now();
const from = devnet.accounts[3].address;
const data = encodeFunctionData({
  abi: agentNftAbi,
  functionName: 'mint',
  args: [devnet.accounts[4].address, 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', 0, 500],
});
await rpc('evm_setAutomine', [false]);
const nonce = Number(await rpc('eth_getTransactionCount', [from, 'pending']));
for (let i = 0; i < MINTS; i += 500) {
  await Promise.all(
    Array.from({ length: Math.min(500, MINTS - i) }, (_, k) =>
      rpc('eth_sendTransaction', [
        {
          from,
          to: devnet.deployment.contracts.agentNft,
          data,
          gas: '0x40000',
          nonce: `0x${(nonce + i + k).toString(16)}`,
        },
      ]),
    ),
  );
}
for (let pending = MINTS; pending > 0; ) {
  await rpc('evm_mine');
  pending = Number.parseInt(((await rpc('txpool_status')) as { pending: Hex }).pending, 16);
}
await rpc('evm_setAutomine', [true]);
const head = await publicClient.getBlockNumber();
const generateMs = since(t0);
progress(`generated in ${fmt(generateMs / 1000)} s, head at block ${head}`);

async function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A fresh database, a fresh indexer, one timed catch-up. */
async function ingest(label: string, db: Awaited<ReturnType<typeof openDatabase>>) {
  const indexer = createIndexer({ db, publicClient, deployment: devnet.deployment, confirmations: 0 });
  t0 = performance.now();
  const result = await indexer.syncOnce();
  const ms = since(t0);
  const assets = await db
    .selectFrom('assets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  progress(`${label}: ${result.events} events in ${fmt(ms)} ms`);
  return {
    label,
    events: result.events,
    blocks: Number(result.to - result.from + 1n),
    ms: round(ms, 1),
    assets: Number(assets.n),
  };
}

const runs = [];
const pgliteDir = path.join(dir, 'pglite');
const pglite = await openDatabase({ dataDir: pgliteDir });
runs.push(await ingest('PGlite (default)', pglite));
await pglite.close();
if (await reachable(POSTGRES_URL)) {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  const name = `souk_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  try {
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    const db = await openDatabase({ databaseUrl: url.toString() });
    runs.push(await ingest('PostgreSQL', db));
    await db.close();
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
await devnet.anvil.stop();
rmSync(dir, { recursive: true, force: true });

const rows: Row[] = runs.map((r) => ({
  figure: `indexer ingest, ${fmt(r.events)} events, ${r.label}`,
  value: Math.round(r.events / (r.ms / 1000)),
  unit: 'events/s',
}));
const markdown = [
  `${fmt(MINTS)} \`AgentNFT.mint\` transactions (each emits \`Transfer\` and \`AssetMinted\`) in ${runs[0]?.blocks ?? '?'}`,
  'blocks of an anvil devnet, then a fresh indexer (`createIndexer`, confirmations 0, batches of 1,000 blocks) catches',
  'up from the deployment block with `syncOnce()`: getLogs, block hashes, decoding, and per event the',
  '`chain_events` record plus the state rows (`assets`, `transfers`, owners), in one transaction per batch.',
  '',
  table(
    ['database', 'events', 'blocks', 'time', 'events/s', 'assets indexed'],
    runs.map((r) => [
      r.label,
      fmt(r.events),
      r.blocks,
      `${fmt(r.ms / 1000)} s`,
      fmt(Math.round(r.events / (r.ms / 1000))),
      fmt(r.assets),
    ]),
  ),
].join('\n');

emit({
  name: 'indexer',
  title: 'Indexer ingest',
  durationMs: since(started),
  rows,
  markdown,
  details: { mints: MINTS, generateMs: round(generateMs), runs },
});
process.exit(0);
