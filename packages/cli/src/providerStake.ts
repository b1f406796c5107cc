/**
 * Topping a provider's stake back up (`souk provider stake <SOUK>`): a slash (100 SOUK by default) can leave a
 * provider below ProviderRegistry's minimum stake, and an inactive provider is never selected for jobs. This approves
 * SOUK for the registry and calls `increaseStake`, then reads the new stake and whether the provider is active.
 */
import { providerRegistryAbi, soukTokenAbi } from '@souk/contracts';
import { encodeFunctionData, type LocalAccount } from 'viem';
import type { Context } from './context.ts';
import { sendTransactions } from './transact.ts';

/** What {@link topUpStake} did and found. */
export type TopUpStakeResult = {
  address: string;
  /** Added, SOUK wei (decimal string). */
  addedWei: string;
  /** The stake now, SOUK wei (decimal string). */
  stakeWei: string;
  /** ProviderRegistry's minimum stake, SOUK wei (decimal string). */
  minStakeWei: string;
  /** Whether the provider is active now (registered, stake ≥ minimum). */
  active: boolean;
  /** The approve and increaseStake transactions. */
  transactionHashes: string[];
};

/**
 * Adds `amountWei` SOUK wei to `account`'s provider stake (approve, then `ProviderRegistry.increaseStake`).
 * @param context - The CLI's connection to the node and chain.
 * @param account - The provider's key (pays the SOUK and the gas).
 * @param amountWei - SOUK wei to add (> 0).
 * @returns The new stake, the minimum and whether the provider is active.
 * @throws {Error} When the account is not a registered provider (`SoukNotRegistered`), holds too little SOUK, or a
 *   transaction reverts (decoded by the CLI's error formatter).
 * @example
 * ```ts
 * const { stakeWei, active } = await topUpStake(context, account, parseEther('100'))
 * ```
 */
export async function topUpStake(
  context: Context,
  account: LocalAccount,
  amountWei: bigint,
): Promise<TopUpStakeResult> {
  const registry = context.info.contracts.providerRegistry;
  const token = context.info.contracts.soukToken;
  const transaction = (to: string, data: string) => ({ chainId: context.info.chainId, to, data, value: '0' });
  const receipts = await sendTransactions(context, account, [
    transaction(token, encodeFunctionData({ abi: soukTokenAbi, functionName: 'approve', args: [registry, amountWei] })),
    transaction(
      registry,
      encodeFunctionData({ abi: providerRegistryAbi, functionName: 'increaseStake', args: [amountWei] }),
    ),
  ]);
  const read = <T>(functionName: 'getProvider' | 'isActive' | 'minStake', args: readonly unknown[]) =>
    context.publicClient.readContract({
      address: registry,
      abi: providerRegistryAbi,
      functionName,
      args,
    } as never) as Promise<T>;
  const [provider, active, minStake] = await Promise.all([
    read<{ stake: bigint }>('getProvider', [account.address]),
    read<boolean>('isActive', [account.address]),
    read<bigint>('minStake', []),
  ]);
  return {
    address: account.address,
    addedWei: String(amountWei),
    stakeWei: String(provider.stake),
    minStakeWei: String(minStake),
    active,
    transactionHashes: receipts.map((r) => r.transactionHash),
  };
}
