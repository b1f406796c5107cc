import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';
import type { ChainEvent } from './getChainEvents.ts';

export type GetTransactionParameters = {
  /** Transaction hash, 0x + 64 hex digits. */
  hash: string;
};
export type GetTransactionReturnType = {
  hash: string;
  status: 'success' | 'reverted';
  /** Decimal string. */
  blockNumber: string;
  from: string;
  /** `null` for a contract creation. */
  to: string | null;
  /** Gas units used, decimal string. */
  gasUsed: string;
  /** The receipt's logs of Souk contracts, decoded, in log order. */
  events: ChainEvent[];
};
export type GetTransactionErrorType = SoukApiError | SoukError;

/**
 * A mined transaction's receipt with its decoded Souk events (`GET /api/v1/chain/transactions/:hash`).
 * @param client - A Souk client.
 * @param parameters - {@link GetTransactionParameters}
 * @returns The receipt summary and decoded events.
 * @throws {SoukApiError} 400 on a malformed hash, 404 when the chain has no receipt for it (unknown or pending).
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getTransaction } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const { status, events } = await getTransaction(client, { hash: published.transactionHash })
 * const minted = events.find((e) => e.event === 'AssetMinted')
 * ```
 */
export function getTransaction(
  client: SoukClient,
  { hash }: GetTransactionParameters,
): Promise<GetTransactionReturnType> {
  return client.json(`/api/v1/chain/transactions/${encodeURIComponent(hash)}`);
}
