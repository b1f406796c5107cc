/**
 * Command-line parsing shared by the commands: `node:util` `parseArgs` in strict mode, the options every command
 * takes (`--node`, `--json`), and the value parsers for amounts, royalties and durations. Mistakes throw
 * {@link UsageError} (exit code 2).
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { parseUnits } from 'viem';
import { UsageError } from './errors.ts';

/** The node URL when neither `--node` nor `SOUK_NODE_URL` is given. */
export const DEFAULT_NODE_URL = 'http://127.0.0.1:8080';

/** Options of every command that talks to a node. */
export const nodeOptions = {
  node: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig;

/** Help lines of {@link nodeOptions}. */
export const nodeHelp = `  --node <url>          Souk node (env SOUK_NODE_URL)  [default: ${DEFAULT_NODE_URL}]
  --json                Print machine-readable JSON on stdout (messages go to stderr)
  -h, --help            Show this help`;

/**
 * Parses `argv` strictly against `options`.
 * @param positionals How many positional arguments the command takes; `required` of them must be present.
 * @throws {UsageError} on an unknown flag, a missing value, or a wrong number of positionals.
 */
export function parse<const O extends ParseArgsOptionsConfig>(
  argv: string[],
  options: O,
  { positionals = 0, required = 0, names = [] }: { positionals?: number; required?: number; names?: string[] } = {},
) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[positionals]}".`);
  }
  if (parsed.positionals.length < required) {
    throw new UsageError(`Missing ${names[parsed.positionals.length] ?? 'argument'}.`);
  }
  return parsed;
}

/** The node URL: `--node`, else `SOUK_NODE_URL`, else {@link DEFAULT_NODE_URL}. */
export function nodeUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = flag ?? env.SOUK_NODE_URL ?? DEFAULT_NODE_URL;
  if (!URL.canParse(url)) throw new UsageError(`--node: "${url}" is not a URL.`);
  return url;
}

/**
 * A royalty in basis points, from `5%`, `2.5%` or `500bps`.
 * @param options.flag - The flag, for messages. @default '--royalty'
 * @param options.maxBps - The cap. @default 1000 (10 %, the AgentNFT cap)
 * @throws {UsageError} on another shape or above the cap.
 */
export function parseRoyalty(
  text: string,
  { flag = '--royalty', maxBps = 1000 }: { flag?: string; maxBps?: number } = {},
): number {
  const percent = /^(\d+(?:\.\d{1,2})?)\s*%$/.exec(text);
  const bps = /^(\d+)\s*bps$/i.exec(text);
  if (!percent && !bps) throw new UsageError(`${flag}: "${text}" is not a royalty; write 5% or 500bps.`);
  const value = percent ? Math.round(Number(percent[1]) * 100) : Number(bps?.[1]);
  if (value > maxBps) throw new UsageError(`${flag}: ${text} is above the ${maxBps / 100}% (${maxBps}bps) cap.`);
  return value;
}

const durationUnits: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * A duration in seconds, from `3600`, `90s`, `45m`, `12h`, `30d` or `2w`.
 * @throws {UsageError} on another shape or zero.
 */
export function parseDuration(text: string, flag = '--licence-duration'): number {
  const match = /^(\d+)\s*([smhdw]?)$/.exec(text);
  if (!match) throw new UsageError(`${flag}: "${text}" is not a duration; write seconds or e.g. 30d, 12h, 45m.`);
  const seconds = Number(match[1]) * durationUnits[match[2] || 's'];
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new UsageError(`${flag}: ${text} must be positive.`);
  return seconds;
}

/**
 * An amount in base units (wei) from `0.5` (whole units of a token with `decimals`) or `1000wei` (base units).
 * @param decimals The token's decimals; `undefined` accepts only `…wei`.
 * @throws {UsageError} on another shape, or more fractional digits than the token has.
 */
export function parseAmount(text: string, decimals: number | undefined, flag = '--price'): bigint {
  const wei = /^(\d+)\s*wei$/i.exec(text);
  if (wei) return BigInt(wei[1]);
  if (!/^\d+(\.\d+)?$/.test(text))
    throw new UsageError(`${flag}: "${text}" is not an amount; write e.g. 0.5 or 1000wei.`);
  if (decimals === undefined)
    throw new UsageError(`${flag}: the token's decimals are unknown; give the amount in wei.`);
  const fraction = text.split('.')[1] ?? '';
  if (fraction.length > decimals) throw new UsageError(`${flag}: ${text} has more than ${decimals} decimals.`);
  return parseUnits(text, decimals);
}

/** A non-negative integer id (asset, job), from a positional argument. @throws {UsageError} */
export function parseId(text: string, what: string): bigint {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a non-negative integer, not "${text}".`);
  return BigInt(text);
}

/**
 * Reads `--redundancy`: how many providers must agree.
 * @param text - The flag's value; absent: 2.
 * @returns An integer in 1..5.
 * @throws {UsageError} For anything else.
 */
export function parseRedundancy(text: string | undefined): number {
  const redundancy = Number(text ?? 2);
  if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > 5) {
    throw new UsageError(`--redundancy: "${text}" is not an integer in 1..5.`);
  }
  return redundancy;
}

/**
 * Reads `--deadline`: seconds until an order's (or job's) deadline.
 * @param text - The flag's value.
 * @param fallback - Seconds when the flag is absent.
 * @returns An integer ≥ 30.
 * @throws {UsageError} For anything else.
 */
export function parseDeadline(text: string | undefined, fallback: number): number {
  const seconds = Number(text ?? fallback);
  if (!Number.isInteger(seconds) || seconds < 30) {
    throw new UsageError(`--deadline: "${text}" is not a number of seconds ≥ 30.`);
  }
  return seconds;
}
