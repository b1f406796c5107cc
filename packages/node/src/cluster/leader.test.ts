import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { serviceUnavailable, TEST_POSTGRES_URL } from '../testing/services.ts';
import { type LeaderElection, leaderLockKey, startLeaderElection, startRoles } from './leader.ts';

const MARKET = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

/** Polls `check` every 50 ms until it holds, failing after `timeoutMs`. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh lock key per test, so tests (and other runs) on the shared database never contend. */
const freshKey = () => randomBytes(8).readBigInt64BE(0);

/** A role that records its starts and stops in `trace`. */
function tracedElection(
  key: bigint,
  name: string,
  trace: string[],
  extra: Partial<Parameters<typeof startLeaderElection>[0]> = {},
) {
  return startLeaderElection({
    databaseUrl: TEST_POSTGRES_URL,
    key,
    retryMs: 100,
    checkMs: 100,
    onElected: async () => {
      trace.push(`${name} start`);
      return async () => {
        trace.push(`${name} stop`);
      };
    },
    ...extra,
  });
}

describe('leaderLockKey', () => {
  test('is the same for one market whatever the address case, and differs across markets and chains', () => {
    const key = leaderLockKey({ chainId: 31337, computeEscrow: MARKET });
    assert.equal(key, leaderLockKey({ chainId: 31337, computeEscrow: MARKET.toLowerCase() }));
    assert.notEqual(key, leaderLockKey({ chainId: 10, computeEscrow: MARKET }));
    assert.notEqual(key, leaderLockKey({ chainId: 31337, computeEscrow: `0x${'1'.repeat(40)}` }));
    assert.ok(key >= -(2n ** 63n) && key < 2n ** 63n, 'fits a PostgreSQL bigint');
  });
});

describe('startRoles', () => {
  test('starts the roles in order and stops them in reverse order', async () => {
    const trace: string[] = [];
    const role = (name: string) => ({
      name,
      start: async () => {
        trace.push(`start ${name}`);
        return { stop: async () => void trace.push(`stop ${name}`) };
      },
    });
    const stop = await startRoles([role('coordinator'), role('settler')]);
    await stop();
    assert.deepEqual(trace, ['start coordinator', 'start settler', 'stop settler', 'stop coordinator']);
  });

  test('stops the roles already started when a later one fails, and re-throws', async () => {
    const trace: string[] = [];
    await assert.rejects(
      startRoles([
        { name: 'a', start: async () => ({ stop: async () => void trace.push('stop a') }) },
        {
          name: 'b',
          start: async () => {
            throw new Error('b cannot start');
          },
        },
      ]),
      /b cannot start/,
    );
    assert.deepEqual(trace, ['stop a']);
  });
});

describe('startLeaderElection without PostgreSQL (PGlite)', () => {
  test('leads at once and stops its roles on stop()', async () => {
    const trace: string[] = [];
    const election = startLeaderElection({
      key: 1n,
      onElected: async () => {
        trace.push('start');
        return async () => void trace.push('stop');
      },
    });
    await election.ready;
    assert.equal(election.isLeader(), true);
    await election.stop();
    assert.equal(election.isLeader(), false);
    assert.deepEqual(trace, ['start', 'stop']);
  });
});

describe('startLeaderElection on PostgreSQL', { skip: await serviceUnavailable('postgres') }, () => {
  const running: LeaderElection[] = [];
  after(async () => {
    for (const election of running) await election.stop();
  });
  const track = (election: LeaderElection) => {
    running.push(election);
    return election;
  };

  test('exactly one of two nodes leads; when it stops, the other takes over', async () => {
    const key = freshKey();
    const trace: string[] = [];
    const a = track(tracedElection(key, 'a', trace));
    await a.ready;
    const b = track(tracedElection(key, 'b', trace));
    await b.ready;
    assert.equal(a.isLeader(), true);
    assert.equal(b.isLeader(), false);
    // b keeps trying and keeps losing while a holds the lock.
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal(b.isLeader(), false);
    assert.deepEqual(trace, ['a start']);

    await a.stop();
    assert.deepEqual(trace, ['a start', 'a stop']);
    await waitFor('b to lead', () => b.isLeader());
    assert.deepEqual(trace, ['a start', 'a stop', 'b start']);
  });

  test('two markets on one database elect their leaders independently', async () => {
    const trace: string[] = [];
    const a = track(tracedElection(freshKey(), 'a', trace));
    const b = track(tracedElection(freshKey(), 'b', trace));
    await Promise.all([a.ready, b.ready]);
    assert.equal(a.isLeader(), true);
    assert.equal(b.isLeader(), true);
  });

  test('a leader whose session is killed stops its roles at once, and a standby takes over', async () => {
    const key = freshKey();
    const trace: string[] = [];
    const lines: string[] = [];
    const a = track(tracedElection(key, 'a', trace, { log: (line) => lines.push(line) }));
    await a.ready;
    assert.equal(a.isLeader(), true);
    const b = track(tracedElection(key, 'b', trace));
    await b.ready;

    // Find the session holding the lock (pg_locks splits a bigint key into classid = high, objid = low 32 bits).
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      const unsigned = BigInt.asUintN(64, key);
      const { rows } = await admin.query<{ pid: number }>(
        `select pid from pg_locks where locktype = 'advisory' and granted
           and classid = $1::bigint::oid and objid = $2::bigint::oid and objsubid = 1`,
        [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()],
      );
      assert.equal(rows.length, 1, 'one session holds the lease');
      await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
    } finally {
      await admin.end();
    }

    await waitFor('a to fence itself', () => trace.includes('a stop'));
    assert.equal(a.isLeader(), false);
    assert.ok(
      lines.some((line) => line.includes('lease lost')),
      lines.join('\n'),
    );
    await waitFor('a standby to lead', () => a.isLeader() || b.isLeader());
    // Exactly one leads again, and roles never overlapped: each start follows the previous leader's stop.
    assert.notEqual(a.isLeader(), b.isLeader());
    assert.deepEqual(trace.slice(0, 2), ['a start', 'a stop']);
    assert.equal(trace.length, 3);
    assert.match(trace[2], / start$/);
  });

  test('a leader whose roles fail to start releases the lease to another node', async () => {
    const key = freshKey();
    const lines: string[] = [];
    const failing = track(
      startLeaderElection({
        databaseUrl: TEST_POSTGRES_URL,
        key,
        retryMs: 5_000, // does not come back before the other node's try
        onElected: async () => {
          throw new Error('the operator key has no SCHEDULER_ROLE');
        },
        log: (line) => lines.push(line),
      }),
    );
    await failing.ready;
    assert.equal(failing.isLeader(), false);
    assert.ok(lines.some((line) => line.includes('SCHEDULER_ROLE') && line.includes('releasing the lease')));
    const trace: string[] = [];
    const other = track(tracedElection(key, 'other', trace));
    await other.ready;
    assert.equal(other.isLeader(), true);
    assert.deepEqual(trace, ['other start']);
  });

  test('an unreachable database is retried without leading, and stop() ends the retries', async () => {
    const lines: string[] = [];
    const election = startLeaderElection({
      databaseUrl: 'postgres://postgres@127.0.0.1:1/test',
      key: freshKey(),
      retryMs: 50,
      onElected: async () => async () => {},
      log: (line) => lines.push(line),
    });
    await election.ready;
    await waitFor('a second try', () => lines.length >= 2);
    assert.equal(election.isLeader(), false);
    assert.match(lines[0], /cannot reach PostgreSQL/);
    await election.stop();
  });
});
