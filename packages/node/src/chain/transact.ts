/**
 * Sends contract calls for an API caller: submitted by the node when it holds the caller's key (devnet accounts)
 * and the caller did not ask otherwise, or returned unsigned for the caller's wallet. The whole sequence is
 * simulated before its first transaction is sent, so that a revert — of any call, the paying call after an
 * ERC-20's `approve` too — comes back as a 422 problem naming the contract's custom error with nothing sent.
 */
import {
  decodeContractError,
  describeContractError,
  findRevertData,
  simulateSequence,
  soukTokenAbi,
} from '@souk/contracts';
import { type Address, BaseError, encodeFunctionData, type Hex, type Log, zeroAddress } from 'viem';
import { BadRequestError, ChainRevertError } from '../errors.ts';
import { createKeyedLock } from '../lib/keyedLock.ts';
import type { ChainService } from './index.ts';

/** One contract call. */
export type Call = { to: Address; data: Hex /** wei */; value?: bigint | undefined };

/** How the caller wants its transactions handled. */
export type TransactMode = 'submit' | 'unsigned' | undefined;

/** The result: hashes and logs when submitted, or the unsigned transactions. */
export type TransactResult = {
  transactionHashes: Hex[];
  logs: Log[];
  /** Unsigned transactions, in order, when not submitted. */
  transactions: Array<{ chainId: number; to: Address; data: Hex; value: string }> | null;
};

/** JSON schema of the `transactions` part of responses. */
export const unsignedTransactionsSchema = {
  anyOf: [
    { type: 'null' },
    {
      type: 'array',
      description: 'Unsigned transactions for the caller’s wallet, to send in order',
      items: {
        type: 'object',
        properties: {
          chainId: { type: 'integer' },
          to: { type: 'string' },
          data: { type: 'string' },
          value: { type: 'string' },
        },
      },
    },
  ],
} as const;

/**
 * Why a call reverted, readable: the Souk custom error decoded with the ABIs (`SoukNotListed(tokenId: 7): Asset 7
 * is not listed for sale.`), else viem's short message.
 */
export function revertReason(error: unknown): string {
  const data = error instanceof BaseError ? findRevertData(error) : undefined;
  const decoded = data && decodeContractError(data);
  if (decoded) return describeContractError(decoded).replace('\n', ': ');
  return (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
}

/**
 * Submits `calls` in order from `caller` (waiting for each receipt), or prepares them unsigned.
 *
 * On the embedded devnet the receipts come through the chain's durable transport (`durableTransport` in
 * `./index.ts`), so when this resolves every returned hash is in anvil's saved state on disk: the transactions the
 * API reports as done survive a crash of the node and anvil together. On an external RPC it resolves at the receipt
 * (the chain's own durability).
 *
 * Before the first transaction the whole sequence is simulated (`simulateSequence`: `eth_simulateV1`, each call on
 * the state the earlier ones leave), and nothing is sent when any call would revert. On an RPC without
 * `eth_simulateV1` each call is simulated just before it is sent instead — the only way there, as a later call
 * needs the earlier ones' effects — so a later call's revert comes after the earlier calls were sent.
 * One account's sequences are sent one at a time, in arrival order (a per-account lock), so concurrent requests of
 * one account never take the same nonce.
 * Unsigned transactions are returned unsimulated: the wallet sends them, and the CLI's `sendTransactions`
 * simulates them the same way.
 * @throws {BadRequestError} `mode: 'submit'` for an account whose key the node does not hold.
 * @throws {ChainRevertError} (422) when a call would revert or reverted, with the decoded reason.
 */
export async function transact(
  chain: ChainService,
  caller: Address,
  calls: Call[],
  mode: TransactMode,
): Promise<TransactResult> {
  const wallet = mode === 'unsigned' ? undefined : chain.walletFor(caller);
  if (mode === 'submit' && !wallet) {
    throw new BadRequestError('The node holds no key for this account: use mode "unsigned" and sign in your wallet.');
  }
  if (!wallet) {
    return {
      transactionHashes: [],
      logs: [],
      transactions: calls.map((c) => ({
        chainId: chain.deployment.chainId,
        to: c.to,
        data: c.data,
        value: String(c.value ?? 0n),
      })),
    };
  }
  // One account's sequences run one at a time: two at once would both read the same pending nonce, and the second
  // would fail with "nonce too low" (or one's approve would land between the other's calls).
  return accountLock(wallet.account.address.toLowerCase(), () => sendSequence(chain, wallet, calls));
}

/** Serialises the transactions the node sends for each account ({@link transact}). */
const accountLock = createKeyedLock();

/** Simulates and sends one account's call sequence (under its {@link accountLock}). */
async function sendSequence(
  chain: ChainService,
  wallet: NonNullable<ReturnType<ChainService['walletFor']>>,
  calls: Call[],
): Promise<TransactResult> {
  let simulated: 'sequence' | 'unsupported';
  try {
    ({ simulated } = await simulateSequence(chain.publicClient, { account: wallet.account.address, calls }));
  } catch (error) {
    throw new ChainRevertError(revertReason(error));
  }
  const hashes: Hex[] = [];
  const logs: Log[] = [];
  for (const call of calls) {
    let hash: Hex;
    try {
      if (simulated === 'unsupported') {
        await chain.publicClient.call({ account: wallet.account, to: call.to, data: call.data, value: call.value });
      }
      // The estimate runs each call again on the state it is sent on: a revert since the simulation throws here.
      // Headroom: a transaction mined between the estimate and this one can make it costlier (a balance the
      // settler just emptied turns this deposit's write from 2.9k into a 20k zero-to-non-zero store).
      const gas = await chain.publicClient.estimateGas({
        account: wallet.account,
        to: call.to,
        data: call.data,
        value: call.value,
      });
      hash = await wallet.sendTransaction({ to: call.to, data: call.data, value: call.value, gas: gas + gas / 4n });
    } catch (error) {
      throw new ChainRevertError(revertReason(error));
    }
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new ChainRevertError(`transaction ${hash} reverted`);
    hashes.push(hash);
    logs.push(...receipt.logs);
  }
  return { transactionHashes: hashes, logs, transactions: null };
}

/**
 * The calls that pay `amount` of `currency` into `spender` through `call`: native currency travels as the call's
 * value; an ERC-20 first needs `approve(spender, amount)` (skipped for a zero amount).
 * @param currency `address(0)` for native, else the ERC-20.
 * @param amount wei of `currency`.
 */
export function payingCalls(currency: Address, amount: bigint, spender: Address, data: Hex): Call[] {
  if (currency === zeroAddress) return [{ to: spender, data, value: amount }];
  const approve = encodeFunctionData({ abi: soukTokenAbi, functionName: 'approve', args: [spender, amount] });
  return [...(amount > 0n ? [{ to: currency, data: approve }] : []), { to: spender, data }];
}
