/** What the node returns for a write: submitted hashes, or unsigned transactions for the caller's wallet. */
export type TransactionsReturnType = {
  transactionHashes: string[];
  /** Set when the node does not hold the caller's key (or `mode: 'unsigned'`): send these in order. */
  transactions: Array<{ chainId: number; to: string; data: string; value: string }> | null;
};
/** `submit`: the node signs for devnet accounts it holds; `unsigned`: return the transactions. */
export type TransactMode = 'submit' | 'unsigned';
