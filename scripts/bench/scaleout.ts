/**
 * Two nodes behind one market: read throughput of one node process against two, and the coordinator failover time
 * after `kill -9` of the leader.
 *
 * Set-up, as `packages/node/src/cluster/cluster.test.ts` builds it: one anvil (an embedded devnet started here, whose
 * `deployments/31337.json` the nodes join with `--rpc-url` + `--deployments`), one fresh PostgreSQL database on the
 * machine's server, one NATS JetStream with a fresh stream prefix, and `souk start` child processes on free loopback
 * ports (`--quiet`: no request log; rate limit raised so no 429), both through `nodeCluster`
 * (`packages/node/src/crash/nodeProcess.ts`). 10k assets and 10k active listings are inserted
 * straight into the shared index tables (`generate_series`, then `ANALYZE`): the read path is measured, and minting
 * 10k assets on-chain would only slow the seeding.
 *
 * Read throughput: autocannon (separate processes) on `GET /api/v1/marketplace/list?limit=50` and
 * `GET /api/v1/assets?limit=50`, `BENCH_HTTP_CONNECTIONS` connections in all — one autocannon on node a (N = 1),
 * then one autocannon with half the connections on each of nodes a and b at the same time (N = 2; req/s summed,
 * p99 the worse of the two), alternately for `BENCH_SCALE_ROUNDS` rounds so that the other jobs on a shared
 * machine weigh on both alike; the report's rows are the medians. The CPU time of every process involved (the nodes, their
 * PostgreSQL backends, nats-server, the load generators) and of the whole machine (`/proc/stat`) is sampled around
 * each run, so the report shows where the cores went.
 *
 * Failover: the standby is signed in (a token signed with the shared `JWT_SECRET`); it accepts orders while standing
 * by (an empty `POST /api/v1/orders` gets 400 from the acceptance checks; accepted orders wait in the shared database
 * for the leader). The leader is killed with SIGKILL and the standby is polled every 25 ms until it reports the lease
 * (`souk_leader 1` on `/metrics`, set once its leader roles — the order coordinator among them — started and adopted
 * the stored open orders). The killed node is restarted from its data directory as the new standby and the trial
 * repeated (`BENCH_FAILOVER_TRIALS`, default 2).
 *
 * Env: BENCH_HTTP_SECONDS (per run, default 6), BENCH_HTTP_CONNECTIONS (default 10), BENCH_SCALE_ROUNDS (default
 * 3), BENCH_FAILOVER_TRIALS (default 2).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSoukClient, signIn } from '@souk/sdk';
import pg from 'pg';
import { type ClusterNode, startNodeCluster, waitFor } from '../../packages/node/src/crash/nodeProcess.ts';
import { TEST_POSTGRES_URL } from '../../packages/node/src/testing/services.ts';
import { deleteBusStream, tempPostgres } from '../../packages/node/src/testing/setups.ts';
import { emit, fmt, progress, ROOT, type Row, round, since, table } from './lib.ts';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10);
const TRIALS = Number(process.env.BENCH_FAILOVER_TRIALS ?? 2);
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 3);
const ASSETS = 10_000;
const AUTOCANNON = path.join(ROOT, 'node_modules/.bin/autocannon');
const ROUTES = ['/api/v1/marketplace/list?limit=50', '/api/v1/assets?limit=50'] as const;
/** Clock ticks per second of `/proc/<pid>/stat` and `/proc/stat` (USER_HZ, 100 on Linux). */
const HZ = 100;

type Load = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
};

/** Runs one autocannon child against `url`; resolves to its result and its pid (for the CPU accounting). */
function autocannon(url: string, connections: number, seconds: number, onPid: (pid: number) => void): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(AUTOCANNON, ['--json', '-c', String(connections), '-d', String(seconds), url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) onPid(child.pid);
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      const r = JSON.parse(out) as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        errors: number;
        non2xx: number;
      };
      resolve({
        requestsPerSecond: round(r.requests.average, 1),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        requests: r.requests.total,
        errors: r.errors,
        non2xx: r.non2xx,
      });
    });
  });
}

