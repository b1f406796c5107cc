/**
 * OpenAPI-driven malformed-request fuzz test. Reads the node's own OpenAPI document and, for every operation,
 * sends a bounded, seeded set of malformed requests (see `cases.ts`), signed in and not, over loopback.
 *
 * Pass: no 5xx; every error is `application/problem+json` with `type`, `title`, `status` (= the HTTP status) and
 * `detail`; the node stays alive; and a rejected request writes nothing — every table's row count and the
 * blockstore's file count are the same before and after it (`snapshot.ts`).
 *
 * Runs on PGlite, and on the machine's PostgreSQL when reachable (fewer cases). Knobs: `SOUK_FUZZ_SEED`,
 * `SOUK_FUZZ_CASES` (cases per operation on PGlite, default 80).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { createSoukClient, publishAsset, signIn, uploadContent } from '@souk/sdk';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { serviceUnavailable, TEST_POSTGRES_URL } from '../testing/services.ts';
import { type TempPostgres, tempPostgres } from '../testing/setups.ts';
import { casesFor, type FuzzCase, mulberry32, type OpenApiDocument, operations } from './cases.ts';
import { diffSnapshots, settledSnapshot, writeSnapshotter } from './snapshot.ts';

const SEED = Number(process.env.SOUK_FUZZ_SEED ?? 0x5011c);
const CASES_PER_OPERATION = Number(process.env.SOUK_FUZZ_CASES ?? 80);

/** A throw-away database on the PostgreSQL server, or undefined when none is reachable. */
async function tempPostgresDatabase(): Promise<TempPostgres | undefined> {
  // Undefined (the test skips with the reason) when the server is down; a throw under SOUK_REQUIRE_SERVICES=1.
  if (await serviceUnavailable('postgres')) return undefined;
  return tempPostgres('souk_fuzz');
}

const engines = [
  { name: 'PGlite', casesPerOperation: CASES_PER_OPERATION, database: async () => ({ drop: async () => {} }) },
  { name: 'PostgreSQL', casesPerOperation: Math.ceil(CASES_PER_OPERATION / 3), database: tempPostgresDatabase },
] as const;

type Outcome = { status: number; contentType: string; text: string } | { error: string };

