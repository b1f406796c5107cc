import type { AssetDetail } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

/** An asset with its versions and active listing (`@souk/protocol`'s `AssetDetail`, the node's response schema). */
export type GetAssetReturnType = AssetDetail;

/** One asset with versions and listing (`GET /api/v1/assets/:id`). @throws {SoukApiError} 404 when not indexed. */
export function getAsset(client: SoukClient, { assetId }: { assetId: bigint }): Promise<GetAssetReturnType> {
  return client.json(`/api/v1/assets/${assetId}`);
}
