import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { TransactionsReturnType, TransactMode } from '../transactions.ts';

export type BuyAssetParameters = { assetId: bigint; mode?: TransactMode | undefined };

/** Buys a listed asset at its on-chain price (`POST /api/v1/marketplace/purchase`). @throws {SoukApiError} 404, 422 */
export function buyAsset(client: SoukClient, { assetId, mode }: BuyAssetParameters): Promise<TransactionsReturnType> {
  return client.json('/api/v1/marketplace/purchase', {
    method: 'POST',
    body: { assetId: String(assetId), ...(mode ? { mode } : {}) },
  });
}
