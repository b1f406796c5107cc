/**
 * Starts and stops an anvil devnet from the `@foundry-rs/anvil` npm package (no separate Foundry install).
 *
 * Crash safety:
 * - **Durable state.** anvil keeps the chain in memory. With `stateFile`, the state is loaded at start
 *   (`anvil_loadState`) and every save goes through {@link Anvil.persist}: `anvil_dumpState` (gzip-compressed
 *   JSON: blocks, transactions, receipts, accounts), written to a temporary file, fsynced and renamed over
 *   `stateFile` (then the directory is fsynced), so a crash at any moment leaves either the previous or the new
 *   complete state, never a torn file. anvil's own `--state`/`--state-interval` dumps are not used: they write in
 *   place.
 * - **No orphans.** anvil dies with the process that started it: on Linux through `setpriv --pdeathsig KILL`
 *   (the kernel kills it when its parent dies, even by SIGKILL; the parent is the spawning thread, so start anvil
 *   from the main thread, not from a worker that may exit first), elsewhere through a `/bin/sh` watchdog that
 *   kills anvil when the pipe from the parent closes.
 * - **No foreign chain.** The port is probed before spawning; a port that already answers is refused with
 *   {@link AnvilPortInUseError} instead of "resuming" onto a process this call did not start, and readiness is
 *   anvil's own `Listening on` line, not an RPC answer that another process could give.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** anvil's default mnemonic: its 10 dev accounts are funded with 10,000 ETH each. Devnet only. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** How anvil is tied to the life of this process (see the module comment). */
export type DeathGuard = 'pdeathsig' | 'watchdog';

export type StartAnvilParameters = {
  /** TCP port on 127.0.0.1. @default 8545 */
  port?: number | undefined;
  /** Chain id. @default 31337 */
  chainId?: number | undefined;
  /**
   * File the chain state is loaded from at start (when it exists) and saved to, atomically, by
   * {@link Anvil.persist}: on demand, every `stateInterval` seconds when new blocks exist, and on `stop()`. The
   * file holds `anvil_dumpState`'s gzip-compressed JSON; a plain JSON state (anvil's `--dump-state`) also loads.
   */
  stateFile?: string | undefined;
  /** Seconds between background saves of new blocks (with `stateFile`). @default 5 */
  stateInterval?: number | undefined;
  /** Seconds between blocks; omitted = a block per transaction (automine). */
  blockTime?: number | undefined;
  /** How long to wait for the RPC to answer, in milliseconds. @default 20000 */
  timeoutMs?: number | undefined;
  /**
   * How anvil dies with this process. @default 'pdeathsig' when `setpriv` (util-linux) is installed on Linux,
   * else 'watchdog'.
   */
  deathGuard?: DeathGuard | undefined;
  /** Called with each line anvil prints (for logs). */
  onOutput?: ((line: string) => void) | undefined;
};

/** One completed save of the chain state. */
export type PersistResult = {
  /** Every block up to this number is in the saved state. */
  blockNumber: bigint;
  /** Size of the state file (gzip-compressed), bytes. */
  bytes: number;
  /** Time of the `anvil_dumpState` call, ms. */
  dumpMs: number;
  /** Time to decompress, write, fsync and rename, ms. */
  writeMs: number;
};

export type Anvil = {
  /** HTTP JSON-RPC URL. */
  rpcUrl: string;
  /** The child process (anvil itself with `pdeathsig`, its `/bin/sh` watchdog otherwise). */
  process: ChildProcess;
  /** Process id of anvil itself. */
  pid: number;
  /** How anvil is tied to this process. */
  deathGuard: DeathGuard;
  /** The state file, when the state is kept. */
  stateFile: string | undefined;
  /**
   * Resolves once a saved state that contains block `atLeast` (default: the current head) is on disk. Concurrent
   * callers share saves (group commit): a save already running that started at or after `atLeast` is awaited,
   * otherwise one more save follows it. Without `stateFile` it resolves at once with `bytes: 0`.
   * @throws {AnvilStateError} when the dump or the write fails.
   */
  persist: (atLeast?: bigint) => Promise<PersistResult>;
  /** Highest block known to be in the state file (-1 when none). */
  durableBlock: () => bigint;
  /** Saves the state (with `stateFile`), stops anvil with SIGINT and waits for it to exit. */
  stop: () => Promise<void>;
};

