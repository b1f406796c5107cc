/**
 * `souk account`: the account a command would act as — address, ETH/SOUK/mUSD balances, assets owned — or, with
 * `--list`, the devnet's dev accounts.
 */
import { soukTokenAbi } from '@souk/contracts/abis';
import { getMyLicences, getOwnedAssets } from '@souk/sdk';
import { type Address, formatUnits, zeroAddress } from 'viem';
import { accountHelp, accountOptions, DEFAULT_DEV_ACCOUNT, devAccountList, resolveAccount } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse } from '../args.ts';
import { emit, guard } from '../command.ts';
import { type Context, connect, rpcHelp, rpcOptions, signInAs } from '../context.ts';
import { UsageError } from '../errors.ts';
import { table } from '../format.ts';

export const summary = 'Show the account in use: address, balances, assets owned, licences held (--list: dev accounts)';

export const help = `Usage: souk account [options]

${summary}.

The account is, in this order: --key, --keystore or --account; else SOUK_PRIVATE_KEY or SOUK_KEYSTORE; else,
on the devnet, dev account ${DEFAULT_DEV_ACCOUNT}. The licences it holds are read from the node's index after a
sign-in (SIWE): asset, name, kind, expiry, whether still active.

Options:
  --list                Devnet only: list the dev accounts and their balances
${accountHelp}
${rpcHelp}
${nodeHelp}

Examples:
  souk account                         # dev account 1 on the devnet
  souk account --account 3 --json
  souk account --list`;

/** A balance: wei of `currency` (`address(0)` = ETH) and the same in whole units. */
type Balance = { symbol: string; currency: Address; wei: string; amount: string };

async function balancesOf(context: Context, address: Address): Promise<Balance[]> {
  const { publicClient, info } = context;
  const tokens: Address[] = [zeroAddress, info.contracts.soukToken];
  if (info.stablecoin) tokens.push(info.stablecoin as Address);
  return Promise.all(
    tokens.map(async (currency) => {
      const wei =
        currency === zeroAddress
          ? await publicClient.getBalance({ address })
          : await publicClient.readContract({
              address: currency,
              abi: soukTokenAbi,
              functionName: 'balanceOf',
              args: [address],
            });
      const { symbol, decimals = 0 } = context.token(currency);
      return { symbol, currency, wei: String(wei), amount: formatUnits(wei, decimals) };
    }),
  );
}

export function run(argv: string[]): Promise<number> {
  return guard('account', async () => {
    const { values: flags } = parse(argv, {
      ...nodeOptions,
      ...accountOptions,
      ...rpcOptions,
      list: { type: 'boolean' },
    });
    const context = await connect({ url: nodeUrl(flags.node), rpcUrl: flags['rpc-url'] });
    if (flags.list) {
      if (!context.info.devnet)
        throw new UsageError('--list: this node is not on the devnet, so it has no dev accounts.');
      const accounts = await Promise.all(
        (await devAccountList()).map(async (a, index) => ({
          index,
          address: a.address,
          balances: await balancesOf(context, a.address),
        })),
      );
      emit(flags.json, accounts, () =>
        table(
          ['INDEX', 'ADDRESS', ...accounts[0].balances.map((b) => b.symbol), 'NOTE'],
          accounts.map((a) => [
            String(a.index),
            a.address,
            ...a.balances.map((b) => b.amount),
            a.index === 0 ? 'operator' : a.index === DEFAULT_DEV_ACCOUNT ? 'default' : '',
          ]),
        ),
      );
      return 0;
    }
    const { account, source, devIndex } = await resolveAccount({ flags, isDevnet: async () => context.info.devnet });
    await signInAs(context, account);
    const [balances, owned, licences] = await Promise.all([
      balancesOf(context, account.address),
      getOwnedAssets(context.client, { address: account.address }),
      getMyLicences(context.client),
    ]);
    const result = {
      address: account.address,
      source,
      ...(devIndex !== undefined ? { devIndex } : {}),
      chainId: context.info.chainId,
      devnet: context.info.devnet,
      balances,
      ownedAssets: owned.length,
      licences,
    };
    emit(flags.json, result, () =>
      [
        `Account  ${account.address}  (${source === 'devnet' ? `dev account ${devIndex}` : source})`,
        `Chain    ${context.info.chainId}${context.info.devnet ? ' (devnet)' : ''}  ${context.rpcUrl}`,
        ...balances.map((b) => `${b.symbol.padEnd(8)} ${b.amount}`),
        `Assets   ${owned.length} owned${owned.length ? ` (${owned.map((a) => `#${a.id}`).join(', ')})` : ''}`,
        `Licences ${licences.length} held`,
        ...licences.map(
          (l) =>
            `  #${l.assetId} ${l.kind} "${l.name ?? '?'}" ${
              l.expiresAt === null ? 'perpetual' : `${l.active ? 'until' : 'expired'} ${l.expiresAt}`
            }`,
        ),
      ].join('\n'),
    );
    return 0;
  });
}
