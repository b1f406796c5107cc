import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** A marketplace listing, as indexed. */
export type Listing = {
  /** Asset id (AgentNFT token id), decimal string. */
  assetId: string;
  /** Lower-case address. */
  seller: string;
  /** ERC-20 address, `0x000…0` for the native currency. */
  currency: string;
  /** Price, wei of `currency` as a decimal string. */
  priceWei: string;
  /** False once sold or cancelled. */
  active: boolean;
  listedBlock: number;
  /** ISO 8601. */
  listedAt: string;
  kind: 'model' | 'agent' | 'dataset';
  name: string | null;
};

export type GetListingsParameters = {
  /** `true`: open listings; `false`: closed ones (sold, cancelled or stale). @default true */
  active?: boolean | undefined;
  /** Only this seller's listings. */
  seller?: string | undefined;
  /** Page size, 1..100. @default 50 */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
};
export type GetListingsReturnType = { items: Listing[]; nextCursor: string | null };
export type GetListingsErrorType = SoukApiError | SoukError;

/**
 * Marketplace listings from the node's index, newest first (`GET /api/v1/marketplace/list`).
 * @param client - A Souk client.
 * @param parameters - {@link GetListingsParameters}
 * @returns One page of listings and the cursor of the next (`null` on the last page).
 * @throws {SoukApiError} 400 on a bad filter or cursor.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getListings } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const { items, nextCursor } = await getListings(client, { limit: 20 })
 * ```
 */
export function getListings(
  client: SoukClient,
  parameters: GetListingsParameters = {},
): Promise<GetListingsReturnType> {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) if (value !== undefined) search.set(key, String(value));
  return client.json(`/api/v1/marketplace/list?${search}`);
}