/** Error thrown when anvil cannot be started or does not answer in time. */
export class AnvilStartError extends Error {
  override name: string = 'AnvilStartError';
}

/** Error thrown when the devnet port is already held by a process this call did not start. */
export class AnvilPortInUseError extends AnvilStartError {
  override name = 'AnvilPortInUseError' as const;
  /** The TCP port. */
  readonly port: number;
  constructor(port: number, detail: string) {
    super(
      `Port ${port} (devnet RPC) is already in use by another process${detail}. Souk does not resume onto a chain ` +
        'it did not start: stop that process, or choose another devnet port (--devnet-port / SOUK_RPC_PORT).',
    );
    this.port = port;
  }
}

/** Error thrown when the chain state cannot be saved. */
export class AnvilStateError extends Error {
  override name = 'AnvilStateError' as const;
}

/**
 * Absolute path of the anvil binary shipped in the platform package of `@foundry-rs/anvil`.
 * @throws {AnvilStartError} when no binary for this platform is installed.
 */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
    const bin = path.join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
    if (existsSync(bin)) return bin;
  } catch {}
  throw new AnvilStartError(`No anvil binary for ${process.platform}-${process.arch}: is ${pkg} installed?`);
}

/** `setpriv` from util-linux, when installed (Linux). */
function setprivBinary(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/bin'])) {
    const bin = path.join(dir, 'setpriv');
    if (dir && existsSync(bin)) return bin;
  }
  return undefined;
}

/**
 * `/bin/sh` watchdog: starts anvil (`$0 "$@"`) in the background, prints its pid, kills it when stdin (a pipe from
 * the parent) reaches end of file — the parent exited, however it died — forwards SIGINT/SIGTERM, and exits with
 * anvil's status.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$0" "$@" </dev/null 3<&- &',
  'pid=$!',
  'echo "souk-anvil-pid $pid"',
  '(cat <&3 >/dev/null; kill -KILL "$pid" 2>/dev/null) &',
  'exec 3<&-',
  'trap \'kill -INT "$pid" 2>/dev/null\' INT TERM',
  'while :; do wait "$pid"; status=$?; kill -0 "$pid" 2>/dev/null || break; done',
  'exit "$status"',
].join('\n');

/** A JSON-RPC call to anvil. */
async function rpc<T>(url: string, method: string, params: unknown[] = [], timeoutMs = 30_000): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`, and what it says to `eth_chainId`. */
async function probePort(port: number): Promise<string | undefined> {
  const open = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true); // accepted but silent: still taken
    });
    socket.once('error', () => resolve(false));
  });
  if (!open) return undefined;
  try {
    const chainId = await rpc<string>(`http://127.0.0.1:${port}`, 'eth_chainId', [], 2000);
    return ` (it answers JSON-RPC, chain id ${Number(chainId)})`;
  } catch {
    return '';
  }
}

/** Writes `data` to `file` atomically and durably: temp file in the same directory, fsync, rename, fsync dir. */
async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } catch {
    // some platforms cannot fsync a directory; the rename is still atomic
  } finally {
    await dir.close();
  }
}

/**
 * Starts anvil on 127.0.0.1 and resolves once it listens and its JSON-RPC answers.
 *
 * @example
 * ```ts
 * import { startAnvil } from '@souk/contracts'
 * const anvil = await startAnvil({ port: 8545, stateFile: '.souk/chain/anvil-state.json.gz' })
 * // … send a transaction, wait for its receipt …
 * await anvil.persist(receipt.blockNumber) // now it survives a crash
 * await anvil.stop()
 * ```
 * @throws {AnvilPortInUseError} when something already listens on `port`.
 * @throws {AnvilStartError} when anvil exits early or does not answer within `timeoutMs`.
 */
