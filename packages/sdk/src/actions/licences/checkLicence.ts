import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

export type CheckLicenceParameters = {
  /** Asset id (AgentNFT token id). */
  assetId: bigint;
  /** The account to check (any case). */
  account: string;
};
export type CheckLicenceReturnType = {
  /** `Licenses.hasAccess(account, assetId)` now (owners have access too). */
  hasAccess: boolean;
  /** Licence expiry, unix seconds as a decimal string; `"0"` when the account bought none. */
  expiresAt: string;
  /** `Licenses.canTrain(account, assetId)` now: a training licence, or ownership (compute-to-data jobs). */
  canTrain: boolean;
  /** Training-licence expiry, unix seconds as a decimal string; `"0"` when the account bought none. */
  trainingExpiresAt: string;
};
export type CheckLicenceErrorType = SoukApiError | SoukError;

/**
 * Whether an account has access to (and may train on) an asset now, read from the chain (`GET /api/v1/licences/:assetId/:account`).
 * @param client - A Souk client.
 * @param parameters - {@link CheckLicenceParameters}
 * @returns Access and the licence's expiry.
 * @throws {SoukApiError} 400 on a malformed id or address.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { checkLicence, createSoukClient } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const { hasAccess, expiresAt } = await checkLicence(client, { assetId: 1n, account: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })
 * ```
 */
export function checkLicence(
  client: SoukClient,
  { assetId, account }: CheckLicenceParameters,
): Promise<CheckLicenceReturnType> {
  return client.json(`/api/v1/licences/${assetId}/${encodeURIComponent(account)}`);
}
