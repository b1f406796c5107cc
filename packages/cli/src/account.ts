/**
 * Which account a command acts as: a private key (`--key`, `SOUK_PRIVATE_KEY`), an encrypted JSON keystore
 * (`--keystore`, `SOUK_KEYSTORE`, password in `SOUK_KEYSTORE_PASSWORD`), or on the devnet one of anvil's dev
 * accounts (`--account <index>`, default 1; account 0 deploys and operates the contracts).
 */
import { readFile } from 'node:fs/promises';
import type { ParseArgsOptionsConfig } from 'node:util';
import { type Hex, isHex, type LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { UsageError } from './errors.ts';

/** Dev accounts the devnet funds (anvil's default mnemonic, indexes 0..9). */
export const DEV_ACCOUNT_COUNT = 10;
/** The dev account used when nothing else is given: 1, so that the operator (0) stays apart. */
export const DEFAULT_DEV_ACCOUNT = 1;

/** Options of commands that act as an account. */
export const accountOptions = {
  key: { type: 'string' },
  keystore: { type: 'string' },
  account: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** Help lines of {@link accountOptions}. */
export const accountHelp = `  --key <hex>           Private key of the account (env SOUK_PRIVATE_KEY)
  --keystore <file>     Encrypted JSON keystore (version 3, scrypt or pbkdf2) (env SOUK_KEYSTORE);
                        its password comes from env SOUK_KEYSTORE_PASSWORD
  --account <index>     Devnet only: anvil dev account 0..9 when no key is given  [default: ${DEFAULT_DEV_ACCOUNT}]`;

/** Where the account came from. */
export type AccountSource = 'key' | 'keystore' | 'devnet';

export type ResolveAccountParameters = {
  /** `--key`, `--keystore`, `--account` as given. */
  flags: { key?: string | undefined; keystore?: string | undefined; account?: string | undefined };
  /** Environment (`SOUK_PRIVATE_KEY`, `SOUK_KEYSTORE`, `SOUK_KEYSTORE_PASSWORD`). @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
  /** Whether the node runs the embedded devnet; only asked when no key or keystore is given. */
  isDevnet: () => Promise<boolean>;
};
export type ResolvedAccount = {
  /** A local signer (SIWE sign-in, transactions the node returns unsigned). */
  account: LocalAccount;
  source: AccountSource;
  /** The dev account index, for `source: 'devnet'`. */
  devIndex?: number | undefined;
};

/**
 * Resolves the account. Flags win over the environment; at most one of `--key`, `--keystore`, `--account`.
 * @throws {UsageError} on conflicting flags, a malformed key or index, a dev account off the devnet, or no account.
 * @throws {Error} when the keystore cannot be read or decrypted.
 * @example
 * ```ts
 * const { account } = await resolveAccount({ flags: { account: '2' }, isDevnet: async () => true })
 * ```
 */
export async function resolveAccount({
  flags,
  env = process.env,
  isDevnet,
}: ResolveAccountParameters): Promise<ResolvedAccount> {
  const given = (['key', 'keystore', 'account'] as const).filter((f) => flags[f] !== undefined);
  if (given.length > 1) throw new UsageError(`Give only one of ${given.map((f) => `--${f}`).join(', ')}.`);
  if (flags.key !== undefined) return { account: keyAccount(flags.key, '--key'), source: 'key' };
  if (flags.keystore !== undefined) return { account: await keystoreAccount(flags.keystore, env), source: 'keystore' };
  if (flags.account === undefined) {
    if (env.SOUK_PRIVATE_KEY) return { account: keyAccount(env.SOUK_PRIVATE_KEY, 'SOUK_PRIVATE_KEY'), source: 'key' };
    if (env.SOUK_KEYSTORE) return { account: await keystoreAccount(env.SOUK_KEYSTORE, env), source: 'keystore' };
  }
  const index = flags.account === undefined ? DEFAULT_DEV_ACCOUNT : Number(flags.account);
  if (!/^\d+$/.test(flags.account ?? '0') || index >= DEV_ACCOUNT_COUNT) {
    throw new UsageError(`--account: "${flags.account}" is not a dev account index (0..${DEV_ACCOUNT_COUNT - 1}).`);
  }
  if (!(await isDevnet())) {
    throw new UsageError(
      flags.account === undefined
        ? 'No account: this node is not on the devnet, so give --key, --keystore, SOUK_PRIVATE_KEY or SOUK_KEYSTORE.'
        : '--account: dev accounts exist only on the devnet; give --key or --keystore.',
    );
  }
  const [dev] = await devAccountList(index + 1).then((all) => all.slice(index));
  return { account: dev.account, source: 'devnet', devIndex: index };
}

/** The first `count` dev accounts (anvil's default mnemonic; their keys are public: devnet only). */
export async function devAccountList(count = DEV_ACCOUNT_COUNT) {
  // Imported on demand: the contracts package also loads the deployment and anvil modules.
  const { devAccounts } = await import('@souk/contracts');
  return devAccounts(count);
}

/** A signer from a 32-byte hex key, with or without `0x`. @throws {UsageError} on anything else. */
function keyAccount(text: string, where: string): LocalAccount {
  const key = (text.startsWith('0x') ? text : `0x${text}`) as Hex;
  if (!isHex(key) || key.length !== 66) throw new UsageError(`${where}: a private key is 32 bytes of hex (64 digits).`);
  try {
    return privateKeyToAccount(key);
  } catch {
    throw new UsageError(`${where}: not a valid secp256k1 private key.`);
  }
}

/** A signer from an encrypted JSON keystore (Web3 Secret Storage v3), decrypted with `ox`'s `Keystore`. */
async function keystoreAccount(file: string, env: NodeJS.ProcessEnv): Promise<LocalAccount> {
  const password = env.SOUK_KEYSTORE_PASSWORD;
  if (password === undefined) throw new UsageError(`Set SOUK_KEYSTORE_PASSWORD to decrypt the keystore ${file}.`);
  let keystore: { version?: unknown; crypto?: unknown; Crypto?: unknown };
  try {
    keystore = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the keystore ${file}: ${(error as Error).message}`);
  }
  const crypto = keystore.crypto ?? keystore.Crypto;
  if (keystore.version !== 3 || typeof crypto !== 'object' || crypto === null) {
    throw new Error(`${file} is not a version 3 JSON keystore.`);
  }
  const Keystore = await import('ox/Keystore');
  const normalised = { ...keystore, crypto } as Parameters<typeof Keystore.decrypt>[0];
  let key: Hex;
  try {
    key = Keystore.decrypt(normalised, await Keystore.toKeyAsync(normalised, { password }));
  } catch (error) {
    const reason =
      (error as Error).message === 'corrupt keystore' ? 'wrong password or damaged file' : (error as Error).message;
    throw new Error(`Cannot decrypt the keystore ${file}: ${reason}.`);
  }
  return privateKeyToAccount(key);
}
