import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';
import type { Asset } from '../assets/listAssets.ts';

export type GetOwnedAssetsParameters = {
  /** The owner's address (any case). */
  address: string;
};
/** Every asset (model, agent or dataset) the account owns, per the index. */
export type GetOwnedAssetsReturnType = Asset[];
export type GetOwnedAssetsErrorType = SoukApiError | SoukError;

/**
 * Assets an account owns, from the node's index (`GET /api/v1/marketplace/user/:address/agents`). The index
 * follows the chain by a poll interval, so a fresh purchase can take a moment to show.
 * @param client - A Souk client.
 * @param parameters - {@link GetOwnedAssetsParameters}
 * @returns The account's assets.
 * @throws {SoukApiError} 400 when `address` is not an address.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getOwnedAssets } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const assets = await getOwnedAssets(client, { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' })
 * ```
 */
export async function getOwnedAssets(
  client: SoukClient,
  { address }: GetOwnedAssetsParameters,
): Promise<GetOwnedAssetsReturnType> {
  const { items } = await client.json<{ items: Asset[] }>(
    `/api/v1/marketplace/user/${encodeURIComponent(address)}/agents`,
  );
  return items;
}
