/**
 * Starts and stops an anvil devnet from the `@foundry-rs/anvil` npm package (no separate Foundry install).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** anvil's default mnemonic: its 10 dev accounts are funded with 10,000 ETH each. Devnet only. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export type StartAnvilParameters = {
  /** TCP port on 127.0.0.1. @default 8545 */
  port?: number | undefined;
  /** Chain id. @default 31337 */
  chainId?: number | undefined;
  /** File the chain state is loaded from at start (when it exists) and saved to on exit and every `stateInterval` seconds. */
  stateFile?: string | undefined;
  /** Seconds between state dumps while running (with `stateFile`). @default 30 */
  stateInterval?: number | undefined;
  /** Seconds between blocks; omitted = a block per transaction (automine). */
  blockTime?: number | undefined;
  /** How long to wait for the RPC to answer, in milliseconds. @default 20000 */
  timeoutMs?: number | undefined;
  /** Called with each line anvil prints (for logs). */
  onOutput?: ((line: string) => void) | undefined;
};

export type Anvil = {
  /** HTTP JSON-RPC URL. */
  rpcUrl: string;
  /** The child process. */
  process: ChildProcess;
  /** Stops anvil with SIGINT (it saves `stateFile` first) and waits for it to exit. */
  stop: () => Promise<void>;
};

/** Error thrown when anvil cannot be started or does not answer in time. */
export class AnvilStartError extends Error {
  override name = 'AnvilStartError' as const;
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

/**
 * Starts anvil on 127.0.0.1 and resolves once its JSON-RPC answers.
 *
 * @example
 * ```ts
 * import { startAnvil } from '@souk/contracts'
 * const anvil = await startAnvil({ port: 8545, stateFile: '.souk/anvil-state.json' })
 * // … use anvil.rpcUrl …
 * await anvil.stop()
 * ```
 * @throws {AnvilStartError} when anvil exits early or its RPC does not answer within `timeoutMs`.
 */
export async function startAnvil({
  port = 8545,
  chainId = 31337,
  stateFile,
  stateInterval = 30,
  blockTime,
  timeoutMs = 20_000,
  onOutput,
}: StartAnvilParameters = {}): Promise<Anvil> {
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
  if (stateFile) args.push('--state', stateFile, '--state-interval', String(stateInterval));
  if (blockTime !== undefined) args.push('--block-time', String(blockTime));
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    if (onOutput) for (const line of text.split('\n')) if (line.trim()) onOutput(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const rpcUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };

  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new AnvilStartError(`anvil exited with code ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (res.ok) return { rpcUrl, process: child, stop };
    } catch {}
    await sleep(100);
  }
  await stop();
  throw new AnvilStartError(`anvil did not answer on ${rpcUrl} within ${timeoutMs} ms:\n${output}`);
}
