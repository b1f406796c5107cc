/**
 * The node's database: Kysely over PGlite (embedded, in the data directory) or PostgreSQL (`DATABASE_URL`), with
 * the schema migrated at open. Both engines run the same SQL and return the same JavaScript types (see
 * `schema.ts`).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { DatabaseOpenError, MigrationError } from './errors.ts';
import { migrationProvider } from './migrations/index.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type { Database } from './schema.ts';

/** Where the database lives. Exactly one of `dataDir`, `databaseUrl` or `inMemory`. */
export type OpenDatabaseParameters = (
  | {
      /** Node data directory: PGlite keeps its files in `<dataDir>/pglite`. */
      dataDir: string;
      databaseUrl?: undefined;
      inMemory?: undefined;
    }
  | {
      /** PostgreSQL connection string, e.g. `postgres://user@host:5432/souk`. */
      databaseUrl: string;
      dataDir?: undefined;
      inMemory?: undefined;
      /** Most connections the pool opens. @default 10 */
      poolSize?: number | undefined;
    }
  | {
      /** A throw-away PGlite database in memory (tests). */
      inMemory: true;
      dataDir?: undefined;
      databaseUrl?: undefined;
    }
) & {
  /**
   * Schema to create (if missing) and use as `search_path`: every table lives there. Lets tests isolate themselves
   * on a shared server. Lower-case letters, digits and `_`. @default the engine's default (`public`)
   */
  schema?: string | undefined;
  /** Run pending migrations at open. @default true */
  migrate?: boolean | undefined;
};

/** The database handle: a typed Kysely instance plus what the node needs to manage it. */
export type SoukDb = Kysely<Database> & {
  /** Which engine is behind it. */
  readonly engine: 'pglite' | 'postgres';
  /** The PostgreSQL schema in use (`search_path`), when one was given. (`schema` is Kysely's schema builder.) */
  readonly schemaName: string | undefined;
  /** Closes the pool or the PGlite instance. Idempotent. */
  close(): Promise<void>;
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const PG_INT8_OID = 20;

/** `pg` type parsers matching PGlite's: `int8` as a JS number (block numbers, counts), the rest unchanged. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === PG_INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/**
 * Opens the database and brings its schema up to date.
 *
 * @example
 * ```ts
 * import { openDatabase } from './db/index.ts'
 * const db = await openDatabase({ dataDir: '.souk' })            // PGlite in .souk/pglite
 * // const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL! })
 * const assets = await db.selectFrom('assets').selectAll().execute()
 * await db.close()
 * ```
 * @param parameters Where the database lives, and an optional schema.
 * @returns A Kysely instance typed with {@link Database}, with `close()`.
 * @throws {DatabaseOpenError} when the database cannot be opened or reached, or the schema name is invalid.
 * @throws {MigrationError} when a migration fails.
 */
export async function openDatabase(parameters: OpenDatabaseParameters): Promise<SoukDb> {
  const { schema, migrate = true } = parameters;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new DatabaseOpenError(`Invalid schema name "${schema}": use lower-case letters, digits and "_".`);
  }
  let kysely: Kysely<Database>;
  let engine: SoukDb['engine'];
  if (parameters.databaseUrl !== undefined) {
    engine = 'postgres';
    if (schema) {
      // Create the schema on a short-lived client first, so that every pooled connection can use it at once.
      const client = new pg.Client({ connectionString: parameters.databaseUrl });
      try {
        await client.connect();
        await client.query(`create schema if not exists "${schema}"`);
      } catch (cause) {
        throw new DatabaseOpenError('Cannot reach PostgreSQL.', { cause });
      } finally {
        await client.end().catch(() => {});
      }
    }
    const pool = new pg.Pool({
      connectionString: parameters.databaseUrl,
      max: parameters.poolSize ?? 10,
      types: pgTypes,
      ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    });
    pool.on('error', () => {}); // an idle client's error must not crash the node; the next query reports it
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(kysely);
    } catch (cause) {
      await kysely.destroy().catch(() => {});
      throw new DatabaseOpenError('Cannot reach PostgreSQL.', { cause });
    }
  } else {
    engine = 'pglite';
    let client: PGlite;
    try {
      if (parameters.dataDir !== undefined) {
        const dir = path.join(parameters.dataDir, 'pglite');
        mkdirSync(dir, { recursive: true });
        client = await PGlite.create({ dataDir: dir });
      } else {
        client = await PGlite.create();
      }
      if (schema) await client.exec(`create schema if not exists "${schema}"; set search_path to "${schema}"`);
    } catch (cause) {
      throw new DatabaseOpenError('Cannot open the PGlite database.', { cause });
    }
    kysely = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  }

  let closed = false;
  const db = Object.assign(kysely, {
    engine,
    schemaName: schema,
    async close() {
      if (closed) return;
      closed = true;
      await kysely.destroy();
    },
  }) as SoukDb;

  if (migrate) {
    try {
      await migrateToLatest(db);
    } catch (error) {
      await db.close().catch(() => {});
      throw error;
    }
  }
  return db;
}

/**
 * Applies every pending migration (in a transaction each, under an advisory lock so concurrent nodes wait).
 *
 * @example
 * ```ts
 * import { migrateToLatest, openDatabase } from './db/index.ts'
 * const db = await openDatabase({ dataDir: '.souk', migrate: false })
 * const applied = await migrateToLatest(db)
 * ```
 * @returns Names of the migrations applied now (empty when already up to date).
 * @throws {MigrationError} naming the migration that failed.
 */
export async function migrateToLatest(db: SoukDb): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    // 0005 was added after 0006 and 0007 shipped; data dirs migrated before it apply it last.
    allowUnorderedMigrations: true,
    ...(db.schemaName ? { migrationTableSchema: db.schemaName } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
