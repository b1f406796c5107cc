/** Test fixtures: run the real `souk` bin as a child process, and poll the node's index. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./bin.ts', import.meta.url));

/** What a `souk` run printed and how it exited. */
export type SoukRun = { code: number | null; stdout: string; stderr: string };

/**
 * Runs `node src/bin.ts …args` with the Node that runs the tests (24, for type stripping). The child's environment
 * has no SOUK_* variables but those in `env`.
 * @param cwd The child's working directory. @default the test's
 */
export function souk(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<SoukRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOUK_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...base, ...env },
      stdio: 'pipe',
      ...(cwd ? { cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `souk` and parses its stdout as JSON, failing with its stderr when it did not exit 0. */
export async function soukJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const run = await souk([...args, '--json'], env);
  if (run.code !== 0) throw new Error(`souk ${args.join(' ')} exited ${run.code}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Polls `probe` until it returns a value (the indexer follows the chain by a poll interval). */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the index');
    await new Promise((r) => setTimeout(r, 200));
  }
}