export async function startAnvil({
  port = 8545,
  chainId = 31337,
  stateFile,
  stateInterval = 5,
  blockTime,
  timeoutMs = 20_000,
  deathGuard = setprivBinary() ? 'pdeathsig' : 'watchdog',
  onOutput,
}: StartAnvilParameters = {}): Promise<Anvil> {
  // A process killed a moment ago may still hold the port while its threads exit: look again for up to 2 s.
  let foreign = await probePort(port);
  for (let tries = 0; foreign !== undefined && tries < 20; tries++) {
    await sleep(100);
    foreign = await probePort(port);
  }
  if (foreign !== undefined) throw new AnvilPortInUseError(port, foreign);

  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--chain-id',
    String(chainId),
    '--mnemonic',
    DEV_MNEMONIC,
  ];
  if (stateFile) mkdirSync(path.dirname(stateFile), { recursive: true });
  // A saved state is anvil_dumpState's gzip, loaded with anvil_loadState once anvil listens; a plain JSON state
  // (anvil's own `--dump-state` format, earlier Souk versions) is loaded with `--load-state`.
  let savedState: Buffer | undefined;
  if (stateFile && existsSync(stateFile) && statSync(stateFile).size > 0) {
    const saved = await readFile(stateFile);
    if (saved[0] === 0x1f && saved[1] === 0x8b) savedState = saved;
    else args.push('--load-state', stateFile);
  }
  const loadsState = savedState !== undefined || args.includes('--load-state');
  if (blockTime !== undefined) args.push('--block-time', String(blockTime));
  let child: ChildProcess;
  if (deathGuard === 'pdeathsig') {
    const setpriv = setprivBinary();
    if (!setpriv) throw new AnvilStartError('deathGuard "pdeathsig" needs setpriv (util-linux) on Linux');
    child = spawn(setpriv, ['--pdeathsig', 'KILL', '--', anvilBinary(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    child = spawn('/bin/sh', ['-c', WATCHDOG, anvilBinary(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  }
  let output = '';
  let early = ''; // the first lines, where the pid and `Listening on` are printed (chunks may split them)
  let listening = false;
  let pid = deathGuard === 'pdeathsig' ? child.pid : undefined;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    if (early.length < 65_536) {
      early += text;
      pid ??= Number(/^souk-anvil-pid (\d+)$/m.exec(early)?.[1]) || undefined;
      listening ||= early.includes(`Listening on 127.0.0.1:${port}\n`);
    }
    if (onOutput)
      for (const line of text.split('\n')) if (line.trim() && !line.startsWith('souk-anvil-pid')) onOutput(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.stdin?.on('error', () => {}); // EPIPE once the watchdog is gone
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      if (timer) clearInterval(timer);
      child.stdin?.destroy(); // ends the watchdog's pipe reader
      resolve();
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const rpcUrl = `http://127.0.0.1:${port}`;

  // Saves run one at a time. A caller joins the running save when it started at or after the caller's block, else
  // the one queued save (group commit): a queued save reads the head when it starts, so it covers every caller.
  let durable = -1n;
  let durableHash: string | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  let queued: Promise<PersistResult> | undefined;
  type Save = { from: Promise<bigint>; done: Promise<PersistResult> };
  let current: Save | undefined;
  const save = async (state: Save, headRead: { resolve: (from: bigint) => void }): Promise<PersistResult> => {
    try {
      const head = await rpc<{ number: string; hash: string }>(rpcUrl, 'eth_getBlockByNumber', ['latest', false]);
      const from = BigInt(head.number);
      headRead.resolve(from);
      const t0 = performance.now();
      const dump = Buffer.from((await rpc<string>(rpcUrl, 'anvil_dumpState')).slice(2), 'hex'); // gzip'd JSON
      const t1 = performance.now();
      await writeFileAtomic(stateFile as string, dump);
      // Saves are serialized, so the last one to finish is what the file holds (lower after a rewind).
      durable = from;
      durableHash = head.hash;
      return { blockNumber: from, bytes: dump.byteLength, dumpMs: t1 - t0, writeMs: performance.now() - t1 };
    } catch (error) {
      headRead.resolve(-1n);
      throw new AnvilStateError(`could not save the chain state to ${stateFile}: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      if (current === state) current = undefined;
    }
  };
  const schedule = (): Promise<PersistResult> => {
    if (!queued) {
      const done: Promise<PersistResult> = tail
        .catch(() => undefined)
        .then(() => {
          queued = undefined;
          const headRead = { resolve: (_from: bigint) => {} };
          const from = new Promise<bigint>((resolve) => {
            headRead.resolve = resolve;
          });
          const state: Save = { from, done };
          current = state;
          return save(state, headRead);
        });
      queued = done;
      tail = done;
    }
    return queued;
  };
  /** Whether the last save's head is still on the chain (not rewound by evm_revert / anvil_reset). */
  const durableIsCanonical = async () => {
    if (durableHash === undefined) return false;
    const at = `0x${durable.toString(16)}`;
    const block = await rpc<{ hash: string } | null>(rpcUrl, 'eth_getBlockByNumber', [at, false]);
    return block?.hash === durableHash;
  };
  const persist = async (atLeast?: bigint): Promise<PersistResult> => {
    if (!stateFile) return { blockNumber: durable, bytes: 0, dumpMs: 0, writeMs: 0 };
    const target = atLeast ?? BigInt(await rpc<string>(rpcUrl, 'eth_blockNumber'));
    if (durable >= target && (await durableIsCanonical())) {
      return { blockNumber: durable, bytes: 0, dumpMs: 0, writeMs: 0 };
    }
    // Join the running save when its head (read as it starts) already includes the target block.
    const running = current;
    if (running && (await running.from) >= target) return running.done;
    return schedule();
  };

  const stop = async () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (alive()) {
      if (stateFile && listening) {
        try {
          await persist();
        } catch (error) {
          onOutput?.(`${(error as Error).message}`);
        }
      }
      child.kill('SIGINT');
      const killer = setTimeout(() => {
        child.kill('SIGKILL');
        try {
          if (pid && pid !== child.pid) process.kill(pid, 'SIGKILL');
        } catch {}
      }, 10_000);
      await exited;
      clearTimeout(killer);
    }
    child.stdin?.destroy(); // ends the watchdog's pipe
  };

  const started = Date.now();
  let answered = false;
  while (!answered && Date.now() - started < timeoutMs) {
    if (!alive()) throw new AnvilStartError(`anvil exited with code ${child.exitCode}:\n${output}`);
    if (listening && pid !== undefined)
      answered = await rpc(rpcUrl, 'eth_chainId', [], 2000).then(
        () => true,
        () => false,
      );
    if (!answered) await sleep(50);
  }
  if (!answered) {
    await stop();
    throw new AnvilStartError(`anvil did not answer on ${rpcUrl} within ${timeoutMs} ms:\n${output}`);
  }
  try {
    if (savedState) await rpc(rpcUrl, 'anvil_loadState', [`0x${savedState.toString('hex')}`], 120_000);
    const head = await rpc<{ number: string; hash: string }>(rpcUrl, 'eth_getBlockByNumber', ['latest', false]);
    if (loadsState) {
      durable = BigInt(head.number);
      durableHash = head.hash;
    }
  } catch (error) {
    listening = false; // do not save over the file that failed to load
    await stop();
    throw new AnvilStartError(`could not load the chain state from ${stateFile}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (stateFile && stateInterval > 0) {
    timer = setInterval(() => {
      if (current || queued) return;
      persist().catch((error) => onOutput?.((error as Error).message));
    }, stateInterval * 1000);
    timer.unref();
  }
  return {
    rpcUrl,
    process: child,
    pid: pid as number,
    deathGuard,
    stateFile,
    persist,
    durableBlock: () => durable,
    stop,
  };
}
