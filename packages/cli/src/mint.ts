/**
 * Signing a mint the node returned unsigned (`POST /assets` for an account whose key the node does not hold), as
 * `souk publish` and `souk train` do.
 */
import { agentNftAbi } from '@souk/contracts';
import { type Hex, type LocalAccount, parseEventLogs } from 'viem';
import { note } from './command.ts';
import type { Context } from './context.ts';
import { sendTransactions, type UnsignedTransaction } from './transact.ts';

/**
 * Sends the mint and reads the new asset's id from its `AssetMinted` event.
 * @returns The asset id (decimal) and the mint's transaction hash.
 * @throws {Error} When the transaction emitted no `AssetMinted` event (or reverted: `sendTransactions`' error).
 */
export async function signMint(
  context: Context,
  account: LocalAccount,
  transaction: UnsignedTransaction,
): Promise<{ assetId: string; mintTx: Hex }> {
  note('signing the mint…');
  const [receipt] = await sendTransactions(context, account, [transaction]);
  const mintTx = receipt.transactionHash;
  const [minted] = parseEventLogs({ abi: agentNftAbi, eventName: 'AssetMinted', logs: receipt.logs });
  if (!minted) throw new Error(`The mint ${mintTx} emitted no AssetMinted event.`);
  return { assetId: String(minted.args.tokenId), mintTx };
}
