import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** A decoded log of a Souk contract. */
export type ChainEvent = {
  /** Contract key: `agentNft`, `marketplace`, `licenses`, `providerRegistry` or `computeEscrow`. */
  contract: string;
  /** Event name, e.g. `AssetMinted`. */
  event: string;
  /** Decoded arguments; uints as decimal strings. */
  args: Record<string, unknown>;
  /** Decimal string. */
  blockNumber: string;
  transactionHash: string;
  logIndex: number;
};

export type GetChainEventsParameters = {
  /** First block to scan; the node scans at most 5,000 blocks back from the head. */
  fromBlock?: bigint | undefined;
  /** Most events returned, 1..500. @default 50 */
  limit?: number | undefined;
};
/** Newest first. */
export type GetChainEventsReturnType = ChainEvent[];
export type GetChainEventsErrorType = SoukApiError | SoukError;

/**
 * Recent Souk events decoded straight from the chain's logs (`GET /api/v1/chain/events`), newest first.
 * @param client - A Souk client.
 * @param parameters - {@link GetChainEventsParameters}
 * @returns The events, newest first.
 * @throws {SoukApiError} 400 on a bad block number or limit.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getChainEvents } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const mints = (await getChainEvents(client, { limit: 100 })).filter((e) => e.event === 'AssetMinted')
 * ```
 */
export async function getChainEvents(
  client: SoukClient,
  { fromBlock, limit }: GetChainEventsParameters = {},
): Promise<GetChainEventsReturnType> {
  const search = new URLSearchParams();
  if (fromBlock !== undefined) search.set('fromBlock', String(fromBlock));
  if (limit !== undefined) search.set('limit', String(limit));
  const { events } = await client.json<{ events: ChainEvent[] }>(`/api/v1/chain/events?${search}`);
  return events;
}
