/**
 * Display helpers: amounts with their currency, addresses, durations, sizes and times.
 */
import type { GetNodeInfoReturnType } from '@souk/sdk';
import { formatUnits, zeroAddress } from 'viem';

/** A payment currency as shown to people. */
export type Currency = {
  /** `ETH`, `SOUK`, `mUSD`, or a short address for an unknown token. */
  symbol: string;
  /** Base-unit decimals; `undefined` for an unknown token (amounts are then shown in base units). */
  decimals: number | undefined;
  /** `0x000…0` for the native currency. */
  address: string;
};

/**
 * The currency at `address` on the node's chain: the native currency, SOUK, or the devnet's stablecoin (mUSD, 6
 * decimals, as the CLI reads it). Another token is shown by its address, in base units.
 */
export function currencyOf(info: Pick<GetNodeInfoReturnType, 'contracts' | 'stablecoin'>, address?: string | null) {
  const key = (address ?? zeroAddress).toLowerCase();
  if (key === zeroAddress) return { symbol: 'ETH', decimals: 18, address: zeroAddress } satisfies Currency;
  if (key === info.contracts.soukToken.toLowerCase()) return { symbol: 'SOUK', decimals: 18, address: key };
  if (info.stablecoin && key === info.stablecoin.toLowerCase()) return { symbol: 'mUSD', decimals: 6, address: key };
  return { symbol: shortAddress(key), decimals: undefined, address: key } satisfies Currency;
}

/** The currencies a price can be set in: ETH, SOUK and (devnet) mUSD. */
export function knownCurrencies(info: Pick<GetNodeInfoReturnType, 'contracts' | 'stablecoin'>): Currency[] {
  const list = [currencyOf(info, zeroAddress), currencyOf(info, info.contracts.soukToken)];
  if (info.stablecoin) list.push(currencyOf(info, info.stablecoin));
  return list;
}

/**
 * `1500000000000000000` wei of ETH → `1.5 ETH`. Unknown tokens show base units.
 * @param amount - Base units (wei), as a bigint or a decimal string.
 */
export function formatAmount(amount: bigint | string | number | null | undefined, currency: Currency): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const value = BigInt(amount);
  if (currency.decimals === undefined) return `${value} base units of ${currency.symbol}`;
  const text = formatUnits(value, currency.decimals);
  const [whole, fraction = ''] = text.split('.');
  const grouped = (whole ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fraction ? `${grouped}.${fraction.slice(0, 6)}` : grouped} ${currency.symbol}`;
}

/** `0xf39fd6e5…2266`. */
export function shortAddress(address: string | null | undefined): string {
  if (!address) return '—';
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** `0x292d96a5…141f` for a hash. */
export function shortHash(hash: string | null | undefined): string {
  if (!hash) return '—';
  return hash.length > 18 ? `${hash.slice(0, 10)}…${hash.slice(-4)}` : hash;
}

/** Seconds → `perpetual`, `45 s`, `90 min`, `12 h`, `30 days`. */
export function formatDuration(seconds: number | string | null | undefined): string {
  const s = Number(seconds ?? 0);
  if (!s) return 'perpetual';
  if (s < 120) return `${s} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86_400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** Bytes → `16.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** An ISO time → `3 min ago` (or a date when older than a week). */
export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 7 * 86_400) return `${Math.round(seconds / 86_400)} days ago`;
  return new Date(iso).toLocaleDateString();
}

/** Basis points → `5 %`. */
export function formatBps(bps: number): string {
  return `${(bps / 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} %`;
}
