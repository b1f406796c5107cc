import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DatabaseOpenError } from './errors.ts';
import { migrateToLatest, openDatabase, type SoukDb } from './index.ts';
import { migrations } from './migrations/index.ts';
import { dbVariants } from './test-utils.ts';

const TABLES = [
  'api_keys',
  'asset_metadata',
  'asset_versions',
  'assets',
  'auth_nonces',
  'blocks',
  'chain_events',
  'escrow_movements',
  'indexer_checkpoints',
  'job_access_nonces',
  'licence_purchases',
  'licences',
  'listings',
  'model_evaluations',
  'order_payloads',
  'order_settlements',
  'orders',
  'providers',
  'refresh_tokens',
  'sales',
  'transfers',
  'users',
];

/** The per-job compute path's tables, dropped by migration 0014 (one compute path: signed orders). */
const DROPPED = [
  'job_assignments',
  'job_audits',
  'job_events',
  'job_failures',
  'job_inputs',
  'job_results',
  'jobs',
  'payouts',
];

for (const variant of await dbVariants()) {
  describe(`database (${variant.name})`, { skip: variant.skip }, () => {
    let db: SoukDb;
    before(async () => {
      db = await variant.open();
    });
    after(() => variant.dispose(db));

    test('migrations create every table in the chosen schema', async () => {
      // Later migrations (e.g. the storage gateway's) add tables of their own: check ours are all there.
      const { rows } = await sql<{ table_name: string }>`
        select table_name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'
        order by table_name`.execute(db);
      const present = new Set(rows.map((r) => r.table_name));
      assert.deepEqual(
        TABLES.filter((table) => !present.has(table)),
        [],
      );
      assert.deepEqual(
        DROPPED.filter((table) => present.has(table)),
        [],
        'the per-job tables are gone',
      );
      if (db.schemaName) {
        const { rows: current } = await sql<{ s: string }>`select current_schema() as s`.execute(db);
        assert.equal(current[0].s, db.schemaName);
      }
    });

    test('migrating again applies nothing', async () => {
      assert.deepEqual(await migrateToLatest(db), []);
      const applied = await db
        .withSchema(db.schemaName ?? 'public')
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute();
      assert.deepEqual(
        applied.map((r) => (r as { name: string }).name),
        Object.keys(migrations),
      );
    });

    test('both engines return the same JS types: numeric as string, int8 as number, timestamptz as Date', async () => {
      await db
        .insertInto('blocks')
        .values({ number: 42, hash: '0xab', timestamp: new Date('2025-01-01T00:00:00Z') })
        .execute();
      const row = await db.selectFrom('blocks').selectAll().where('number', '=', 42).executeTakeFirstOrThrow();
      assert.deepEqual(row, { number: 42, hash: '0xab', timestamp: new Date('2025-01-01T00:00:00Z') });
      const { rows } = await sql<{
        n: string;
        c: number;
      }>`select (2::numeric ^ 200)::numeric(78,0) as n, count(*) as c from blocks`.execute(db);
      assert.equal(typeof rows[0].n, 'string');
      assert.equal(rows[0].c, 1);
    });

    test('a transaction is isolated from queries running beside it', async () => {
      let inside!: () => void;
      const gate = new Promise<void>((resolve) => {
        inside = resolve;
      });
      const trx = db.transaction().execute(async (t) => {
        await t.insertInto('users').values({ address: '0xaaaa', username: null, email: null }).execute();
        inside();
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('roll back');
      });
      await gate;
      // Runs while the transaction is open: must neither see its row nor be rolled back with it.
      const seen = await db.selectFrom('users').select('address').where('address', '=', '0xaaaa').execute();
      await db.insertInto('users').values({ address: '0xbbbb', username: null, email: null }).execute();
      await assert.rejects(trx, /roll back/);
      assert.deepEqual(seen, []);
      const users = await db.selectFrom('users').select('address').orderBy('address').execute();
      assert.deepEqual(users, [{ address: '0xbbbb' }]);
    });
  });
}

describe('openDatabase', () => {
  test('keeps PGlite data in <dataDir>/pglite across reopen', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-db-'));
    try {
      const first = await openDatabase({ dataDir });
      await first.insertInto('users').values({ address: '0x01', username: 'ada', email: null }).execute();
      await first.close();
      await first.close(); // idempotent
      const second = await openDatabase({ dataDir });
      assert.deepEqual(await second.selectFrom('users').select('username').execute(), [{ username: 'ada' }]);
      assert.equal(second.engine, 'pglite');
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('rejects an invalid schema name and an unreachable server with DatabaseOpenError', async () => {
    await assert.rejects(openDatabase({ inMemory: true, schema: 'Robert"; drop' }), DatabaseOpenError);
    await assert.rejects(openDatabase({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none' }), DatabaseOpenError);
  });
});