async function send(url: string, c: FuzzCase, token: string): Promise<Outcome> {
  const headers: Record<string, string> = { ...c.headers };
  if (c.contentType) headers['content-type'] = c.contentType;
  if (c.signedIn) headers.authorization = `Bearer ${token}`;
  try {
    const res = await fetch(`${url}${c.path}${c.query ? `?${c.query}` : ''}`, {
      method: c.method,
      headers,
      body: c.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  } catch (error) {
    return { error: String((error as Error).cause ?? error) };
  }
}

/** Why the response breaks the contract, or undefined when it is fine. */
function violation(outcome: Outcome): string | undefined {
  if ('error' in outcome) return `no response (${outcome.error})`;
  const { status, contentType, text } = outcome;
  if (status >= 500) return `${status}: ${text.slice(0, 300)}`;
  if (status < 400) return undefined;
  if (!contentType.startsWith('application/problem+json')) return `${status} as ${contentType}: ${text.slice(0, 200)}`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(text);
  } catch {
    return `${status} problem is not JSON: ${text.slice(0, 200)}`;
  }
  for (const field of ['type', 'title', 'detail'] as const) {
    if (typeof problem[field] !== 'string' || problem[field] === '') return `${status} problem without ${field}`;
  }
  if (problem.status !== status) return `${status} problem with status ${String(problem.status)}`;
  return undefined;
}

for (const engine of engines) {
  describe(`OpenAPI malformed-request fuzz on ${engine.name}`, () => {
    let node: RunningNode | undefined;
    let dataDir: string;
    let database: { url?: string; drop: () => Promise<void> } | undefined;

    before(async () => {
      database = await engine.database();
      if (!database) return;
      dataDir = mkdtempSync(path.join(tmpdir(), 'souk-fuzz-'));
      const config = loadConfig(
        { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()) },
        {
          SOUK_PROVIDERS: '0',
          SOUK_SAMPLE_MODEL: '0',
          RATE_LIMIT_PER_MINUTE: '1000000',
          ...(database.url ? { DATABASE_URL: database.url } : {}),
        },
      );
      node = await startNode(config, { logger: false });
    });
    after(async () => {
      await node?.stop();
      await database?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    test('no operation answers a malformed request with a 5xx, a non-problem error, or a write', async (t) => {
      if (!node) return t.skip(`no ${engine.name} server reachable at ${TEST_POSTGRES_URL}`);
      const client = createSoukClient({ url: node.url });
      const { accessToken } = await signIn(client, { account: node.services.chain.devAccounts[3].account });
      // One licensed (encrypted) asset of the caller's: reads of it get past "not found" to the access-request
      // verifier and the Range parser, and publishing its upload again gets past the upload checks (where a NUL
      // used to fail after the manifest was stored). Other writes name ids that do not exist.
      const upload = await uploadContent(client, { data: new TextEncoder().encode('fuzz fixture') });
      const published = await publishAsset(client, {
        uploadId: upload.uploadId,
        name: 'Fuzz fixture',
        kind: 'dataset',
        license: { terms: 'fuzz', price: '1' },
        royaltyBps: 0,
      });
      const fixtureId = String(published.assetId);
      const hint = (template: string, method: string, name: string) => {
        if (name === 'uploadId' && template.startsWith('/api/v1/assets')) return upload.uploadId;
        if (method !== 'get') return undefined;
        return (name === 'id' && template.startsWith('/api/v1/assets/')) || name === 'assetId' ? fixtureId : undefined;
      };
      const doc = (await (await fetch(`${node.url}/openapi.json`)).json()) as OpenApiDocument;
      const ops = operations(doc);
      assert.ok(ops.length > 30, `the OpenAPI document lists only ${ops.length} operations`);

      const random = mulberry32(SEED);
      const cases = ops.flatMap(([template, method]) =>
        casesFor(doc, template, method, random, engine.casesPerOperation, hint),
      );
      const snapshot = await writeSnapshotter(node.services.db, dataDir);
      // Let the indexer finish its first pass over the devnet's deployment blocks: its writes are not the fuzzer's.
      const { indexer } = node.services;
      const idle = async () => !indexer || (await indexer.lag()) === 0;
      let before = await settledSnapshot(snapshot, idle);
      const failures: string[] = [];
      const statuses = new Map<number | string, number>();
      const started = Date.now();
      for (const [i, c] of cases.entries()) {
        const outcome = await send(node.url, c, accessToken);
        const key = 'error' in outcome ? 'no response' : outcome.status;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        const label = `${c.operation} [${c.name}${c.signedIn ? ', signed in' : ''}]`;
        const broken = violation(outcome);
        if (broken) failures.push(`${label}: ${broken}`);
        // A write may have sent a transaction (a rejected one too, which is the fault looked for): let the indexer
        // catch up, so the rows it writes for that block are charged to this request, not to the next one.
        if ('status' in outcome && c.method !== 'GET') {
          for (const started = Date.now(); !(await idle()) && Date.now() - started < 15_000; ) {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        const now = await snapshot();
        if ('status' in outcome && outcome.status >= 400) {
          const written = diffSnapshots(before, now);
          if (written.length > 0)
            failures.push(`${label}: rejected (${outcome.status}) but wrote ${written.join(', ')}`);
        }
        before = now;
        if (i % 250 === 249) {
          const health = await send(node.url, { ...c, method: 'GET', path: '/health', query: '', body: undefined }, '');
          if ('error' in health || health.status !== 200) failures.push(`node unhealthy after case ${i + 1}`);
        }
      }
      const health = await fetch(`${node.url}/health`);
      assert.equal(health.status, 200, 'the node is alive after the fuzz run');

      const seen = [...statuses.entries()]
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      t.diagnostic(
        `${engine.name}: ${ops.length} operations, ${cases.length} requests (seed ${SEED}) in ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${seen}`,
      );
      assert.deepEqual(failures.slice(0, 40), [], `${failures.length} violations`);
    });
  });
}
