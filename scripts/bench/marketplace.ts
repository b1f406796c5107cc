/**
 * `GET /api/v1/marketplace/list` (50 items per page) on an index holding 10k assets, each listed, under autocannon
 * on 127.0.0.1; baseline: a bare Fastify route serving the same JSON payload (same response schema), measured with
 * the same load in the same run.
 *
 * The 10k assets and listings are inserted directly into the index tables (`assets`, `listings`) with Kysely — the
 * read path is what is measured, and minting 10k assets on-chain would only slow the seeding. The node runs with
 * its defaults (PGlite, rate limit raised so it never answers 429, request logging off), then again on the
 * machine's PostgreSQL when it is reachable. autocannon runs in its own process. The route's query is an index
 * range scan (migration 0005) and its page is served from the read-model cache (`cachedRead`, db/queries.ts) for up
 * to 1 s or until the indexer commits; the uncached query is timed on its own as well.
 *
 * Env: BENCH_HTTP_SECONDS (per run, default 10), BENCH_HTTP_CONNECTIONS (default 10).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@souk/contracts/test-utils';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../packages/node/src/config.ts';
import { listListings } from '../../packages/node/src/db/queries.ts';
import { type RunningNode, startNode } from '../../packages/node/src/server.ts';
import { emit, fmt, progress, ROOT, type Row, round, since, table } from './lib.ts';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10);
const ASSETS = 10_000;
const PATH = '/api/v1/marketplace/list?limit=50';
const POSTGRES_URL = process.env.SOUK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type Load = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
};

const AUTOCANNON = path.join(ROOT, 'node_modules/.bin/autocannon');
/** autocannon in a child process (asynchronously: the servers under load run in this process). */
const autocannon = async (args: string[]) =>
  (await promisify(execFile)(AUTOCANNON, args, { encoding: 'utf8', maxBuffer: 64 << 20 })).stdout;

