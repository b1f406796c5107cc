/**
 * The node's configuration: flags and environment variables, validated once at start so that a bad value stops
 * the node with a message that names the setting, instead of failing later.
 */
import path from 'node:path';
import { catalogueKeys } from './compute/catalogue/entries.ts';

/** Validated configuration of a Souk node. */
export type NodeConfig = {
  /** Directory of all local state: chain, database, blocks, master key. */
  dataDir: string;
  /** HTTP host (loopback by default). */
  host: string;
  /** HTTP port. */
  port: number;
  /** Port of the embedded anvil devnet (when `rpcUrl` is not set). */
  devnetPort: number;
  /** How often the settler closes a batch of agreed orders, ms (protocol v2). */
  batchIntervalMs: number;
  /** Seconds between the embedded devnet's blocks (anvil `--block-time`); unset = a block per transaction. */
  devnetBlockTime?: number | undefined;
  /** External EVM JSON-RPC; unset = start the embedded devnet. */
  rpcUrl?: string | undefined;
  /** `deployments/<chainId>.json` describing the contracts on `rpcUrl` (required with `rpcUrl`). */
  deploymentsFile?: string | undefined;
  /** PostgreSQL connection string; unset = PGlite in the data dir. */
  databaseUrl?: string | undefined;
  /** Kubo RPC API URL; unset = embedded Helia with a filesystem blockstore. */
  kuboApiUrl?: string | undefined;
  /** NATS server URL for the job bus (compute issue); unset = in-process. */
  natsUrl?: string | undefined;
  /** Secret for signing JWTs (≥ 32 bytes); unset = a random secret kept in the data dir. */
  jwtSecret?: string | undefined;
  /** Allowed CORS origins; `true` reflects any origin. */
  corsOrigins: string[] | true;
  /** Requests per minute per client before 429. */
  rateLimitPerMinute: number;
  /** Blocks the indexer stays behind head (reorg safety). */
  confirmations: number;
  /** Local providers started with the node (devnet accounts 9, 8, …). */
  providers: number;
  /** Probability that an agreeing job is re-executed by the node before it is finalized (random audit). */
  auditRate: number;
  /** Seconds a provider has from assignment to commit before the scheduler replaces it. */
  commitTimeoutSeconds: number;
  /** Publish the sample OCR model on the devnet's first start. */
  sampleModel: boolean;
  /**
   * Keys of the catalogue models the devnet publishes on its first start (`compute/catalogue`); OCR is `ocr`.
   * Default: `ocr` only (`souk start` passes `all`).
   */
  catalogue: string[];
  /** Directory of the built web app served at `/`; unset = `apps/web/dist` of this repository. */
  webDir?: string | undefined;
  /** Root token of the job bus subjects (and, on NATS, stream `SOUK_JOBS` or `SOUK_JOBS_<PREFIX>`). */
  busPrefix: string;
  /** Inbound HTTP timeouts in milliseconds, 0 = off (headers, body idle, whole buffered body); see `app.ts`. */
  httpTimeouts: { headersMs: number; bodyIdleMs: number; bodyMs: number };
  /**
   * The origin clients reach this node at (`https://souk.example`): the only SIWE `domain` (its host[:port]) and
   * `uri` (same origin) sign-in accepts. Unset = the listen address, `http://<host>:<port>`.
   */
  publicUrl?: string | undefined;
  /** Lifetime of the access tokens this node signs, and the longest it accepts, seconds. @default 900 */
  accessTokenTtlSeconds?: number | undefined;
};

/** Thrown when a setting is invalid; the message names the flag and the environment variable. */
export class ConfigError extends Error {
  override name = 'ConfigError' as const;
}

type Source = Record<string, string | undefined>;

function url(name: string, value: string | undefined, protocols: string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${value}".`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}".`);
  }
  return value;
}

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer in ${min}..${max}, got "${value}".`);
  }
  return n;
}

function busPrefix(value: string | undefined): string {
  if (value === undefined || value === '') return 'souk';
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(value)) {
    throw new ConfigError(`SOUK_BUS_PREFIX must be 1–32 of [A-Za-z0-9_-], got "${value}".`);
  }
  return value;
}