/** utime + stime of a process (all its threads), seconds; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    return (Number(fields[11]) + Number(fields[12])) / HZ; // fields 14 and 15 of proc(5)
  } catch {
    return 0;
  }
}

/** Busy and total CPU seconds of the whole machine, summed over cores (`/proc/stat`). */
function machineSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = line.slice(0, 8).reduce((s, v) => s + v, 0);
  const idle = line[3] + line[4]; // idle + iowait
  return { busy: (total - idle) / HZ, total: total / HZ };
}

/** Pids of the processes whose command name is `name` (read from `/proc`, e.g. `nats-server`). */
function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const started = performance.now();
const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-scaleout-'));
const database = await tempPostgres('souk_bench_scale');
const databaseName = new URL(database.url).pathname.slice(1);
const prefix = `benchscale${randomBytes(4).toString('hex')}`;
const cluster = await startNodeCluster({
  dir,
  databaseUrl: database.url,
  busPrefix: prefix,
  env: { SOUK_CATALOGUE: 'none', RATE_LIMIT_PER_MINUTE: '1000000' },
  readyTimeoutMs: 90_000,
});
const { devnet, nodes, isLeader } = cluster;
/** A connection for this run's own queries (the PostgreSQL backends of the nodes). */
const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
await admin.connect();

/** The 10k assets and listings, as `db/explain.test.ts` seeds them (every listing active, newest = highest id). */
async function seed(): Promise<number> {
  const t0 = performance.now();
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const zero = `0x${'0'.repeat(40)}`;
  try {
    await db.query(
      `insert into assets (id, kind, creator, owner, royalty_bps, manifest_uri, name, description, price_wei, currency,
         created_block, created_at, updated_block)
       select i, (array['model','agent','dataset'])[i % 3 + 1], '0x' || lpad(to_hex(i % 97), 40, '0'),
         '0x' || lpad(to_hex(i % 89), 40, '0'), 500, 'ipfs://bafkreibench' || lpad(i::text, 8, '0'),
         'Bench asset ' || i, 'Seeded asset number ' || i || ' for the scale-out read benchmark',
         i * 10000000000000, '${zero}', i, now(), i
       from generate_series(1, ${ASSETS}) i`,
    );
    await db.query(
      `insert into listings (token_id, seller, currency, price, active, listed_block, listed_at, updated_block)
       select i, '0x' || lpad(to_hex(i % 89), 40, '0'), '${zero}', i * 10000000000000, true, i, now(), i
       from generate_series(1, ${ASSETS}) i`,
    );
    await db.query('analyze assets, listings');
  } finally {
    await db.end();
  }
  return since(t0);
}

/** Pids of this run's PostgreSQL backends (the nodes' pools and lease sessions). */
async function backendPids(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [
    databaseName,
  ]);
  return rows.map((r) => r.pid);
}

type CpuSplit = Record<string, number>;

