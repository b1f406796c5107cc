import type { AssetRoyalties } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

export type GetRoyaltiesParameters = {
  /** The (derived) model asset. */
  assetId: bigint | string;
};

/** `@souk/protocol`'s `AssetRoyalties`, the node's response schema. */
export type GetRoyaltiesReturnType = AssetRoyalties;

/**
 * A model's lineage royalty split, read from the chain (`GET /api/v1/assets/:id/royalties`): its RoyaltySplit
 * (`null` for a model not minted through LineageRoyalties), the creator who gets the remainder, each recipient's
 * share in basis points, and per currency the job creator shares the ComputeEscrow holds for it and what the split
 * holds unsplit (wei, decimal strings).
 * @throws {SoukApiError} 404 for an unknown asset.
 * @example
 * ```ts
 * const { recipients, pending } = await getRoyalties(client, { assetId: 12n })
 * ```
 */
export function getRoyalties(client: SoukClient, { assetId }: GetRoyaltiesParameters): Promise<GetRoyaltiesReturnType> {
  return client.json(`/api/v1/assets/${assetId}/royalties`);
}
