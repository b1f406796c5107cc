/**
 * Finishing a write: the node submits transactions for the devnet accounts it holds keys for; for any other
 * account it returns them unsigned, and the CLI signs and sends them here, in order, from the resolved account.
 */
import { simulateSequence } from '@souk/contracts';
import type { TransactionsReturnType } from '@souk/sdk';
import { createWalletClient, type Hex, http, type LocalAccount, type TransactionReceipt } from 'viem';
import type { Context } from './context.ts';

/** An unsigned transaction as the node returns it (`value` in wei, decimal string). */
export type UnsignedTransaction = { chainId: number; to: string; data: string; value: string };

/**
 * Sends `transactions` in order from `account`, each waited for. The whole sequence is simulated before the first
 * is sent (`simulateSequence`: an ERC-20's `approve` succeeds for any address, so a refused payment after it must
 * be caught before the approve goes out), and nothing is sent when any would revert. On an RPC without
 * `eth_simulateV1` each transaction is simulated just before it is sent instead, so there a later one's revert
 * comes after the earlier ones were sent.
 * @returns One receipt per transaction.
 * @throws {SequenceCallRevertedError} (from `@souk/contracts`) before sending, when a transaction would revert;
 *   its cause carries the revert data `formatError` decodes. Without `eth_simulateV1`: viem's error of the
 *   transaction that would revert.
 * @throws {Error} when a transaction is for another chain or reverts after sending.
 */
export async function sendTransactions(
  context: Pick<Context, 'chain' | 'rpcUrl' | 'publicClient'>,
  account: LocalAccount,
  transactions: UnsignedTransaction[],
  onSent: (hash: Hex) => void = () => {},
): Promise<TransactionReceipt[]> {
  const wallet = createWalletClient({ account, chain: context.chain, transport: http(context.rpcUrl) });
  const calls = transactions.map((tx) => {
    if (tx.chainId !== context.chain.id) throw new Error(`The node prepared a transaction for chain ${tx.chainId}.`);
    return { to: tx.to as Hex, data: tx.data as Hex, value: BigInt(tx.value) };
  });
  const { simulated } = await simulateSequence(context.publicClient, { account: account.address, calls });
  const receipts: TransactionReceipt[] = [];
  for (const call of calls) {
    if (simulated === 'unsupported') await context.publicClient.call({ account: account.address, ...call });
    const hash = await wallet.sendTransaction(call);
    onSent(hash);
    const receipt = await context.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`Transaction ${hash} reverted.`);
    receipts.push(receipt);
  }
  return receipts;
}

/**
 * The hashes of a node write: those the node submitted, or those of the unsigned transactions it returned, sent
 * here by `account`.
 */
export async function settle(
  context: Context,
  account: LocalAccount,
  result: TransactionsReturnType,
  onSent?: (hash: Hex) => void,
): Promise<Hex[]> {
  if (!result.transactions) return result.transactionHashes as Hex[];
  const receipts = await sendTransactions(context, account, result.transactions, onSent);
  return receipts.map((r) => r.transactionHash);
}
