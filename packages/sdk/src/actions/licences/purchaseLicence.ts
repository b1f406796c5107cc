import type { LicenceUsage } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { TransactionsReturnType, TransactMode } from '../transactions.ts';

export type PurchaseLicenceParameters = {
  /** The asset (AgentNFT token id). */
  assetId: bigint;
  /** Who gets access; omitted = the signed-in account. */
  licensee?: string | undefined;
  /**
   * The terms' currency the buyer was shown (`0x0000…0000` native). With `expectedPrice` and
   * `expectedDurationSeconds` it protects the buyer from an owner who changes the terms first: the node answers 409,
   * or the transaction reverts `SoukCurrencyMismatch` / `SoukPriceMismatch` / `SoukDurationMismatch`.
   * Omitted = the terms the node reads when it builds the transaction.
   */
  expectedCurrency?: string | undefined;
  /** The terms' price the buyer was shown, wei of the currency. Omitted = the terms the node reads now. */
  expectedPrice?: bigint | undefined;
  /**
   * The terms' licence length the buyer was shown, seconds (0 = perpetual): a number, a bigint, or the decimal
   * string the index gives. Omitted = the terms the node reads now.
   */
  expectedDurationSeconds?: bigint | number | string | undefined;
  /** `access` (default): a licence to the plaintext; `training`: a licence to train and evaluate on it. */
  usage?: LicenceUsage | undefined;
  mode?: TransactMode | undefined;
};

/**
 * Buys a licence at the terms the buyer saw (`POST /api/v1/licences/purchase`, on-chain `purchaseLicenseAt`).
 * @example
 * ```ts
 * import { getAsset, purchaseLicence } from '@souk/sdk'
 * const asset = await getAsset(client, { assetId: 7n })
 * await purchaseLicence(client, {
 *   assetId: 7n,
 *   expectedCurrency: asset.licence.currency,
 *   expectedPrice: BigInt(asset.licence.priceWei),
 *   expectedDurationSeconds: asset.licence.durationSeconds, // decimal string from the index
 * })
 * ```
 * @throws {SoukApiError} 404 without open terms, 409 when the terms differ from the expected ones, 422 on a revert.
 */
export function purchaseLicence(
  client: SoukClient,
  {
    assetId,
    licensee,
    expectedCurrency,
    expectedPrice,
    expectedDurationSeconds,
    usage,
    mode,
  }: PurchaseLicenceParameters,
): Promise<TransactionsReturnType> {
  return client.json('/api/v1/licences/purchase', {
    method: 'POST',
    body: {
      assetId: String(assetId),
      ...(licensee ? { licensee } : {}),
      ...(expectedCurrency !== undefined ? { expectedCurrency } : {}),
      ...(expectedPrice !== undefined ? { expectedPrice: String(expectedPrice) } : {}),
      ...(expectedDurationSeconds !== undefined ? { expectedDurationSeconds: Number(expectedDurationSeconds) } : {}),
      ...(usage ? { usage } : {}),
      ...(mode ? { mode } : {}),
    },
  });
}
