/**
 * Job listing filters (`GET /api/v1/jobs?model=&requester=&provider=&status=`, `listJobs` in db/queries.ts) on data
 * where every filter matters: jobs of 3 requesters, 3 models, 4 statuses and 3 providers (one job held by two, one
 * reassigned, some by none), with ids across digit counts and beyond 2^64 so numeric order is tested too. Every
 * answer is compared with the same filter applied to the fixture in plain TypeScript: exactly the matching jobs,
 * newest (highest id) first, and cursor pagination returns each job once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { createSoukClient, listJobs as sdkListJobs } from '@souk/sdk';
import { loadConfig } from '../config.ts';
import type { SoukDb } from '../db/index.ts';
import { type ListJobsParameters, listJobs } from '../db/queries.ts';
import type { JobStatus } from '../db/schema.ts';
import { dbVariants } from '../db/test-utils.ts';
import { type RunningNode, startNode } from '../server.ts';

const addr = (c: string) => `0x${c.repeat(40)}`;
const REQUESTERS = [addr('a'), addr('b'), addr('c')];
const PROVIDERS = [addr('1'), addr('2'), addr('3')];
const MODELS = ['7', '8', '9'];
const STATUSES: JobStatus[] = ['open', 'assigned', 'finalized', 'refunded'];

type Fixture = { id: string; requester: string; model: string; status: JobStatus; providers: string[] };

/** 24 jobs; ids 1…12, 98…103 and six above 2^64 (numeric, not text, order). */
const FIXTURE: Fixture[] = [
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 98, 99, 100, 101, 102, 103].map(String),
  ...[0n, 1n, 2n, 3n, 4n, 5n].map((i) => (2n ** 64n + i * 1_000n).toString()),
].map((id, i) => {
  const status = STATUSES[(i * 7) % 4];
  // Open jobs hold no provider; one in five jobs has two (a reassignment, or r = 2).
  const p = Math.floor(i / 2) % 3;
  const providers = status === 'open' ? [] : i % 5 === 0 ? [PROVIDERS[p], PROVIDERS[(p + 1) % 3]] : [PROVIDERS[p]];
  return { id, requester: REQUESTERS[i % 3], model: MODELS[Math.floor(i / 3) % 3], status, providers };
});

const byIdDesc = (a: string, b: string) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0);
/** The fixture's answer to a filter, highest id first. */
function expected(filter: Omit<ListJobsParameters, 'limit' | 'cursor'>): string[] {
  return FIXTURE.filter(
    (j) =>
      (filter.modelId === undefined || j.model === String(filter.modelId)) &&
      (filter.requester === undefined || j.requester === filter.requester.toLowerCase()) &&
      (filter.provider === undefined || j.providers.includes(filter.provider.toLowerCase())) &&
      (filter.status === undefined || j.status === filter.status),
  )
    .map((j) => j.id)
    .sort(byIdDesc);
}

/** Every filter alone, pairs of them, and one that matches nothing. */
const FILTERS: Array<Omit<ListJobsParameters, 'limit' | 'cursor'>> = [
  {},
  ...MODELS.map((modelId) => ({ modelId })),
  ...REQUESTERS.map((requester) => ({ requester })),
  ...PROVIDERS.map((provider) => ({ provider })),
  ...STATUSES.map((status) => ({ status })),
  { requester: REQUESTERS[0], status: 'finalized' as const },
  { modelId: MODELS[1], provider: PROVIDERS[2] },
  { modelId: MODELS[0], requester: REQUESTERS[1], status: 'assigned' as const },
  { provider: PROVIDERS[0], status: 'refunded' as const },
  { requester: REQUESTERS[2], provider: PROVIDERS[1] },
  { modelId: '12345' },
];

async function insertFixture(db: SoukDb): Promise<void> {
  const now = new Date('2026-11-01T00:00:00Z');
  for (const [i, j] of FIXTURE.entries()) {
    await db
      .insertInto('jobs')
      .values({
        id: j.id,
        requester: j.requester,
        model_id: j.model,
        input_hash: `0x${i.toString(16).padStart(64, '0')}`,
        status: j.status,
        currency: `0x${'0'.repeat(40)}`,
        reward: '1000',
        redundancy: Math.max(1, j.providers.length),
        deadline: now,
        created_block: 10 + i,
        created_at: now,
        updated_block: 10 + i,
      })
      .execute();
    for (const [k, provider] of j.providers.entries()) {
      await db
        .insertInto('job_assignments')
        // The first of two providers was replaced (assigned = false): it still "held a slot" of the job.
        .values({
          job_id: j.id,
          provider,
          assigned: k === j.providers.length - 1,
          commitment: null,
          result: null,
          assigned_block: 10 + i,
        })
        .execute();
    }
  }
}

