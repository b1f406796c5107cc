/**
 * Test helper: the two set-ups the end-to-end suites run on — the embedded defaults (PGlite, in-process bus) and the
 * machine's PostgreSQL + NATS JetStream — with a temporary PostgreSQL database and a bus prefix of their own for the
 * second, dropped again by its `cleanup`. Test code only.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { serviceUnavailable, TEST_NATS_URL, TEST_POSTGRES_URL } from './services.ts';

/** A temporary database on the test PostgreSQL server. */
export type TempPostgres = {
  /** Its connection URL (the server's, with the database's name as the path). */
  url: string;
  /** Drops the database (forcing out open connections) and closes the admin connection. */
  drop: () => Promise<void>;
};

/**
 * Creates a database with a random name on {@link TEST_POSTGRES_URL}.
 * @param prefix The name's prefix, a lower-case SQL identifier, e.g. `souk_orders`; 12 hex digits follow it.
 * @returns Its URL and how to drop it.
 * @throws When the server does not answer or refuses `create database`.
 */
export async function tempPostgres(prefix: string): Promise<TempPostgres> {
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`create database ${name}`);
  } catch (error) {
    await admin.end().catch(() => {});
    throw error;
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * Deletes the JetStream stream a node's bus made under `prefix` (`SOUK_JOBS_<PREFIX>`); a missing stream is no
 * error.
 * @param prefix The node's `SOUK_BUS_PREFIX`.
 * @param url The NATS server. @default {@link TEST_NATS_URL}
 * @throws When the server does not answer.
 */
export async function deleteBusStream(prefix: string, url = TEST_NATS_URL): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    await (await jetstreamManager(nc)).streams.delete(`SOUK_JOBS_${prefix.toUpperCase()}`).catch(() => {});
  } finally {
    await nc.close();
  }
}

/** One set-up a suite runs on. */
export type ServiceSetup = {
  /** `'embedded'`: PGlite + in-process bus; `'services'`: PostgreSQL + NATS JetStream. */
  kind: 'embedded' | 'services';
  /** Its name for the suite's title. */
  name: string;
  /** The node's environment for it (`DATABASE_URL`, `NATS_URL`, `SOUK_BUS_PREFIX`; empty when embedded). */
  env: Record<string, string>;
  /** Why the set-up is skipped (a service is down), or false: pass it to `describe(…, { skip })`. */
  skip: string | false;
  /** Drops the temporary database and deletes the bus prefix's JetStream stream (nothing when embedded). */
  cleanup: () => Promise<void>;
};

/**
 * The embedded set-up, then PostgreSQL + NATS JetStream: with a fresh database and bus prefix when both answer,
 * otherwise skipped with the reason (registered either way, so a skip shows).
 * @param database The temporary database's name prefix (see {@link tempPostgres}), e.g. `souk_compute`.
 * @param busPrefix The bus prefix's start (8 hex digits follow it). @default 'test'
 * @throws {RequiredServiceUnavailableError} When a service is down under `SOUK_REQUIRE_SERVICES=1`.
 */
export async function serviceSetups(
  database: string,
  busPrefix = 'test',
): Promise<[embedded: ServiceSetup, services: ServiceSetup]> {
  const embedded: ServiceSetup = {
    kind: 'embedded',
    name: 'PGlite + in-process bus',
    env: {},
    skip: false,
    cleanup: async () => {},
  };
  const name = 'PostgreSQL + NATS JetStream';
  const skip = (await serviceUnavailable('postgres')) || (await serviceUnavailable('nats'));
  if (skip) return [embedded, { kind: 'services', name, env: {}, skip, cleanup: async () => {} }];
  const db = await tempPostgres(database);
  const prefix = `${busPrefix}${randomBytes(4).toString('hex')}`;
  return [
    embedded,
    {
      kind: 'services',
      name,
      env: { DATABASE_URL: db.url, NATS_URL: TEST_NATS_URL, SOUK_BUS_PREFIX: prefix },
      skip: false,
      cleanup: async () => {
        await db.drop();
        await deleteBusStream(prefix);
      },
    },
  ];
}
