import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { TransactionsReturnType, TransactMode } from '../transactions.ts';

export type BuyAssetParameters = {
  /** The asset (AgentNFT token id). */
  assetId: bigint;
  /**
   * The listing's currency the buyer was shown (`0x0000…0000` native). With `expectedPrice` it protects the buyer
   * from a seller who changes the listing first: the node answers 409, or the transaction reverts
   * `SoukCurrencyMismatch` / `SoukPriceMismatch`. Omitted = the listing the node reads when it builds the call.
   */
  expectedCurrency?: string | undefined;
  /** The listing's price the buyer was shown, wei of the currency. Omitted = the listing the node reads now. */
  expectedPrice?: bigint | undefined;
  mode?: TransactMode | undefined;
};

/**
 * Buys a listed asset at the price and currency the buyer saw (`POST /api/v1/marketplace/purchase`).
 * @example
 * ```ts
 * import { buyAsset, getAsset } from '@souk/sdk'
 * const { listing } = await getAsset(client, { assetId: 7n })
 * await buyAsset(client, { assetId: 7n, expectedCurrency: listing.currency, expectedPrice: BigInt(listing.priceWei) })
 * ```
 * @throws {SoukApiError} 404 when not listed, 409 when the listing differs from the expected one, 422 on a revert.
 */
export function buyAsset(
  client: SoukClient,
  { assetId, expectedCurrency, expectedPrice, mode }: BuyAssetParameters,
): Promise<TransactionsReturnType> {
  return client.json('/api/v1/marketplace/purchase', {
    method: 'POST',
    body: {
      assetId: String(assetId),
      ...(expectedCurrency !== undefined ? { expectedCurrency } : {}),
      ...(expectedPrice !== undefined ? { expectedPrice: String(expectedPrice) } : {}),
      ...(mode ? { mode } : {}),
    },
  });
}
