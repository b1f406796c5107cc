import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** A licence the account holds, as indexed. */
export type HeldLicence = {
  /** Asset id (AgentNFT token id), decimal string. */
  assetId: string;
  name: string | null;
  kind: 'model' | 'agent' | 'dataset';
  /** ISO 8601; `null` = perpetual. */
  expiresAt: string | null;
  /** Not expired now. */
  active: boolean;
  /** How many times it was bought (renewals included). */
  purchases: number;
};

export type GetMyLicencesParameters = {
  /** Only licences that have not expired. @default false */
  active?: boolean | undefined;
};
export type GetMyLicencesReturnType = HeldLicence[];
export type GetMyLicencesErrorType = SoukApiError | SoukError;

/**
 * Licences the signed-in account holds, from the node's index (`GET /api/v1/licences/mine`). For an
 * authoritative answer about one asset use `checkLicence`, which reads the chain.
 * @param client - A signed-in client.
 * @param parameters - {@link GetMyLicencesParameters}
 * @returns The licences, most recently changed first.
 * @throws {SoukApiError} 401 without credentials.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { getMyLicences } from '@souk/sdk'
 * const licences = await getMyLicences(client, { active: true })
 * ```
 */
export async function getMyLicences(
  client: SoukClient,
  { active }: GetMyLicencesParameters = {},
): Promise<GetMyLicencesReturnType> {
  const { items } = await client.json<{ items: HeldLicence[] }>(
    `/api/v1/licences/mine${active === undefined ? '' : `?active=${active}`}`,
  );
  return items;
}
