/**
 * The node's one transaction sender per account: simulate (so a revert surfaces as the contract's custom error
 * before anything is sent), estimate with headroom, send with the next nonce, and wait for the receipt — one
 * transaction at a time per account, so the operator's components (the order settler, dispute settlement, deposits) never race
 * each other for a nonce.
 */
import type {
  Abi,
  Account,
  Address,
  Chain,
  Hex,
  PublicClient,
  TransactionReceipt,
  Transport,
  WalletClient,
} from 'viem';

/** One contract call to send. */
export type ContractCall = {
  address: Address;
  abi: Abi | readonly unknown[];
  functionName: string;
  args: readonly unknown[];
  /** Native value, wei. */
  value?: bigint | undefined;
};

/** A serialising sender for one account. */
export type TxSender = {
  /** The sending account. */
  readonly account: Address;
  /**
   * Simulates, estimates (+25 % headroom: a transaction mined first can send this one down a costlier branch),
   * sends and waits for the receipt.
   * @returns The transaction hash and its successful receipt.
   * @throws The simulation's error (a `ContractFunctionRevertedError` naming the custom error) before sending;
   *   `Error` when the mined transaction reverted.
   */
  send(call: ContractCall): Promise<{ hash: Hex; receipt: TransactionReceipt }>;
  /** Resolves once every transaction queued so far has finished (sent or failed). */
  idle(): Promise<void>;
};

const senders = new WeakMap<object, TxSender>();

/**
 * The sender of a wallet (one per wallet client, shared by everyone who asks).
 * @param publicClient Reads, simulation and receipts.
 * @param wallet The account's wallet client.
 */
export function txSenderFor(publicClient: PublicClient, wallet: WalletClient<Transport, Chain, Account>): TxSender {
  const existing = senders.get(wallet);
  if (existing) return existing;
  let queue: Promise<unknown> = Promise.resolve();
  const sender: TxSender = {
    account: wallet.account.address,
    send(call) {
      const next = queue.then(async () => {
        const request = { ...call, account: wallet.account } as never;
        const [{ request: simulated }, gas] = await Promise.all([
          publicClient.simulateContract(request),
          publicClient.estimateContractGas(request),
        ]);
        const hash = await wallet.writeContract({ ...(simulated as object), gas: gas + gas / 4n } as never);
        const receipt = await publicClient.waitForTransactionReceipt({ hash });
        if (receipt.status !== 'success') throw new Error(`${call.functionName} ${hash} reverted`);
        return { hash, receipt };
      });
      queue = next.catch(() => {});
      return next;
    },
    idle: () => queue.then(() => {}),
  };
  senders.set(wallet, sender);
  return sender;
}