/** Runs autocannon against `url`. */
async function load(url: string): Promise<Load> {
  const out = await autocannon(['--json', '-c', String(CONNECTIONS), '-d', String(SECONDS), url]);
  const r = JSON.parse(out) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    requestsPerSecond: round(r.requests.average, 1),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

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

/** The plan PostgreSQL / PGlite chooses for the route's query (`listListings`, first page of 50). */
async function explain(db: RunningNode['services']['db']): Promise<string> {
  const query = db
    .selectFrom('listings')
    .innerJoin('assets', 'assets.id', 'listings.token_id')
    .select(['listings.token_id', 'listings.seller', 'listings.price', 'assets.kind', 'assets.name'])
    .where('listings.active', '=', true)
    .orderBy('listings.listed_block', 'desc')
    .orderBy('listings.token_id', 'desc')
    .limit(51)
    .compile();
  const text = query.sql.replace('$1', 'true').replace('$2', '51');
  const result = await sql.raw<{ 'QUERY PLAN': string }>(`explain analyze ${text}`).execute(db);
  return result.rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** Times the route's query itself (uncached, first page of 50), `n` times in a row: p50 / p99 ms. */
async function queryTimes(db: RunningNode['services']['db'], n = 200): Promise<{ p50Ms: number; p99Ms: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await listListings(db, { limit: 50 });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: round(times[Math.floor(n / 2)] ?? 0, 2), p99Ms: round(times[Math.floor(n * 0.99)] ?? 0, 2) };
}

/** Starts a node (no providers, no sample model), seeds 10k listed assets, measures the route and the bare one. */
async function measure(label: string, env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-bench-market-'));
  const config = loadConfig(
    { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
    { SOUK_SAMPLE_MODEL: '0', RATE_LIMIT_PER_MINUTE: '1000000', ...env },
  );
  const node = await startNode(config, { logger: false });
  try {
    const { db } = node.services;
    progress(`${label}: seeding ${ASSETS} assets and listings`);
    const t0 = performance.now();
    const at = new Date('2026-11-01T00:00:00Z');
    for (let start = 1; start <= ASSETS; start += 1000) {
      const ids = Array.from({ length: Math.min(1000, ASSETS - start + 1) }, (_, i) => start + i);
      const address = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;
      await db
        .insertInto('assets')
        .values(
          ids.map((id) => ({
            id: String(id),
            kind: (['model', 'agent', 'dataset'] as const)[id % 3],
            creator: address(id % 97),
            owner: address(id % 89),
            royalty_bps: 500,
            version_count: 1,
            manifest_uri: `ipfs://bafkreibench${String(id).padStart(8, '0')}`,
            name: `Bench asset ${id}`,
            description: `Seeded asset number ${id} for the marketplace read benchmark`,
            price_wei: String(BigInt(id) * 10n ** 15n),
            currency: address(0),
            created_block: id,
            created_at: at,
            updated_block: id,
          })),
        )
        .execute();
      await db
        .insertInto('listings')
        .values(
          ids.map((id) => ({
            token_id: String(id),
            seller: address(id % 89),
            currency: address(0),
            price: String(BigInt(id) * 10n ** 15n),
            active: true,
            listed_block: id,
            listed_at: at,
            updated_block: id,
          })),
        )
        .execute();
    }
    const seedMs = since(t0);
    const url = `${node.url}${PATH}`;
    const response = await fetch(url);
    const payload = (await response.json()) as { items: unknown[] };
    if (response.status !== 200 || payload.items.length !== 50) {
      throw new Error(`${PATH} answered ${response.status} with ${payload.items?.length} items`);
    }
    // Warm-up, then the measured run.
    progress(`${label}: autocannon ${PATH} (${CONNECTIONS} connections, ${SECONDS} s)`);
    await autocannon(['-c', '4', '-d', '2', url]);
    const souk = await load(url);

    // The baseline: a bare Fastify app in this same process, same payload, same response schema.
    const routeSchema = await routeResponseSchema(node.url);
    const bare = Fastify({ logger: false });
    bare.get('/list', { schema: routeSchema ? { response: { 200: routeSchema } } : {} }, async () => payload);
    const bareUrl = `${await bare.listen({ host: '127.0.0.1', port: 0 })}/list`;
    await autocannon(['-c', '4', '-d', '2', bareUrl]);
    progress(`${label}: autocannon bare Fastify`);
    const baseline = await load(bareUrl);
    await bare.close();
    const plan = await explain(db);
    const query = await queryTimes(db);
    return { label, seedMs: round(seedMs), bytes: JSON.stringify(payload).length, souk, baseline, plan, query };
  } finally {
    await node.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The route's 200 response schema, from the node's OpenAPI document. */
async function routeResponseSchema(base: string): Promise<Record<string, unknown> | undefined> {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
    paths: Record<string, { get?: { responses?: Record<string, { content?: Record<string, { schema: object }> }> } }>;
  };
  const schema = doc.paths['/api/v1/marketplace/list']?.get?.responses?.['200']?.content?.['application/json']?.schema;
  return schema as Record<string, unknown> | undefined;
}

const started = performance.now();
const runs = [await measure('PGlite (default)', {})];
if (await reachable(POSTGRES_URL)) {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  const name = `souk_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  try {
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    runs.push(await measure('PostgreSQL', { DATABASE_URL: url.toString() }));
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const rows: Row[] = [];
for (const run of runs) {
  const ratio = run.souk.requestsPerSecond / run.baseline.requestsPerSecond;
  rows.push(
    {
      figure: `GET /api/v1/marketplace/list (50 of 10k), ${run.label}: throughput`,
      value: run.souk.requestsPerSecond,
      unit: 'req/s',
      baseline: { label: 'bare Fastify, same payload', value: run.baseline.requestsPerSecond },
      ratio: round(ratio, 3),
      target: '≥ 25 % of bare',
      met: ratio >= 0.25,
    },
    {
      figure: `GET /api/v1/marketplace/list (50 of 10k), ${run.label}: p99 latency`,
      value: run.souk.p99Ms,
      unit: 'ms',
      baseline: { label: 'bare Fastify p99', value: run.baseline.p99Ms },
      ratio: round(run.souk.p99Ms / Math.max(run.baseline.p99Ms, 1), 2),
      target: '≤ 20 ms',
      met: run.souk.p99Ms <= 20,
    },
  );
}

const markdown = [
  `autocannon (separate process), ${CONNECTIONS} connections for ${SECONDS} s after a 2 s warm-up, on 127.0.0.1;`,
  'the route is `GET /api/v1/marketplace/list?limit=50` (the listing endpoint in',
  '`packages/node/src/routes/marketplace/index.ts`: active listings newest first, joined with their assets,',
  'cursor-paginated). 10k assets and 10k active listings are inserted straight into the index tables with Kysely',
  '(the read path is measured; minting 10k assets on-chain would only slow the seeding). The node runs as',
  '`startNode` builds it — rate limiter, CORS, auth decorators, metrics hooks — with its rate limit raised so it',
  'never answers 429 and request logging off. The bare baseline is `Fastify()` with one route returning the same',
  '50-item payload through the same response schema, in the same process.',
  '',
  table(
    ['database', 'seed 10k', 'payload', 'Souk req/s', 'p50 / p99 ms', 'bare req/s', 'bare p50 / p99 ms', 'ratio'],
    runs.map((r) => [
      r.label,
      `${fmt(r.seedMs / 1000)} s`,
      `${fmt(r.bytes / 1024, 1)} KiB`,
      fmt(r.souk.requestsPerSecond),
      `${r.souk.p50Ms} / ${r.souk.p99Ms}`,
      fmt(r.baseline.requestsPerSecond),
      `${r.baseline.p50Ms} / ${r.baseline.p99Ms}`,
      `${(r.souk.requestsPerSecond / r.baseline.requestsPerSecond).toFixed(3)}×`,
    ]),
  ),
  '',
  'The query is an index range scan of `listings_recent_idx (active, listed_block desc, token_id desc)` joined',
  'to `assets` by primary key (migration 0005; `db/explain.test.ts` asserts the plan of every list route); the',
  'page is served from the read-model cache (`cachedRead` in `db/queries.ts`: shared by concurrent readers, fresh',
  'for 1 s, dropped when the indexer commits). The uncached query alone, 200 times in a row:',
  '',
  table(
    ['database', 'query p50 ms', 'query p99 ms'],
    runs.map((r) => [r.label, String(r.query.p50Ms), String(r.query.p99Ms)]),
  ),
  '',
  ...runs.flatMap((r) =>
    r.souk.requestsPerSecond / r.baseline.requestsPerSecond >= 0.25 && r.souk.p99Ms <= 20
      ? []
      : [`**Missed on ${r.label}.** \`EXPLAIN ANALYZE\` of the query:`, '', '```', r.plan, '```', ''],
  ),
].join('\n');

emit({
  name: 'marketplace',
  title: 'Marketplace listing API',
  durationMs: since(started),
  rows,
  markdown,
  details: { connections: CONNECTIONS, seconds: SECONDS, runs },
});
process.exit(0);
