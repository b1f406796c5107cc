/**
 * Real node processes: `souk start` as a child process on free ports with its own data directory, SIGKILL-able,
 * with the helpers to wait for it, sign in to it and stop it. The crash tests use {@link spawnNode} (each test file
 * calls {@link cleanUpProcesses} in its `after` hook); the cluster test and the scale-out bench use
 * {@link startNodeCluster}: nodes that join one external chain, database and bus.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Devnet, startDevnet } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import type { SoukClient } from '@souk/sdk';
import type { LocalAccount } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import { TEST_NATS_URL } from '../testing/services.ts';

const BIN = path.resolve(import.meta.dirname, '../../../cli/src/bin.ts');

/** A running `souk start` child. */
export type NodeProcess = {
  child: ChildProcess;
  url: string;
  devnetPort: number;
  anvilPid: number;
  output: () => string;
};

/** Data directories to delete after the tests. */
export const dirs: string[] = [];
const children: ChildProcess[] = [];

/** Kills every child still running and deletes the data directories (call it from `after`). */
export function cleanUpProcesses(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

/** The environment of a node child: no external services, so it runs on its own data directory only. */
function nodeEnv(sampleModel: boolean, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RATE_LIMIT_PER_MINUTE: '100000',
    SOUK_SAMPLE_MODEL: sampleModel ? '1' : '0',
    SOUK_CATALOGUE: 'ocr',
    ...extra,
  };
  for (const key of ['DATABASE_URL', 'KUBO_API_URL', 'NATS_URL', 'RPC_URL', 'SOUK_DEPLOYMENTS', 'PORT', 'HOST']) {
    delete env[key];
  }
  return env;
}

