/**
 * Migration 0007 on data written before it: refresh tokens each become a family of their own, nonces stored in
 * another case are lower-cased (spellings of one nonce merged), and afterwards the nonce tables refuse any spelling
 * but the canonical one. On PGlite and on the machine's PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase, type SoukDb } from '../index.ts';
import { postgresUnavailable, TEST_DATABASE_URL } from '../test-utils.ts';
import { migrationProvider, migrations } from './index.ts';

const names = Object.keys(migrations).sort();
const previous = names[names.indexOf('0007_token_families') - 1];

const engines: Array<{
  name: string;
  skip: string | false;
  open: () => Promise<{ db: SoukDb; drop: () => Promise<void> }>;
}> = [
  {
    name: 'PGlite',
    skip: false,
    open: async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-mig7-'));
      const db = await openDatabase({ dataDir, migrate: false });
      return { db, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    skip: await postgresUnavailable(),
    open: async () => {
      const schema = `souk_mig7_${randomBytes(6).toString('hex')}`;
      const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema, migrate: false, poolSize: 2 });
      return {
        db,
        drop: async () => {
          const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
          await client.connect();
          await client.query(`drop schema if exists "${schema}" cascade`);
          await client.end();
        },
      };
    },
  },
];

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0').repeat(32)}`;

for (const engine of engines) {
  describe(`migration 0007 on ${engine.name}`, { skip: engine.skip }, () => {
    test('existing tokens get families, nonce spellings are merged and lower-cased, then only that form is accepted', async () => {
      const { db, drop } = await engine.open();
      try {
        const migrator = new Migrator({
          db,
          provider: migrationProvider,
          ...(db.schemaName ? { migrationTableSchema: db.schemaName } : {}),
        });
        const { error } = await migrator.migrateTo(previous);
        assert.ifError(error);
        const expires = new Date(Date.now() + 3600_000);
        for (const id of ['t1', 't2']) {
          await sql`insert into refresh_tokens (id, address, hash, expires_at) values (${id}, '0xabc', ${`h-${id}`}, ${expires})`.execute(
            db,
          );
        }
        const a = hex(0xab);
        const b = hex(0xcd);
        const c = hex(0xef);
        // a: lower and upper spellings (the replay the fix closes); b: two non-canonical spellings; c: upper only.
        const rows = [
          a,
          a.toUpperCase().replace('0X', '0x'),
          b.replace('cd', 'CD'),
          b.replace(/cd$/, 'CD'),
          c.toUpperCase().replace('0X', '0x'),
        ];
        for (const [i, nonce] of rows.entries()) {
          await sql`insert into access_nonces (nonce, consumer, asset_id, expires_at) values (${nonce}, '0xabc', ${i + 1}, ${expires})`.execute(
            db,
          );
          await sql`insert into job_access_nonces (nonce, provider, job_id, expires_at) values (${nonce}, '0xabc', ${i + 1}, ${expires})`.execute(
            db,
          );
        }

        assert.deepEqual(await migrateToLatest(db), names.slice(names.indexOf('0007_token_families')));

        const families = await db.selectFrom('refresh_tokens').select(['id', 'family_id']).orderBy('id').execute();
        assert.deepEqual(families, [
          { id: 't1', family_id: 't1' },
          { id: 't2', family_id: 't2' },
        ]);
        for (const table of ['access_nonces', 'job_access_nonces'] as const) {
          const nonces = (await db.selectFrom(table).select('nonce').orderBy('nonce').execute()).map((r) => r.nonce);
          assert.deepEqual(nonces, [a, b, c], table);
          await assert.rejects(
            sql`insert into ${sql.table(table)} (nonce, ${sql.ref(table === 'access_nonces' ? 'consumer' : 'provider')}, ${sql.ref(table === 'access_nonces' ? 'asset_id' : 'job_id')}, expires_at) values (${hex(0xfa).toUpperCase().replace('0X', '0x')}, '0xabc', 9, ${expires})`.execute(
              db,
            ),
            /nonce_canonical|check constraint/,
            `${table} refuses a non-canonical nonce`,
          );
        }
      } finally {
        await db.close();
        await drop();
      }
    });
  });
}
