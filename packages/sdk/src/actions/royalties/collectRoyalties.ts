import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { TransactionsReturnType, TransactMode } from '../transactions.ts';

export type CollectRoyaltiesParameters = {
  /** The (derived) model asset. */
  assetId: bigint | string;
  /** `0x0…0` (default) for the native currency, else the ERC-20. */
  currency?: string | undefined;
  mode?: TransactMode | undefined;
};

/**
 * Pays out a model's lineage royalties (`POST /api/v1/assets/:id/royalties/collect`): its RoyaltySplit pulls its job
 * creator shares from the ComputeEscrow and pays each recipient its share and the creator the rest, exactly to the
 * wei (`RoyaltySplit.collect`). Anyone may call it; the money only goes to the split's fixed recipients.
 * @throws {SoukApiError} 404 when the asset has no split, 409 when the escrow holds nothing for it.
 */
export function collectRoyalties(
  client: SoukClient,
  { assetId, currency, mode }: CollectRoyaltiesParameters,
): Promise<TransactionsReturnType> {
  return client.json(`/api/v1/assets/${assetId}/royalties/collect`, {
    method: 'POST',
    body: { ...(currency ? { currency } : {}), ...(mode ? { mode } : {}) },
  });
}