/** An http(s) origin without path, query or credentials; returned as `URL.origin` (no trailing slash). */
function publicOrigin(value: string | undefined): string | undefined {
  const checked = url('SOUK_PUBLIC_URL (--public-url)', value, ['http:', 'https:']);
  if (checked === undefined) return undefined;
  const parsed = new URL(checked);
  if (parsed.username || parsed.password || parsed.search || parsed.hash || parsed.pathname !== '/') {
    throw new ConfigError(
      `SOUK_PUBLIC_URL (--public-url) must be an origin like https://souk.example, got "${value}".`,
    );
  }
  return parsed.origin;
}

function catalogueSelection(value: string | undefined, sampleModel: boolean): string[] {
  if (!sampleModel || value === '0' || value === 'none') return [];
  if (value === undefined || value === '') return ['ocr']; // the sample model; `souk start` asks for all
  if (value === 'all') return [...catalogueKeys];
  const keys = value.split(',').map((k) => k.trim().toLowerCase());
  const unknown = keys.find((k) => !catalogueKeys.includes(k));
  if (unknown !== undefined) {
    throw new ConfigError(
      `SOUK_CATALOGUE names "${unknown}"; known models: ${catalogueKeys.join(', ')} (or all, none).`,
    );
  }
  return [...new Set(keys)];
}

function fraction(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new ConfigError(`${name} must be a number in 0..1, got "${value}".`);
  return n;
}

/**
 * Builds the configuration from command-line flags (already parsed, e.g. `{ 'data-dir': '…', port: '…' }`) and
 * the environment; flags win.
 *
 * | setting | flag | environment | default |
 * | --- | --- | --- | --- |
 * | data directory | `--data-dir` | `SOUK_DATA_DIR` | `./.souk` |
 * | HTTP port | `--port` | `PORT` | 8080 |
 * | HTTP host | `--host` | `HOST` | 127.0.0.1 |
 * | devnet RPC port | `--devnet-port` | `SOUK_RPC_PORT` | 8545 |
 * | settlement batch interval, ms (orders) | | `SOUK_BATCH_INTERVAL_MS` | 500 on the devnet, 2000 otherwise |
 * | devnet block time, s (an L2's 2 s) | | `SOUK_DEVNET_BLOCK_TIME` (1…60) | a block per transaction |
 * | external chain | `--rpc-url` + `--deployments` | `RPC_URL` + `SOUK_DEPLOYMENTS` | embedded anvil |
 * | database | | `DATABASE_URL` | PGlite |
 * | storage | | `KUBO_API_URL` | Helia |
 * | job bus | | `NATS_URL` | in-process |
 * | JWT secret | | `JWT_SECRET` | random, kept in the data dir |
 * | CORS | | `CORS_ORIGINS` (comma list or `*`) | `*` |
 * | rate limit | | `RATE_LIMIT_PER_MINUTE` | 600 |
 * | confirmations | | `SOUK_CONFIRMATIONS` | 0 on the devnet, 2 otherwise |
 * | local providers | `--providers` | `SOUK_PROVIDERS` | 2 on the devnet, 0 otherwise (0…5) |
 * | audit rate | | `SOUK_AUDIT_RATE` (0…1) | 0.05 |
 * | commit timeout | | `SOUK_COMMIT_TIMEOUT_SECONDS` | 60 |
 * | sample OCR model | | `SOUK_SAMPLE_MODEL` (`0` disables it and the catalogue) | on (devnet) |
 * | catalogue models published on the devnet | | `SOUK_CATALOGUE` (`all`, `none` or keys, e.g. `ocr,vad`) | `ocr`; `all` under `souk start` |
 * | job bus subject prefix | | `SOUK_BUS_PREFIX` | `souk` |
 * | web app directory | | `SOUK_WEB_DIR` | `apps/web/dist` |
 * | HTTP headers timeout (ms) | | `SOUK_HEADERS_TIMEOUT_MS` | 20000 |
 * | HTTP body idle timeout (ms) | | `SOUK_BODY_IDLE_TIMEOUT_MS` | 30000 |
 * | HTTP buffered body timeout (ms) | | `SOUK_BODY_TIMEOUT_MS` | 60000 |
 * | public origin (SIWE domain and uri) | `--public-url` | `SOUK_PUBLIC_URL` | `http://<host>:<port>` |
 * | access token lifetime (and maximum accepted), s | | `SOUK_ACCESS_TOKEN_TTL_SECONDS` (60…86400) | 900 |
 *
 * @throws {ConfigError} naming the first invalid setting.
 */
