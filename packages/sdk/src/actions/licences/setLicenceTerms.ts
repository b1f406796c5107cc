import type { LicenceUsage } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { TransactionsReturnType, TransactMode } from '../transactions.ts';

export type SetLicenceTermsParameters = {
  assetId: bigint;
  /** Price in wei of `currency`. */
  price: bigint;
  currency?: string | undefined;
  /** Seconds; 0 or omitted = perpetual. */
  durationSeconds?: number | undefined;
  /** `access` (default): terms of licences that release the plaintext; `training`: of licences to train on it. */
  usage?: LicenceUsage | undefined;
  mode?: TransactMode | undefined;
};

/** Sets licence terms of an asset the signed-in account owns (`POST /api/v1/licences/terms`). */
export function setLicenceTerms(
  client: SoukClient,
  { assetId, price, currency, durationSeconds, usage, mode }: SetLicenceTermsParameters,
): Promise<TransactionsReturnType> {
  return client.json('/api/v1/licences/terms', {
    method: 'POST',
    body: {
      assetId: String(assetId),
      price: String(price),
      ...(currency ? { currency } : {}),
      ...(durationSeconds !== undefined ? { durationSeconds } : {}),
      ...(usage ? { usage } : {}),
      ...(mode ? { mode } : {}),
    },
  });
}
