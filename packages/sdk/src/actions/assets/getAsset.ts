import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { Asset } from './listAssets.ts';

export type GetAssetReturnType = Asset & {
  versions: { version: number; uri: string; blockNumber: number; transactionHash: string; createdAt: string }[];
  listing: { seller: string; currency: string; priceWei: string; active: boolean } | null;
};

/** One asset with versions and listing (`GET /api/v1/assets/:id`). @throws {SoukApiError} 404 when not indexed. */
export function getAsset(client: SoukClient, { assetId }: { assetId: bigint }): Promise<GetAssetReturnType> {
  return client.json(`/api/v1/assets/${assetId}`);
}
