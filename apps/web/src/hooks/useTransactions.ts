/**
 * Completing a write: the node either submitted the transactions (dev accounts: hashes come back) or returned them
 * unsigned (wallets: they are sent here in order through wagmi, each awaited to its receipt).
 */
import type { TransactionsReturnType } from '@souk/sdk';
import { useCallback } from 'react';
import type { Hex, Log } from 'viem';
import { useConfig } from 'wagmi';
import { getConnection, sendTransaction, switchChain, waitForTransactionReceipt } from 'wagmi/actions';
import { useNode } from './useNode.tsx';

/** The transactions of one write, once mined. */
export type Settled = {
  hashes: Hex[];
  /** Receipt logs of the transactions this browser sent (empty when the node submitted them). */
  logs: Log[];
};

/** One unsigned transaction as the node returns it. */
export type UnsignedTransaction = NonNullable<TransactionsReturnType['transactions']>[number];

/**
 * @returns `settle(result, onHash)`: the hashes the node submitted, or the returned transactions sent from the
 * connected wallet (switching it to the node's chain first). `onHash` is called as each hash is known.
 */
export function useTransactions() {
  const config = useConfig();
  const { info } = useNode();

  const send = useCallback(
    async (transactions: UnsignedTransaction[], onHash?: (hash: Hex) => void): Promise<Settled> => {
      if (getConnection(config).chainId !== info.chainId) await switchChain(config, { chainId: info.chainId });
      const hashes: Hex[] = [];
      const logs: Log[] = [];
      for (const tx of transactions) {
        const hash = await sendTransaction(config, {
          to: tx.to as Hex,
          data: tx.data as Hex,
          value: BigInt(tx.value),
          chainId: info.chainId,
        });
        onHash?.(hash);
        const receipt = await waitForTransactionReceipt(config, { hash, chainId: info.chainId });
        if (receipt.status !== 'success') throw new Error(`Transaction ${hash} reverted.`);
        hashes.push(hash);
        logs.push(...receipt.logs);
      }
      return { hashes, logs };
    },
    [config, info.chainId],
  );

  const settle = useCallback(
    async (result: TransactionsReturnType, onHash?: (hash: Hex) => void): Promise<Settled> => {
      if (result.transactions && result.transactions.length > 0) return send(result.transactions, onHash);
      for (const hash of result.transactionHashes) onHash?.(hash as Hex);
      return { hashes: result.transactionHashes as Hex[], logs: [] };
    },
    [send],
  );

  return { settle, send };
}