export function loadConfig(flags: Source = {}, env: Source = process.env): NodeConfig {
  const pick = (flag: string, variable: string) => flags[flag] ?? env[variable];
  const rpcUrl = url('RPC_URL (--rpc-url)', pick('rpc-url', 'RPC_URL'), ['http:', 'https:', 'ws:', 'wss:']);
  const deploymentsFile = pick('deployments', 'SOUK_DEPLOYMENTS');
  if (rpcUrl && !deploymentsFile) {
    throw new ConfigError('RPC_URL needs SOUK_DEPLOYMENTS (--deployments): the deployments/<chainId>.json file.');
  }
  const jwtSecret = env.JWT_SECRET || undefined;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 bytes long.');
  }
  const cors = env.CORS_ORIGINS;
  return {
    dataDir: path.resolve(pick('data-dir', 'SOUK_DATA_DIR') ?? '.souk'),
    host: pick('host', 'HOST') ?? '127.0.0.1',
    port: integer('PORT (--port)', pick('port', 'PORT'), 8080, 0, 65535),
    devnetPort: integer('SOUK_RPC_PORT (--devnet-port)', pick('devnet-port', 'SOUK_RPC_PORT'), 8545, 1, 65535),
    batchIntervalMs: integer(
      'SOUK_BATCH_INTERVAL_MS',
      env.SOUK_BATCH_INTERVAL_MS,
      rpcUrl ? 2_000 : 500,
      50,
      86_400_000,
    ),
    devnetBlockTime:
      env.SOUK_DEVNET_BLOCK_TIME === undefined
        ? undefined
        : integer('SOUK_DEVNET_BLOCK_TIME', env.SOUK_DEVNET_BLOCK_TIME, 0, 1, 60),
    rpcUrl,
    deploymentsFile: deploymentsFile ? path.resolve(deploymentsFile) : undefined,
    databaseUrl: url('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']),
    kuboApiUrl: url('KUBO_API_URL', env.KUBO_API_URL, ['http:', 'https:']),
    natsUrl: url('NATS_URL', env.NATS_URL, ['nats:', 'tls:']),
    jwtSecret,
    corsOrigins: !cors || cors === '*' ? true : cors.split(',').map((o) => o.trim()),
    rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE, 600, 1, 1_000_000),
    confirmations: integer('SOUK_CONFIRMATIONS', env.SOUK_CONFIRMATIONS, rpcUrl ? 2 : 0, 0, 1000),
    providers: integer('SOUK_PROVIDERS (--providers)', pick('providers', 'SOUK_PROVIDERS'), rpcUrl ? 0 : 2, 0, 5),
    auditRate: fraction('SOUK_AUDIT_RATE', env.SOUK_AUDIT_RATE, 0.05),
    commitTimeoutSeconds: integer('SOUK_COMMIT_TIMEOUT_SECONDS', env.SOUK_COMMIT_TIMEOUT_SECONDS, 60, 1, 86_400),
    sampleModel: env.SOUK_SAMPLE_MODEL !== '0' && env.SOUK_SAMPLE_MODEL !== 'false',
    catalogue: catalogueSelection(
      env.SOUK_CATALOGUE,
      env.SOUK_SAMPLE_MODEL !== '0' && env.SOUK_SAMPLE_MODEL !== 'false',
    ),
    httpTimeouts: {
      headersMs: integer('SOUK_HEADERS_TIMEOUT_MS', env.SOUK_HEADERS_TIMEOUT_MS, 20_000, 0, 3_600_000),
      bodyIdleMs: integer('SOUK_BODY_IDLE_TIMEOUT_MS', env.SOUK_BODY_IDLE_TIMEOUT_MS, 30_000, 0, 3_600_000),
      bodyMs: integer('SOUK_BODY_TIMEOUT_MS', env.SOUK_BODY_TIMEOUT_MS, 60_000, 0, 3_600_000),
    },
    busPrefix: busPrefix(env.SOUK_BUS_PREFIX),
    webDir: env.SOUK_WEB_DIR ? path.resolve(env.SOUK_WEB_DIR) : undefined,
    publicUrl: publicOrigin(pick('public-url', 'SOUK_PUBLIC_URL')),
    accessTokenTtlSeconds: integer(
      'SOUK_ACCESS_TOKEN_TTL_SECONDS',
      env.SOUK_ACCESS_TOKEN_TTL_SECONDS,
      15 * 60,
      60,
      86_400,
    ),
  };
}
