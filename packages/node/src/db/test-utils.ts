/**
 * Test fixtures: every suite runs against PGlite and against the machine's PostgreSQL, each run in a fresh schema
 * that is dropped afterwards. `SOUK_TEST_POSTGRES_URL` or `TEST_DATABASE_URL` overrides the server
 * (default `postgres://postgres@127.0.0.1:5432/test`); when it cannot be reached the PostgreSQL variant is skipped
 * with the reason (see `../testing/services.ts`), or fails under `SOUK_REQUIRE_SERVICES=1`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { serviceUnavailable, TEST_POSTGRES_URL } from '../testing/services.ts';
import { openDatabase, type SoukDb } from './index.ts';

/** PostgreSQL server the tests use. */
export const TEST_DATABASE_URL = TEST_POSTGRES_URL;

/** One database engine to run a suite on. */
export type DbVariant = {
  /** `pglite` or `postgres`. */
  name: 'pglite' | 'postgres';
  /** Why the variant is skipped, or false. Pass to `describe(…, { skip })`. */
  skip: string | false;
  /** Opens a fresh, migrated database (a new PGlite directory, or a new schema on the server). */
  open(): Promise<SoukDb>;
  /** Closes the database and deletes it (the directory, or `drop schema … cascade`). */
  dispose(db: SoukDb): Promise<void>;
};

/**
 * Resolves to false when {@link TEST_DATABASE_URL} answers, else to the reason it does not.
 * @throws {RequiredServiceUnavailableError} When it does not answer and `SOUK_REQUIRE_SERVICES=1` is set.
 */
export function postgresUnavailable(): Promise<string | false> {
  return serviceUnavailable('postgres', { url: TEST_DATABASE_URL });
}

/** The engines every suite runs on; call at module top level (`await dbVariants()`). */
export async function dbVariants(): Promise<DbVariant[]> {
  const dirs = new WeakMap<SoukDb, string>();
  const pglite: DbVariant = {
    name: 'pglite',
    skip: false,
    async open() {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-db-'));
      const db = await openDatabase({ dataDir });
      dirs.set(db, dataDir);
      return db;
    },
    async dispose(db) {
      await db.close();
      const dir = dirs.get(db);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  const postgres: DbVariant = {
    name: 'postgres',
    skip: await postgresUnavailable(),
    async open() {
      const schema = `souk_test_${randomBytes(6).toString('hex')}`;
      return openDatabase({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 4 });
    },
    async dispose(db) {
      await db.close();
      if (!db.schemaName) return;
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${db.schemaName}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
  return [pglite, postgres];
}
