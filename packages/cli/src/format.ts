/**
 * Output helpers: aligned tables, amounts with their unit, byte sizes, a progress bar, and JSON that carries
 * bigints as decimal strings.
 */
import { formatUnits } from 'viem';

/**
 * Left-aligned columns separated by two spaces, with a header row.
 * @example
 * ```ts
 * table(['ID', 'NAME'], [['1', 'ocr']]) // 'ID  NAME\n1   ocr'
 * ```
 */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => (cell ?? '').padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A token the CLI knows how to show. */
export type Token = {
  /** `ETH`, `SOUK`, `mUSD`, or a shortened address for an unknown ERC-20. */
  symbol: string;
  /** Decimals; `undefined` for an unknown token (amounts are then shown in base units). */
  decimals: number | undefined;
};

/**
 * An amount with its unit: `1.5 ETH`, `12 mUSD`, or `1000 wei of 0x1234…abcd` for a token of unknown decimals.
 * @param amount Base units (wei) of `token`.
 */
export function formatAmount(amount: bigint | string, token: Token): string {
  const value = BigInt(amount);
  if (token.decimals === undefined) return `${value} wei of ${token.symbol}`;
  return `${formatUnits(value, token.decimals)} ${token.symbol}`;
}

/** `512 B`, `1.5 KiB`, `3.2 MiB`… */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * `[##########----------]  50%  1.0 MiB / 2.0 MiB`
 * @param done Bytes sent so far.
 * @param total Bytes in all.
 * @param width Characters inside the brackets. @default 30
 */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${formatBytes(done)} / ${formatBytes(total)}`;
}

/** JSON with bigints as decimal strings, indented for reading (still one document for `jq`). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** `3d 4h`, `45m`, `perpetual` for 0 or none. @param seconds A duration in seconds. */
export function formatDuration(seconds: number | bigint | string | null | undefined): string {
  const total = Number(seconds ?? 0);
  if (!total) return 'perpetual';
  const parts: string[] = [];
  let rest = total;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}
