import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { TransactionsReturnType, TransactMode } from '../transactions.ts';

export type PurchaseLicenceParameters = {
  assetId: bigint;
  /** Who gets access; omitted = the signed-in account. */
  licensee?: string | undefined;
  mode?: TransactMode | undefined;
};

/** Buys a licence at the current terms (`POST /api/v1/licences/purchase`). @throws {SoukApiError} 404, 422 */
export function purchaseLicence(
  client: SoukClient,
  { assetId, licensee, mode }: PurchaseLicenceParameters,
): Promise<TransactionsReturnType> {
  return client.json('/api/v1/licences/purchase', {
    method: 'POST',
    body: { assetId: String(assetId), ...(licensee ? { licensee } : {}), ...(mode ? { mode } : {}) },
  });
}
