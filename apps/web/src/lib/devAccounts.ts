/**
 * The devnet's dev accounts, derived in the browser from anvil's public mnemonic (the same accounts `souk start`
 * funds and prints). The node holds their keys and submits their transactions, so no wallet is needed on the devnet.
 * Never use them anywhere else: the mnemonic is public.
 */
import { type HDAccount, mnemonicToAccount } from 'viem/accounts';

/** anvil's public test mnemonic. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** How many dev accounts the devnet funds. */
export const DEV_ACCOUNT_COUNT = 10;

/** What each dev account does on a node started by `souk start` (account 0 deploys and operates). */
export function devAccountRole(index: number): string {
  if (index === 0) return 'deployer and operator; created the sample OCR model';
  if (index >= 8) return 'local compute provider';
  return 'free to use';
}

const cache = new Map<number, HDAccount>();

/**
 * Dev account `index` (BIP-44 `m/44'/60'/0'/0/index`), derived once and cached.
 * @example
 * ```ts
 * import { devAccount } from './devAccounts.ts'
 * devAccount(1).address // 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
 * ```
 */
export function devAccount(index: number): HDAccount {
  let account = cache.get(index);
  if (!account) {
    account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
    cache.set(index, account);
  }
  return account;
}

/**
 * Derives the dev accounts one at a time without blocking the page (each derivation runs PBKDF2, ~0.1 s), calling
 * `onAccount` as each is ready. Cached accounts come back at once.
 * @returns A function that stops the derivation.
 */
export function deriveDevAccounts(onAccount: (index: number, account: HDAccount) => void): () => void {
  let stopped = false;
  let index = 0;
  const next = () => {
    while (!stopped && index < DEV_ACCOUNT_COUNT) {
      const cached = cache.has(index);
      onAccount(index, devAccount(index));
      index += 1;
      if (!cached) break;
    }
    if (!stopped && index < DEV_ACCOUNT_COUNT) setTimeout(next, 0);
  };
  setTimeout(next, 0);
  return () => {
    stopped = true;
  };
}
