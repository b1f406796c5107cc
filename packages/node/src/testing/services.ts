/**
 * Test helper: is a machine service (PostgreSQL, NATS JetStream) there for the suites that need it?
 *
 * Every service-dependent suite asks {@link serviceUnavailable} and passes the answer to `describe(…, { skip })`, so a
 * missing service shows as skipped tests with a reason, never as tests that silently disappear. With
 * `SOUK_REQUIRE_SERVICES=1` (set by `.ci/run`) a missing service is an error instead: the suite fails, naming the
 * service and its address.
 *
 * Addresses: PostgreSQL `SOUK_TEST_POSTGRES_URL` (or `TEST_DATABASE_URL`), default
 * `postgres://postgres@127.0.0.1:5432/test`; NATS `SOUK_TEST_NATS_URL` (or `NATS_TEST_URL`), default
 * `nats://127.0.0.1:4222`.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

/** A service the tests may need. */
export type TestService = 'postgres' | 'nats';

/** The PostgreSQL server the tests use. */
export const TEST_POSTGRES_URL =
  process.env.SOUK_TEST_POSTGRES_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The NATS server (with JetStream) the tests use. */
export const TEST_NATS_URL = process.env.SOUK_TEST_NATS_URL ?? process.env.NATS_TEST_URL ?? 'nats://127.0.0.1:4222';

/** Thrown by {@link serviceUnavailable} when a service is down and `SOUK_REQUIRE_SERVICES=1` requires it. */
export class RequiredServiceUnavailableError extends Error {
  override name = 'RequiredServiceUnavailableError' as const;
  /** The service that is down. */
  readonly service: TestService;
  /** The address that was tried. */
  readonly url: string;
  constructor({ service, url, reason }: { service: TestService; url: string; reason: string }) {
    super(
      `${service === 'postgres' ? 'PostgreSQL' : 'NATS JetStream'} is required (SOUK_REQUIRE_SERVICES=1) but ${reason}. ` +
        'Start it, or unset SOUK_REQUIRE_SERVICES to skip the tests that need it.',
    );
    this.service = service;
    this.url = url;
  }
}

/** Options of {@link serviceUnavailable}. */
export type ServiceUnavailableOptions = {
  /** Address to probe. @default {@link TEST_POSTGRES_URL} or {@link TEST_NATS_URL} */
  url?: string | undefined;
  /** Throw instead of returning a reason. @default process.env.SOUK_REQUIRE_SERVICES === '1' */
  required?: boolean | undefined;
  /** How long to wait for the service to answer, in milliseconds. @default 3000 */
  timeoutMs?: number | undefined;
};

const probes = new Map<string, Promise<string | false>>();

/** Whether `SOUK_REQUIRE_SERVICES=1` is set: missing services fail the run instead of skipping tests. */
export const servicesRequired = (): boolean => process.env.SOUK_REQUIRE_SERVICES === '1';

/**
 * Probes a service once per address (PostgreSQL: connect and `select 1`; NATS: connect and open the JetStream
 * manager, which fails when JetStream is off) and says why a suite needing it must skip.
 *
 * @param service `'postgres'` or `'nats'`.
 * @param options Address, whether the service is required, and the probe timeout (milliseconds).
 * @returns `false` when the service answers; otherwise the skip reason, naming the service and its address.
 * @throws {RequiredServiceUnavailableError} When the service does not answer and it is required
 *   (`SOUK_REQUIRE_SERVICES=1`, or `required: true`).
 *
 * @example
 * ```ts
 * import { describe } from 'node:test'
 * import { serviceUnavailable } from '@souk/node/test-utils'
 * describe('the bus on NATS', { skip: await serviceUnavailable('nats') }, () => {})
 * ```
 */
export async function serviceUnavailable(
  service: TestService,
  { url, required = servicesRequired(), timeoutMs = 3_000 }: ServiceUnavailableOptions = {},
): Promise<string | false> {
  const address = url ?? (service === 'postgres' ? TEST_POSTGRES_URL : TEST_NATS_URL);
  const key = `${service} ${address} ${timeoutMs}`;
  let probe = probes.get(key);
  if (!probe) {
    probe = service === 'postgres' ? probePostgres(address, timeoutMs) : probeNats(address, timeoutMs);
    probes.set(key, probe);
  }
  const reason = await probe;
  if (reason && required) throw new RequiredServiceUnavailableError({ service, url: address, reason });
  return reason;
}

async function probePostgres(url: string, timeoutMs: number): Promise<string | false> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return false;
  } catch (error) {
    return `PostgreSQL at ${url} is unreachable: ${(error as Error).message || (error as Error).name}`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeNats(url: string, timeoutMs: number): Promise<string | false> {
  let nc: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    nc = await connect({ servers: url, timeout: timeoutMs, reconnect: false });
    await jetstreamManager(nc, { timeout: timeoutMs }); // fails when JetStream is disabled
    return false;
  } catch (error) {
    return `NATS with JetStream at ${url} is unreachable: ${(error as Error).message || (error as Error).name}`;
  } finally {
    await nc?.close().catch(() => {});
  }
}
