/**
 * Read-path plans: every list route's query, as the route runs it (first page and a page after a cursor), is
 * `EXPLAIN (FORMAT JSON)`ed on PostgreSQL with 10k rows in each big table. A page must be an index scan of the big
 * table that yields rows in the route's order: no sequential scan of it and no sort node (a sort would mean the
 * whole filtered table is read and sorted to keep `limit + 1` rows). Without migration 0005's indexes these fail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  sql,
  type UnknownRow,
} from 'kysely';
import type { SoukDb } from './index.ts';
import {
  assetsOfOwner,
  licencesOverTime,
  listAssets,
  listListings,
  listProviders,
  marketVolume,
  providerStats,
  topAssets,
} from './queries.ts';
import { dbVariants } from './test-utils.ts';

const N = 10_000;
const BIG = ['assets', 'listings', 'providers', 'sales', 'licence_purchases'];
const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

/** Records the SQL of every query run through it. */
class Capture implements KyselyPlugin {
  readonly queries: CompiledQuery[] = [];
  readonly #db: SoukDb;
  constructor(db: SoukDb) {
    this.#db = db;
  }
  transformQuery(args: PluginTransformQueryArgs) {
    this.queries.push(this.#db.getExecutor().compileQuery(args.node, args.queryId));
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
};
const walk = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(walk)];

/** 10k rows in each big table, in one statement each (generate_series), then ANALYZE. */
async function seed(db: SoukDb) {
  const statements = [
    `insert into assets (id, kind, creator, owner, royalty_bps, manifest_uri, name, description, price_wei, currency,
       created_block, created_at, updated_block)
     select i, (array['model','agent','dataset'])[i % 3 + 1], '0x' || lpad(to_hex(i % 97), 40, '0'),
       '0x' || lpad(to_hex(i % 89), 40, '0'), 500, 'ipfs://m' || i, 'asset ' || i, 'seeded',
       case when i % 4 = 0 then null else (i % 500) * 1000000000000000 end,
       case when i % 4 = 0 then null else '${addr(0)}' end, i, now(), i
     from generate_series(1, ${N}) i`,
    `insert into listings (token_id, seller, currency, price, active, listed_block, listed_at, updated_block)
     select i, '0x' || lpad(to_hex(i % 89), 40, '0'), '${addr(0)}', i * 1000, i % 10 <> 0, i, now(), i
     from generate_series(1, ${N}) i`,
    `insert into providers (address, stake, metadata_uri, completed, failed, registered_block, updated_block)
     select '0x' || lpad(to_hex(i + 100000), 40, '0'), i * 1000, 'ipfs://p' || i, i % 300, i % 7, i, i
     from generate_series(1, ${N}) i`,
    `insert into sales (tx_hash, log_index, token_id, seller, buyer, currency, price, royalty_receiver, royalty, fee,
       block_number, timestamp)
     select '0x' || lpad(to_hex(i), 64, '0'), 0, i, '${addr(1)}', '${addr(2)}', '${addr(0)}', 1000, '${addr(3)}', 10, 5,
       i, timestamp '2026-01-01' + i * interval '1 hour'
     from generate_series(1, ${N}) i`,
    `insert into licence_purchases (tx_hash, log_index, asset_id, buyer, licensee, currency, price, royalty, fee,
       block_number, timestamp)
     select '0x' || lpad(to_hex(i), 64, '0'), 0, i % 500 + 1, '${addr(1)}', '${addr(2)}', '${addr(0)}', 1000, 10, 5,
       i, timestamp '2026-01-01' + i * interval '1 hour'
     from generate_series(1, ${N}) i`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
  await sql.raw(`analyze ${BIG.join(', ')}`).execute(db);
}

/** A route's query: how the route calls its helper, the big table it reads, and whether its rows are paged. */
type Case = {
  route: string;
  table: string;
  /** Keyset pages must come in index order (no Sort node over the table). */
  ordered: boolean;
  run(db: SoukDb, cursor?: string): Promise<{ nextCursor?: string | null } | unknown>;
  /** Queries of the helper not held to the rule (whole-table totals), by a piece of their SQL. */
  exempt?: string;
};

const recent = new Date('2026-01-01T00:00:00Z');
recent.setUTCHours(N - 48); // the last two days of the 10k hourly trades

const cases: Case[] = [
  ...(['newest', 'oldest', 'price_asc', 'price_desc'] as const).map(
    (sort): Case => ({
      route: `GET /assets?sort=${sort}`,
      table: 'assets',
      ordered: true,
      run: (db, cursor) => listAssets(db, { sort, limit: 50, cursor }),
    }),
  ),
  {
    route: 'GET /assets?sort=price_asc (cursor among unpriced assets)',
    table: 'assets',
    ordered: true,
    run: (db, cursor) =>
      listAssets(db, {
        sort: 'price_asc',
        limit: 50,
        cursor: cursor ?? Buffer.from(JSON.stringify({ s: 'price_asc', k: [null, '5000'] })).toString('base64url'),
      }),
  },
  ...(['model', 'dataset'] as const).flatMap((kind) =>
    (['newest', 'price_asc', 'price_desc'] as const).map(
      (sort): Case => ({
        route: `GET /${kind}s?sort=${sort}`,
        table: 'assets',
        ordered: true,
        run: (db, cursor) => listAssets(db, { kind, sort, limit: 50, cursor }),
      }),
    ),
  ),
  {
    route: 'GET /assets?creator=…',
    table: 'assets',
    ordered: true,
    run: (db, cursor) => listAssets(db, { creator: addr(5), limit: 20, cursor }),
  },
  {
    route: 'GET /assets?owner=…',
    table: 'assets',
    ordered: true,
    run: (db, cursor) => listAssets(db, { owner: addr(5), limit: 20, cursor }),
  },
  {
    route: 'GET /marketplace/user/:address/agents',
    table: 'assets',
    ordered: false, // one owner's assets, unpaged: a bitmap scan of its index and a sort of those rows
    run: (db) => assetsOfOwner(db, { address: addr(5) }),
  },
  {
    route: 'GET /marketplace/list',
    table: 'listings',
    ordered: true,
    run: (db, cursor) => listListings(db, { limit: 50, cursor }),
  },
  {
    route: 'GET /marketplace/list?seller=…',
    table: 'listings',
    ordered: true,
    run: (db, cursor) => listListings(db, { seller: addr(7), limit: 20, cursor }),
  },
  {
    route: 'GET /providers',
    table: 'providers',
    ordered: true,
    run: (db, cursor) => listProviders(db, { limit: 100, cursor }),
  },
  {
    route: 'GET /analytics/providers (leaderboard)',
    table: 'providers',
    ordered: true,
    run: (db) => providerStats(db, { limit: 20 }),
    exempt: 'coalesce(sum(stake)',
  },
  {
    route: 'GET /analytics/volume?since=…',
    table: 'sales',
    ordered: false,
    run: (db) => marketVolume(db, { bucket: 'hour', since: recent }),
  },
  {
    route: 'GET /analytics/licences?since=…',
    table: 'licence_purchases',
    ordered: false,
    run: (db) => licencesOverTime(db, { bucket: 'hour', since: recent }),
  },
  {
    route: 'GET /analytics/top-assets?since=…',
    table: 'sales',
    ordered: false,
    run: (db) => topAssets(db, { limit: 10, since: recent }),
  },
];

const postgres = (await dbVariants()).find((v) => v.name === 'postgres');
assert.ok(postgres);

describe('read-path plans on PostgreSQL, 10k rows per table', { skip: postgres.skip }, () => {
  let db: SoukDb;
  before(async () => {
    db = await postgres.open();
    await seed(db);
  });
  after(() => postgres.dispose(db));

  /** Runs the case (first page, and the page after its cursor) and returns the plans of the queries it ran. */
  async function plans(c: Case): Promise<{ sql: string; nodes: PlanNode[] }[]> {
    const first = (await c.run(db)) as { nextCursor?: string | null };
    const capture = new Capture(db);
    const traced = db.withPlugin(capture) as SoukDb;
    await c.run(traced);
    if (first && typeof first === 'object' && typeof first.nextCursor === 'string') {
      await c.run(traced, first.nextCursor);
    }
    const out = [];
    for (const query of capture.queries) {
      if (c.exempt && query.sql.includes(c.exempt)) continue;
      if (!new RegExp(`"${c.table}"|\\b${c.table}\\b`).test(query.sql)) continue;
      const result = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]),
      );
      const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
      assert.ok(plan, `no plan for ${query.sql}`);
      out.push({ sql: query.sql, nodes: walk(plan) });
    }
    return out;
  }

  for (const c of cases) {
    test(`${c.route}: index scan of ${c.table}, no sequential scan${c.ordered ? ', no sort' : ''}`, async () => {
      const explained = await plans(c);
      assert.ok(explained.length > 0, `${c.route} ran no query on ${c.table}`);
      for (const { sql: text, nodes } of explained) {
        const shown = `${text}\n${nodes.map((n) => `${n['Node Type']} ${n['Relation Name'] ?? ''} ${n['Index Name'] ?? ''}`).join('\n')}`;
        const seq = nodes.filter((n) => n['Node Type'] === 'Seq Scan' && BIG.includes(n['Relation Name'] ?? ''));
        assert.deepEqual(
          seq.map((n) => n['Relation Name']),
          [],
          `sequential scan in:\n${shown}`,
        );
        const indexed = nodes.filter(
          (n) =>
            /^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/.test(n['Node Type']) && n['Relation Name'] === c.table,
        );
        assert.ok(indexed.length > 0, `no index scan of ${c.table} in:\n${shown}`);
        if (c.ordered) {
          const sorts = nodes.filter((n) => /Sort$/.test(n['Node Type']));
          assert.equal(sorts.length, 0, `sort node in:\n${shown}`);
        }
      }
    });
  }
});
