/**
 * Naming transactions for people: what each hash a write produced did (`approve`, `purchase`, `buy`…), decoded from
 * the transaction's calldata on the chain — not guessed from its position.
 */
import { agentNftAbi, licensesAbi, marketplaceAbi, soukTokenAbi } from '@souk/contracts/abis';
import { decodeFunctionData, type Hex } from 'viem';
import type { Context } from './context.ts';

/** A transaction hash and what it did. */
export type LabelledTransaction = { label: string; hash: Hex };

const ABI = [...soukTokenAbi, ...licensesAbi, ...marketplaceAbi, ...agentNftAbi];

/** Contract function → label. Others are labelled by their function name. */
const LABELS: Record<string, string> = {
  approve: 'approve',
  purchaseLicense: 'purchase',
  purchaseLicenseAt: 'purchase',
  buy: 'buy',
};

/** The label of calldata `data`: see {@link LABELS}; `call` when no Souk ABI decodes it. */
export function labelOf(data: Hex): string {
  try {
    const { functionName } = decodeFunctionData({ abi: ABI, data });
    return LABELS[functionName] ?? functionName;
  } catch {
    return 'call';
  }
}

/**
 * Labels each hash by reading its transaction's input from the chain.
 * @param hashes - Mined transaction hashes, in order.
 * @returns The same hashes, in order, each with its label.
 * @throws {Error} when the chain does not know a hash (viem's TransactionNotFoundError).
 */
export function labelTransactions(context: Context, hashes: readonly Hex[]): Promise<LabelledTransaction[]> {
  return Promise.all(
    hashes.map(async (hash) => ({ hash, label: labelOf((await context.publicClient.getTransaction({ hash })).input) })),
  );
}
