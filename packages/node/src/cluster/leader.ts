/**
 * The leader lease: of all the nodes serving one market (one chain id + ComputeEscrow address) on one PostgreSQL,
 * exactly one runs the leader-only role components — the compute coordinator, and whatever else must not run twice
 * (see {@link LeaderRole}). Every node keeps serving the API, WebSocket and gateway and runs its own indexer.
 *
 * **PostgreSQL**: the lease is a session-level advisory lock, `pg_try_advisory_lock(key)`, taken on a dedicated
 * connection that stays open for as long as the node leads. PostgreSQL releases the lock the moment that session
 * ends, so a leader that dies (`kill -9`, crash, OOM) hands over as soon as the server sees its socket close — a
 * standby's next try, every `retryMs`, wins. No TTL, no clocks, no renewals to miss.
 *
 * **Fencing**: when the leader's connection fails — an `error` or `end` event, or a health check (`select 1` every
 * `checkMs`) that gets no answer within `checkTimeoutMs` — the node stops its role components at once, before the
 * server can have released the lock (PostgreSQL notices a silently dead peer only through the TCP keep-alives set
 * on the session, ≈ 11 s), so two coordinators never act at the same time. A transaction already sent before the
 * fence still lands; the contracts' state machines make a duplicate transition revert, never apply twice.
 *
 * **PGlite** (embedded, one process owns its data directory): there can be no second node, so the node is always
 * the leader.
 */
import { createHash } from 'node:crypto';
import pg, { type Client } from 'pg';

/** `pg.Client` settings beyond those `db/pg.d.ts` declares. */
type SessionConfig = NonNullable<ConstructorParameters<typeof pg.Client>[0]> & {
  /** TCP keep-alive on the client's socket. */
  keepAlive: boolean;
  /** Milliseconds before an unanswered query is rejected on the client side. */
  query_timeout: number;
  /** Shown in `pg_stat_activity`. */
  application_name: string;
};

/**
 * A leader-only component: started when this node wins the lease, stopped when it loses it or stops. It must be
 * safe to start again later in the same process (after a lost and regained lease), and `stop()` must stop every
 * side effect before it resolves (no further transactions).
 */
export type LeaderRole = {
  /** Name used in log lines, e.g. `coordinator`. */
  name: string;
  /** Starts the component; resolves once it runs. */
  start: () => Promise<{ stop(): Promise<void> }>;
};

/** Parameters of {@link startLeaderElection}. */
export type StartLeaderElectionParameters = {
  /** PostgreSQL connection string of the shared database; unset = PGlite: always the leader. */
  databaseUrl?: string | undefined;
  /** Advisory lock key (a signed 64-bit integer), from {@link leaderLockKey}. */
  key: bigint;
  /** Called when this node wins the lease; resolves to the function that stops what it started. */
  onElected: () => Promise<() => Promise<void>>;
  /** Milliseconds between tries while another node leads (and between reconnects). @default 1000 */
  retryMs?: number | undefined;
  /** Milliseconds between health checks of the leader's connection. @default 1000 */
  checkMs?: number | undefined;
  /** Milliseconds a health check (or a try) may take before the connection counts as lost. @default 2000 */
  checkTimeoutMs?: number | undefined;
  /** Progress lines (won, lost, errors). */
  log?: ((line: string) => void) | undefined;
};

/** A running election (see {@link startLeaderElection}). */
export type LeaderElection = {
  /** Whether this node holds the lease and its roles were started. */
  isLeader(): boolean;
  /** Resolves after the first try (won or not), so a caller can log which it is. */
  readonly ready: Promise<void>;
  /** Stops trying; when leading, stops the roles and then releases the lease (closes its connection). Idempotent. */
  stop(): Promise<void>;
};

/**
 * The advisory lock key of one market's leader lease: the first 8 bytes of
 * `sha256("souk:leader:<chainId>:<computeEscrow lower-case>")` as a signed 64-bit integer, so two markets (two
 * chains, or two deployments on one chain) on one database elect their leaders independently.
 *
 * @param parameters `chainId` (EIP-155) and the ComputeEscrow `computeEscrow` address.
 * @returns A key in −2⁶³ … 2⁶³ − 1 (PostgreSQL `bigint`).
 * @example
 * ```ts
 * import { leaderLockKey } from './cluster/leader.ts'
 * const key = leaderLockKey({ chainId: 31337, computeEscrow: deployment.contracts.computeEscrow })
 * ```
 */
export function leaderLockKey({ chainId, computeEscrow }: { chainId: number; computeEscrow: string }): bigint {
  const digest = createHash('sha256').update(`souk:leader:${chainId}:${computeEscrow.toLowerCase()}`).digest();
  return digest.readBigInt64BE(0);
}

/**
 * Starts the given role components in order; the returned function stops them in reverse order. When one fails to
 * start, those already started are stopped and the error is re-thrown.
 *
 * @param roles The leader-only components, e.g. `[{ name: 'coordinator', start: () => startCoordinator(…) }]`.
 * @param log Progress lines.
 * @returns A function that stops every started role (errors are logged, not thrown: every role gets its stop).
 * @throws whatever a role's `start` throws.
 */
