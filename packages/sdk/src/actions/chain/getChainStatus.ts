import type { SoukClient } from '../../clients/createSoukClient.ts';

export type GetChainStatusReturnType = {
  chainId: number;
  blockNumber: string;
  /** Unix seconds. */
  blockTimestamp: string;
  gasPriceGwei: string;
  devnet: boolean;
  /** Blocks the indexer is behind. */
  indexerLag: number | null;
};

/** Chain head and indexer position (`GET /api/v1/chain/status`). */
export function getChainStatus(client: SoukClient): Promise<GetChainStatusReturnType> {
  return client.json('/api/v1/chain/status');
}