/** Runs `souk start` and returns its handle once it has printed its URLs; rejects with its output if it exits. */
export function spawnNode(
  dataDir: string,
  devnetPort: number,
  port: number,
  {
    providers = 0,
    sampleModel = false,
    env = {},
  }: { providers?: number; sampleModel?: boolean /** Extra environment of the child. */; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; ready: Promise<NodeProcess> } {
  const args = ['start', '--data-dir', dataDir, '--port', String(port), '--devnet-port', String(devnetPort)];
  const child = spawn(process.execPath, [BIN, ...args, '--providers', String(providers)], {
    env: nodeEnv(sampleModel, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const ready = new Promise<NodeProcess>((resolve, reject) => {
    const onData = () => {
      const match = /API\s+(http:\/\/\S+)\/api\/v1/.exec(output);
      if (!match || !/Ctrl-C stops the node/.test(output)) return;
      child.stdout?.off('data', onData);
      const anvilPid = descendantPid(child.pid as number, 'anvil');
      if (!anvilPid) reject(new Error(`no anvil process under node ${child.pid}`));
      else resolve({ child, url: match[1], devnetPort, anvilPid, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new Error(`node exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
  ready.catch(() => {});
  return { child, ready };
}

/** Pid of the first descendant of `root` whose command name contains `name` (`ps`, Linux and macOS). */
export function descendantPid(root: number, name: string): number | undefined {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/, 3))
    .map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm: comm ?? '' }));
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift() as number;
    for (const row of rows.filter((r) => r.ppid === parent)) {
      if (row.comm.includes(name)) return row.pid;
      queue.push(row.pid);
    }
  }
  return undefined;
}

/** Whether a process with this pid exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export async function waitUntil<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

/** SIWE sign-in (with the `scheme` the message may carry), setting the client's access token. */
export async function signIn(client: SoukClient, account: LocalAccount): Promise<void> {
  const challenge = await client.json<{ nonce: string; domain: string; uri: string; chainId: number }>(
    '/api/v1/auth/nonce',
    { method: 'POST' },
  );
  const message = createSiweMessage({
    ...challenge,
    scheme: new URL(challenge.uri).protocol.slice(0, -1),
    address: account.address,
    version: '1',
    issuedAt: new Date(),
  });
  const signature = await account.signMessage({ message });
  const tokens = await client.json<{ accessToken: string }>('/api/v1/auth/login', {
    method: 'POST',
    body: { message, signature },
  });
  client.accessToken = tokens.accessToken;
}

export async function gracefulStop(node: NodeProcess) {
  node.child.kill('SIGTERM');
  await exited(node.child);
  assert.ok(await waitUntil(() => !alive(node.anvilPid), 10_000));
}

/**
 * Polls `check` every `everyMs` until it returns a value other than undefined or false; a probe that throws counts
 * as not yet (a node still starting refuses connections).
 * @param what What is awaited, for the timeout's message.
 * @param timeoutMs How long to wait, in milliseconds. @default 30000
 * @param everyMs The poll interval, in milliseconds. @default 100
 * @returns The first value `check` returned.
 * @throws Error `timed out waiting for <what>` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One `souk start` child of a {@link nodeCluster}. */
export type ClusterNode = {
  /** Its name in the cluster (its data directory is `<dir>/<name>`). */
  name: string;
  /** Its base URL, `http://127.0.0.1:<port>`. */
  url: string;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  /** Settles with its exit code (or null after a signal) once it has exited. */
  exited: Promise<unknown>;
};

/** What the nodes of a {@link startNodeCluster} share. */
export type NodeClusterParameters = {
  /**
   * The directory of the devnet's state (`<dir>/chain`) and of each node's data directory (`<dir>/<name>`).
   */
  dir: string;
  /** The shared PostgreSQL database (`DATABASE_URL`). */
  databaseUrl: string;
  /** The shared bus prefix (`SOUK_BUS_PREFIX`). */
  busPrefix: string;
  /** The shared NATS JetStream server (`NATS_URL`). @default TEST_NATS_URL */
  natsUrl?: string | undefined;
  /** More environment of every node (over this process's and the shared settings). @default {} */
  env?: NodeJS.ProcessEnv | undefined;
  /** How long a node may take to answer `/health`, in milliseconds. @default 60000 */
  readyTimeoutMs?: number | undefined;
};

/** Nodes on one market: started by name, killed, asked about the leader lease. */
export type NodeCluster = {
  /** The chain the nodes join (dev account 0 is their operator). */
  devnet: Devnet;
  /** The nodes started and not killed, by name. */
  nodes: Map<string, ClusterNode>;
  /**
   * Starts `souk start --quiet` on 127.0.0.1 (a free port, the same one again when `name` is restarted) joining the
   * chain, database and bus, with `SOUK_CONFIRMATIONS=0`, no sample model and a JWT secret shared by all nodes.
   * @returns The node, once `/health` answers.
   * @throws Error naming the node with its output, when it exits or does not answer within `readyTimeoutMs`.
   */
  start: (name: string) => Promise<ClusterNode>;
  /** SIGKILLs the node, waits for its exit and forgets it. */
  kill: (node: ClusterNode) => Promise<void>;
  /**
   * Whether the node reports holding the leader lease (`souk_leader 1` on `/metrics`).
   * @throws Error when its metrics have no `souk_leader`.
   */
  isLeader: (node: ClusterNode) => Promise<boolean>;
  /** SIGKILLs every node still running, waits for their exits, and stops the devnet. */
  stop: () => Promise<void>;
};

/** The JWT secret every node of a {@link startNodeCluster} signs with, so a token of one is good on all. */
export const CLUSTER_JWT_SECRET = 'a shared secret of at least thirty-two bytes';

/**
 * Starts an embedded devnet (anvil, Souk deployed; state under `<dir>/chain`) for node processes that join it as an
 * external chain (`--rpc-url` + `--deployments`: none starts a devnet of its own), sharing one PostgreSQL database
 * and one NATS JetStream bus prefix, on different loopback ports. No node runs until `start`.
 * @throws {AnvilStartError} When anvil cannot start.
 * @example
 * ```ts
 * const cluster = await startNodeCluster({ dir, databaseUrl, busPrefix: 'cluster1' })
 * const [a, b] = await Promise.all([cluster.start('a'), cluster.start('b')])
 * await cluster.stop()
 * ```
 */
export async function startNodeCluster({
  dir,
  databaseUrl,
  busPrefix,
  natsUrl = TEST_NATS_URL,
  env = {},
  readyTimeoutMs = 60_000,
}: NodeClusterParameters): Promise<NodeCluster> {
  // The devnet writes the deployments file a joining node reads (`<dataDir>/deployments/<chainId>.json`).
  const devnet = await startDevnet({ dataDir: path.join(dir, 'chain'), port: await freePort() });
  const rpcUrl = devnet.anvil.rpcUrl;
  const deployments = path.join(dir, 'chain', 'deployments', `${devnet.deployment.chainId}.json`);
  const operatorKey = devnet.accounts[0].privateKey;
  const nodes = new Map<string, ClusterNode>();
  const ports = new Map<string, number>();
  const start = async (name: string): Promise<ClusterNode> => {
    const port = ports.get(name) ?? (await freePort());
    ports.set(name, port);
    const args = ['start', '--host', '127.0.0.1', '--port', String(port), '--data-dir', path.join(dir, name)];
    const child = spawn(
      process.execPath,
      [BIN, ...args, '--rpc-url', rpcUrl, '--deployments', deployments, '--quiet'],
      {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          NATS_URL: natsUrl,
          SOUK_BUS_PREFIX: busPrefix,
          SOUK_OPERATOR_KEY: operatorKey,
          JWT_SECRET: CLUSTER_JWT_SECRET,
          SOUK_CONFIRMATIONS: '0',
          SOUK_SAMPLE_MODEL: '0',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const node: ClusterNode = { name, url: `http://127.0.0.1:${port}`, child, output: () => output, exited };
    nodes.set(name, node);
    const up = await Promise.race([
      waitFor(`${name} to answer /health`, async () => (await fetch(`${node.url}/health`)).ok, readyTimeoutMs),
      exited.then((code) => new Error(`${name} exited (${code})`)),
    ]).catch((error: Error) => error);
    if (up instanceof Error) throw new Error(`${up.message}:\n${output}`);
    return node;
  };
  const kill = async (node: ClusterNode) => {
    node.child.kill('SIGKILL');
    await node.exited;
    if (nodes.get(node.name) === node) nodes.delete(node.name);
  };
  const isLeader = async (node: ClusterNode) => {
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    const match = /^souk_leader (\d)$/m.exec(metrics);
    if (!match) throw new Error(`${node.name} exports no souk_leader`);
    return match[1] === '1';
  };
  const stop = async () => {
    for (const node of [...nodes.values()]) await kill(node);
    await devnet.anvil.stop();
  };
  return { devnet, nodes, start, kill, isLeader, stop };
}