/** One measured run: `connections` spread evenly over `targets`, CPU seconds of each party sampled around it. */
async function measure(route: string, targets: ClusterNode[]) {
  for (const node of targets) {
    const response = await fetch(`${node.url}${route}`);
    const body = (await response.json()) as { items?: unknown[] };
    if (response.status !== 200 || body.items?.length !== 50) {
      throw new Error(`${node.name} ${route} answered ${response.status} with ${body.items?.length} items`);
    }
  }
  const each = Math.max(1, Math.round(CONNECTIONS / targets.length));
  // Warm-up (JIT, pools, the read-model cache), then the measured run.
  await Promise.all(targets.map((node) => autocannon(`${node.url}${route}`, each, 2, () => {})));
  const backends = await backendPids();
  const nats = pidsNamed('nats-server');
  const generators: number[] = [];
  const nodePids = targets.map((node) => node.child.pid as number);
  const others = [...nodes.values()].filter((n) => !targets.includes(n)).map((n) => n.child.pid as number);
  const parties: Record<string, number[]> = {
    nodes: nodePids,
    postgres: backends,
    nats,
    idleNodes: others,
    anvil: [devnet.anvil.pid],
  };
  /** CPU seconds per party, per pid (a pid gone by the second sample counts 0, never negative). */
  const sample = () =>
    Object.fromEntries(Object.entries(parties).map(([party, pids]) => [party, pids.map(cpuSeconds)]));
  const before = sample();
  const machine0 = machineSeconds();
  const t0 = performance.now();
  const generatorCpu = new Map<number, number>();
  const sampler = setInterval(() => {
    for (const pid of generators) generatorCpu.set(pid, Math.max(generatorCpu.get(pid) ?? 0, cpuSeconds(pid)));
  }, 200);
  const loads = await Promise.all(
    targets.map((node) => autocannon(`${node.url}${route}`, each, SECONDS, (pid) => generators.push(pid))),
  );
  clearInterval(sampler);
  const wall = since(t0) / 1000;
  const after = sample();
  const machine1 = machineSeconds();
  const cpu: CpuSplit = {};
  for (const party of Object.keys(parties)) {
    const spent = after[party].reduce((sum, end, i) => sum + Math.max(0, end - before[party][i]), 0);
    cpu[party] = round(spent / wall, 2);
  }
  cpu.loadGenerators = round([...generatorCpu.values()].reduce((s, v) => s + v, 0) / wall, 2);
  cpu.machineBusy = round((machine1.busy - machine0.busy) / wall, 2);
  const ours = cpu.nodes + cpu.postgres + cpu.nats + cpu.idleNodes + cpu.anvil + cpu.loadGenerators;
  cpu.rest = round(Math.max(0, cpu.machineBusy - ours), 2);
  const total: Load = {
    requestsPerSecond: round(
      loads.reduce((s, l) => s + l.requestsPerSecond, 0),
      1,
    ),
    p50Ms: Math.max(...loads.map((l) => l.p50Ms)),
    p99Ms: Math.max(...loads.map((l) => l.p99Ms)),
    requests: loads.reduce((s, l) => s + l.requests, 0),
    errors: loads.reduce((s, l) => s + l.errors, 0),
    non2xx: loads.reduce((s, l) => s + l.non2xx, 0),
  };
  /** CPU the node processes spent per request served, ms. */
  const nodeCpuMsPerRequest = round((cpu.nodes * wall * 1000) / Math.max(1, total.requests), 3);
  return {
    route,
    nodes: targets.length,
    connectionsPerNode: each,
    total,
    perNode: loads,
    cpuCores: cpu,
    nodeCpuMsPerRequest,
  };
}