export async function startRoles(
  roles: readonly LeaderRole[],
  log: (line: string) => void = () => {},
): Promise<() => Promise<void>> {
  const started: Array<{ name: string; stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const role of started.splice(0).reverse()) {
      await role.stop().catch((error: Error) => log(`leader: stopping ${role.name} failed: ${error.message}`));
    }
  };
  try {
    for (const role of roles) {
      const running = await role.start();
      started.push({ name: role.name, stop: () => running.stop() });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

/**
 * Runs for the lease: tries at once, then every `retryMs`, to take the market's advisory lock; on success calls
 * `onElected`; on a lost connection stops what `onElected` started at once (fencing) and competes again.
 *
 * @example
 * ```ts
 * import { leaderLockKey, startLeaderElection, startRoles } from './cluster/leader.ts'
 * const election = startLeaderElection({
 *   databaseUrl: process.env.DATABASE_URL,
 *   key: leaderLockKey({ chainId, computeEscrow }),
 *   onElected: () => startRoles([{ name: 'coordinator', start: () => startCoordinator(services, bus, referee, options) }]),
 *   log: console.log,
 * })
 * await election.ready
 * // …
 * await election.stop()
 * ```
 * @param parameters The database, the lock key, the roles to start, and the timings (milliseconds).
 * @returns The election: `isLeader()`, `ready`, `stop()`. Never throws: connection errors and a failing
 *   `onElected` are logged and retried after `retryMs` (a failed `onElected` releases the lease first, so another
 *   node can try).
 */
export function startLeaderElection({
  databaseUrl,
  key,
  onElected,
  retryMs = 1000,
  checkMs = 1000,
  checkTimeoutMs = 2000,
  log = () => {},
}: StartLeaderElectionParameters): LeaderElection {
  let stopping: Promise<void> | undefined;
  let leader = false;
  let client: Client | undefined;
  let stopRoles: (() => Promise<void>) | undefined;
  /** Resolves when the roles stopped by the last fence have stopped. */
  let fencing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const lockKey = key.toString();

  /** Drops the connection (if it is still `which`) and, when leading, stops the roles at once. */
  const lose = (which: Client, reason: string): void => {
    if (client !== which) return; // an older connection, already dropped
    client = undefined;
    which.end().catch(() => {}); // not awaited: a dead socket may never finish ending
    if (!leader) return;
    leader = false;
    log(`leader: lease lost (${reason}); stopping the leader-only roles`);
    const stop = stopRoles;
    stopRoles = undefined;
    if (stop) fencing = fencing.then(stop).catch(() => {});
  };

  const connect = async (): Promise<Client> => {
    const config: SessionConfig = {
      connectionString: databaseUrl,
      connectionTimeoutMillis: checkTimeoutMs,
      query_timeout: checkTimeoutMs,
      keepAlive: true,
      application_name: 'souk-leader',
    };
    const next = new pg.Client(config);
    next.on('error', (error) => lose(next, error.message || 'connection error'));
    next.on('end', () => lose(next, 'connection closed'));
    try {
      await next.connect();
      // The server side of the lease: without these, PostgreSQL keeps a silently dead leader's session (and lock)
      // for the OS default of 2 hours. Idle 5 s, then 3 probes 2 s apart.
      await next.query('set tcp_keepalives_idle = 5; set tcp_keepalives_interval = 2; set tcp_keepalives_count = 3');
    } catch (error) {
      next.end().catch(() => {});
      throw error;
    }
    client = next;
    return next;
  };

  /** Takes the lease: PGlite always can; PostgreSQL when the advisory lock is free. Returns the session, or null. */
  const acquire = async (): Promise<Client | 'embedded' | null> => {
    if (databaseUrl === undefined) return 'embedded';
    const current = client ?? (await connect());
    const { rows } = await current.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [
      lockKey,
    ]);
    return rows[0]?.locked && client === current ? current : null;
  };

  /** One step: try for the lease when a standby; check the lease's connection when the leader. */
  const step = async (): Promise<void> => {
    if (leader) {
      const current = client;
      if (!current) return; // embedded
      try {
        await current.query('select 1');
      } catch (error) {
        lose(current, `health check failed: ${(error as Error).message}`);
      }
      return;
    }
    await fencing; // the previous term's roles are fully stopped before a new term starts them again
    const session = await acquire();
    if (session === null || stopping) return;
    leader = true;
    log('leader: lease won; starting the leader-only roles');
    let stop: () => Promise<void>;
    try {
      stop = await onElected();
    } catch (error) {
      log(`leader: starting the leader-only roles failed (${(error as Error).message}); releasing the lease`);
      leader = false;
      if (session !== 'embedded') {
        await session
          .query('select pg_advisory_unlock($1::bigint)', [lockKey])
          .catch(() => lose(session, 'unlock failed'));
      }
      return;
    }
    if (leader && !stopping && (session === 'embedded' || client === session)) {
      stopRoles = stop;
      return;
    }
    // The connection was lost (or stop() called) while the roles were starting: fence them now.
    fencing = fencing.then(stop).catch(() => {});
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        await step();
      } catch (error) {
        if (client) lose(client, (error as Error).message);
        if (!stopping) log(`leader: cannot reach PostgreSQL for the lease: ${(error as Error).message}`);
      }
      resolveReady();
      if (stopping) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, leader ? checkMs : retryMs);
      });
    }
  })();

  return {
    isLeader: () => leader,
    ready,
    stop() {
      stopping ??= (async () => {
        clearTimeout(timer);
        wake?.();
        await loop;
        const stop = stopRoles;
        stopRoles = undefined;
        leader = false;
        if (stop) await stop().catch((error: Error) => log(`leader: stopping the roles failed: ${error.message}`));
        await fencing;
        const last = client;
        client = undefined;
        await last?.end().catch(() => {}); // ends the session: the lock is released
        resolveReady();
      })();
      return stopping;
    },
  };
}
