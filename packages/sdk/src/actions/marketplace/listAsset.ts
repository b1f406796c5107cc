import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { TransactionsReturnType, TransactMode } from '../transactions.ts';

export type ListAssetParameters = {
  assetId: bigint;
  /** Price in wei of `currency`. */
  price: bigint;
  /** ERC-20 address; omitted = native currency. */
  currency?: string | undefined;
  mode?: TransactMode | undefined;
};

/** Lists an asset the signed-in account owns (`POST /api/v1/marketplace/list`). @throws {SoukApiError} 403, 404, 422 */
export function listAsset(
  client: SoukClient,
  { assetId, price, currency, mode }: ListAssetParameters,
): Promise<TransactionsReturnType> {
  return client.json('/api/v1/marketplace/list', {
    method: 'POST',
    body: {
      assetId: String(assetId),
      price: String(price),
      ...(currency ? { currency } : {}),
      ...(mode ? { mode } : {}),
    },
  });
}