/** Status of `POST /api/v1/orders` with an empty body, signed in (400: the node accepts orders, leader or standby). */
async function orderStatus(node: ClusterNode, token: string): Promise<number> {
  const response = await fetch(`${node.url}/api/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  await response.arrayBuffer();
  return response.status;
}

type Trial = { killed: string; survivor: string; leaseMs: number; ordersStatus: number };

/** Kills the leader with SIGKILL and times the standby's takeover; restarts the killed node as the new standby. */
async function failover(): Promise<Trial> {
  const running = [...nodes.values()];
  const flags = await Promise.all(running.map(isLeader));
  const leaders = running.filter((_, i) => flags[i]);
  if (leaders.length !== 1) throw new Error(`expected one leader, found ${leaders.map((n) => n.name).join(', ')}`);
  const leader = leaders[0];
  const standby = running.find((n) => n !== leader) as ClusterNode;
  const client = createSoukClient({ url: standby.url });
  await signIn(client, { account: devnet.accounts[5].account });
  const token = client.accessToken as string;
  const ordersStatus = await orderStatus(standby, token);
  if (ordersStatus !== 400) throw new Error(`the standby answered POST /orders with ${ordersStatus}, not 400`);

  const killedAt = performance.now();
  await cluster.kill(leader);
  await waitFor('the standby to hold the lease', () => isLeader(standby), 30_000, 25);
  const leaseMs = since(killedAt);
  progress(`failover: ${standby.name} leads (its order coordinator runs) ${fmt(leaseMs)} ms after kill -9`);
  await cluster.start(leader.name); // back as the standby
  await waitFor(
    `${leader.name} to stand by`,
    async () => (await isLeader(standby)) && !(await isLeader(leader)),
    60_000,
  );
  return {
    killed: leader.name,
    survivor: standby.name,
    leaseMs: round(leaseMs, 0),
    ordersStatus,
  };
}

let result: Omit<Parameters<typeof emit>[0], 'durationMs'>;
try {
  progress('starting nodes a and b (PostgreSQL + NATS, joining the devnet)');
  const a = await cluster.start('a');
  const b = await cluster.start('b');
  progress(`seeding ${ASSETS} assets and listings`);
  const seedMs = await seed();
  // One node, then both, alternately, so the other jobs on the shared machine weigh on both alike.
  const runs: Array<Awaited<ReturnType<typeof measure>> & { round: number }> = [];
  for (let pass = 1; pass <= ROUNDS; pass++) {
    for (const route of ROUTES) {
      for (const targets of [[a], [a, b]]) {
        progress(`round ${pass}/${ROUNDS}, N = ${targets.length}: ${route} (${CONNECTIONS} connections, ${SECONDS} s)`);
        runs.push({ ...(await measure(route, targets)), round: pass });
      }
    }
  }
  const trials: Trial[] = [];
  for (let i = 0; i < TRIALS; i++) trials.push(await failover());

  /** Median over the rounds of one route and node count: req/s and p99 (the rounds' own figures). */
  const median = (values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const summary = (route: string, n: number) => {
    const of = runs.filter((r) => r.route === route && r.nodes === n);
    return {
      requestsPerSecond: round(median(of.map((r) => r.total.requestsPerSecond)), 1),
      p99Ms: median(of.map((r) => r.total.p99Ms)),
    };
  };
  const rows: Row[] = [];
  for (const route of ROUTES) {
    const one = summary(route, 1);
    const two = summary(route, 2);
    const label = route.split('?')[0];
    const ratio = two.requestsPerSecond / one.requestsPerSecond;
    rows.push(
      {
        figure: `GET ${label} (50 of 10k), 2 nodes on one market: throughput (median of ${ROUNDS})`,
        value: two.requestsPerSecond,
        unit: 'req/s',
        baseline: { label: 'one node', value: one.requestsPerSecond },
        ratio: round(ratio, 3),
        target: '≥ 1.6× one node',
        met: ratio >= 1.6,
      },
      {
        figure: `GET ${label} (50 of 10k), 2 nodes on one market: p99 latency (median of ${ROUNDS})`,
        value: two.p99Ms,
        unit: 'ms',
        baseline: { label: 'one node p99', value: one.p99Ms },
        ratio: round(two.p99Ms / Math.max(one.p99Ms, 1), 2),
      },
    );
  }
  const worst = Math.max(...trials.map((t) => t.leaseMs));
  rows.push({
    figure: 'coordinator failover after kill -9 of the leader (the standby leads and coordinates orders), worst trial',
    value: worst,
    unit: 'ms',
    target: '≤ 5 s',
    met: worst <= 5000,
  });

  const cpuCell = (c: CpuSplit) =>
    `nodes ${c.nodes} · PostgreSQL ${c.postgres} · load gen. ${c.loadGenerators} · NATS ${c.nats} · anvil ${c.anvil}` +
    (c.idleNodes ? ` · idle node ${c.idleNodes}` : '') +
    ` · rest of machine ${c.rest}`;
  /** Where the cores went, from the runs' medians: what the nodes got, and what the rest of the machine took. */
  const cpuParagraph = () => {
    const of = (n: number, pick: (r: (typeof runs)[number]) => number) =>
      round(median(runs.filter((r) => r.nodes === n).map(pick)), 2);
    const cores = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0;
    return [
      `Where the ${cores} cores went (medians over all runs of each node count): the node processes used`,
      `${of(1, (r) => r.cpuCores.nodes)} cores with one node and ${of(2, (r) => r.cpuCores.nodes)} with two,`,
      `${of(1, (r) => r.nodeCpuMsPerRequest)} / ${of(2, (r) => r.nodeCpuMsPerRequest)} ms of node CPU per request;`,
      `PostgreSQL ${of(1, (r) => r.cpuCores.postgres)} / ${of(2, (r) => r.cpuCores.postgres)} cores (pages come from`,
      'the read-model cache, `cachedRead`, so few queries reach it), the load generators',
      `${of(1, (r) => r.cpuCores.loadGenerators)} / ${of(2, (r) => r.cpuCores.loadGenerators)}, and the rest of the`,
      `machine — other jobs on the shared host — ${of(1, (r) => r.cpuCores.rest)} / ${of(2, (r) => r.cpuCores.rest)}`,
      `(the whole machine was busy ${of(1, (r) => r.cpuCores.machineBusy)} / ${of(2, (r) => r.cpuCores.machineBusy)}`,
      `of ${cores} cores). A second node process can only add throughput with a core to spare: when the cores are`,
      'already full, the two nodes share the CPU one node had, and the ratio measures the machine, not the nodes,',
      'which share nothing on this path but the database.',
    ].join('\n');
  };
  const markdown = [
    `Node processes (\`souk start --rpc-url … --deployments …\`, \`--quiet\`) on one fresh PostgreSQL database, one`,
    'NATS JetStream (fresh stream prefix) and one anvil, on 127.0.0.1, as `cluster/cluster.test.ts` runs them;',
    `10k assets and 10k active listings inserted straight into the shared index tables. autocannon (separate`,
    `processes), ${CONNECTIONS} connections in all for ${SECONDS} s after a 2 s warm-up: all on node a (N = 1), then`,
    `half on each of a and b at once (N = 2; req/s summed, p99 the worse of the two), alternately, ${ROUNDS} rounds`,
    '(both nodes stay up: in N = 1 node b idles). The main table shows the medians. CPU is in cores',
    '(CPU seconds per wall second, from `/proc`) over the measured run; "rest of machine" is everything else',
    "running on the shared machine (other people's jobs), which is what the nodes compete with.",
    '',
    table(
      [
        'round',
        'route',
        'nodes',
        'req/s',
        'p50 / p99 ms',
        'per node req/s',
        'non-2xx',
        'node CPU / req',
        'CPU (cores)',
      ],
      runs.map((r) => [
        r.round,
        `\`${r.route.split('?')[0]}\``,
        r.nodes,
        fmt(r.total.requestsPerSecond),
        `${r.total.p50Ms} / ${r.total.p99Ms}`,
        r.perNode.map((l) => fmt(l.requestsPerSecond)).join(' + '),
        r.total.non2xx + r.total.errors,
        `${r.nodeCpuMsPerRequest} ms`,
        cpuCell(r.cpuCores),
      ]),
    ),
    '',
    cpuParagraph(),
    '',
    `Failover (${trials.length} trials): the standby accepts orders while another node leads (an empty`,
    '`POST /api/v1/orders` gets 400 from its acceptance checks; stored orders wait for the leader); the leader is',
    'killed with SIGKILL and the standby is polled every 25 ms. The lease is a PostgreSQL session advisory lock',
    '(`cluster/leader.ts`), released when the killed session’s socket closes; the standby retries every 1 s, then',
    'starts its coordinator roles, which adopt the stored open orders.',
    '',
    table(
      ['killed', 'survivor', 'leads and coordinates', 'standby’s POST /orders (empty body)'],
      trials.map((t) => [t.killed, t.survivor, `${fmt(t.leaseMs)} ms`, t.ordersStatus]),
    ),
  ].join('\n');
  result = {
    name: 'scaleout',
    title: 'Two nodes behind one market',
    rows,
    markdown,
    details: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, seedMs: round(seedMs), runs, trials },
  };
} finally {
  await cluster.stop();
  await admin.end();
  await database.drop().catch(() => {});
  // A stream left behind (NATS gone) is harmless.
  await deleteBusStream(prefix).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
emit({ ...result, durationMs: since(started) });
process.exit(0);
