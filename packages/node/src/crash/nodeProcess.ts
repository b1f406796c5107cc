/**
 * Real node processes for the crash tests: `souk start` as a child process on free ports with its own data
 * directory, SIGKILL-able, with the helpers to wait for it, sign in to it and stop it. Each test file calls
 * {@link cleanUpProcesses} in its `after` hook.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SoukClient } from '@souk/sdk';
import type { LocalAccount } from 'viem';
import { createSiweMessage } from 'viem/siwe';

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
