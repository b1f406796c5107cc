/**
 * What every command shares: the exit-code contract (0 ok, 1 failure, 2 usage error) with readable messages on
 * stderr, and printing a result as text or, with `--json`, as the only thing on stdout.
 */
import { formatError, UsageError } from './errors.ts';
import { toJson } from './format.ts';

/** A command as `bin.ts` registers it. */
export type Command = {
  /** One line for `souk --help`. */
  summary: string;
  /** The command's `--help`. */
  help: string;
  /** Runs the command; resolves to the exit code. */
  run: (argv: string[]) => Promise<number>;
};

/** Exit codes. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * Runs `body` and turns what it throws into an exit code and a message on stderr: {@link UsageError} → 2 (with a
 * pointer to `--help`), anything else → 1 (through `formatError`).
 * @example
 * ```ts
 * export const run = (argv: string[]) => guard('job', async () => { … })
 * ```
 */
export async function guard(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`souk ${name}: ${error.message}\nRun 'souk ${name} --help' for its options.`);
      return EXIT.usage;
    }
    console.error(`souk ${name}: ${formatError(error)}`);
    return EXIT.failure;
  }
}

/** Prints a result: `value` as JSON when `json`, else `text()`. Always on stdout. */
export function emit(json: boolean | undefined, value: unknown, text: () => string): void {
  process.stdout.write(`${json ? toJson(value) : text()}\n`);
}

/** A message for a person (progress, notes): on stderr, so that stdout stays parseable. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