test('the fixture makes every filter matter: each one keeps some jobs and drops others', () => {
  for (const filter of FILTERS.slice(1, -1)) {
    const kept = expected(filter).length;
    assert.ok(kept > 0 && kept < FIXTURE.length, `${JSON.stringify(filter)} keeps ${kept} of ${FIXTURE.length}`);
  }
  assert.equal(expected(FILTERS.at(-1) ?? {}).length, 0);
  assert.ok(FIXTURE.some((j) => j.providers.length === 2));
});

for (const variant of await dbVariants()) {
  describe(`listJobs on ${variant.name}`, { skip: variant.skip }, () => {
    let db: SoukDb;
    before(async () => {
      db = await variant.open();
      await insertFixture(db);
    });
    after(() => variant.dispose(db));

    for (const filter of FILTERS) {
      test(`filter ${JSON.stringify(filter)}: exactly the matching jobs, highest id first`, async () => {
        const page = await listJobs(db, { ...filter, limit: 100 });
        assert.deepEqual(
          page.items.map((j) => String(j.id)),
          expected(filter),
        );
        assert.equal(page.nextCursor, null);
        for (const job of page.items) {
          if (filter.requester) assert.equal(job.requester, filter.requester);
          if (filter.modelId) assert.equal(String(job.model_id), filter.modelId);
          if (filter.status) assert.equal(job.status, filter.status);
        }
      });
    }

    for (const [limit, filter] of [
      [1, {}],
      [5, {}],
      [7, {}],
      [2, { requester: REQUESTERS[1] }],
      [3, { provider: PROVIDERS[0] }],
    ] as const) {
      test(`cursor pages of ${limit} (${JSON.stringify(filter)}) return each job once, in order, and end with a null cursor`, async () => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 100; pages++) {
          const page = await listJobs(db, { ...filter, limit, cursor });
          assert.ok(page.items.length <= limit);
          seen.push(...page.items.map((j) => String(j.id)));
          if (page.nextCursor === null) break;
          assert.equal(page.items.length, limit, 'only the last page may be short');
          cursor = page.nextCursor;
        }
        assert.deepEqual(seen, expected(filter));
      });
    }

    test('a provider address matches case-insensitively (checksummed input)', async () => {
      const upper = `0x${PROVIDERS[1].slice(2).toUpperCase()}`;
      assert.deepEqual(
        (await listJobs(db, { provider: upper, limit: 100 })).items.map((j) => String(j.id)),
        expected({ provider: PROVIDERS[1] }),
      );
    });
  });
}

describe('GET /api/v1/jobs and the SDK listJobs on a running node', () => {
  let node: RunningNode;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-joblist-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()) },
      { RATE_LIMIT_PER_MINUTE: '100000' },
    );
    node = await startNode(config, { logger: false });
    await insertFixture(node.services.db);
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The fixture's jobs among an answer (the node may index jobs of its own). */
  const ours = (ids: string[]) => ids.filter((id) => FIXTURE.some((j) => j.id === id));

  test('each filter over HTTP returns exactly the matching jobs; the excluded ones are absent', async () => {
    for (const filter of FILTERS) {
      const search = new URLSearchParams();
      if (filter.modelId !== undefined) search.set('model', String(filter.modelId));
      for (const key of ['requester', 'provider', 'status'] as const)
        if (filter[key]) search.set(key, String(filter[key]));
      search.set('limit', '100');
      const response = await fetch(`${node.url}/api/v1/jobs?${search}`);
      assert.equal(response.status, 200);
      const { items } = (await response.json()) as { items: Array<{ id: string }> };
      const ids = ours(items.map((j) => String(j.id)));
      assert.deepEqual(ids, expected(filter), JSON.stringify(filter));
      const excluded = FIXTURE.filter((j) => !ids.includes(j.id)).map((j) => j.id);
      for (const id of excluded) assert.ok(!ids.includes(id));
    }
  });

  test('the SDK pages through one requester’s jobs with the cursor, each job once', async () => {
    const client = createSoukClient({ url: node.url });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await sdkListJobs(client, { requester: REQUESTERS[0], limit: 3, cursor });
      seen.push(...page.items.map((j) => String(j.id)));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(ours(seen), expected({ requester: REQUESTERS[0] }));
    assert.equal(new Set(seen).size, seen.length);
  });

  test('malformed filters are 400 problem+json, naming the field', async () => {
    for (const query of ['status=paused', 'requester=0x123', 'provider=nobody', 'model=-1', 'cursor=%%%', 'limit=0']) {
      const response = await fetch(`${node.url}/api/v1/jobs?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(String(response.headers.get('content-type')), /application\/problem\+json/);
      const body = (await response.json()) as { status: number; detail: string };
      assert.equal(body.status, 400);
      assert.ok(body.detail.length > 0);
    }
  });
});
