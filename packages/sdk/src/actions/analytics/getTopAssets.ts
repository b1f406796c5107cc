import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** An asset ranked by trading volume in one currency. */
export type TopAsset = {
  /** Asset id, decimal string. */
  id: string;
  kind: 'model' | 'agent' | 'dataset';
  name: string | null;
  creator: string;
  owner: string;
  sales: number;
  /** wei, decimal string. */
  sales_volume: string;
  licences: number;
  /** wei, decimal string. */
  licence_volume: string;
  /** `sales_volume + licence_volume`, wei as a decimal string. */
  volume: string;
};

export type GetTopAssetsParameters = {
  /** How many, 1..100. @default 10 */
  limit?: number | undefined;
  /** Currency to rank by (ERC-20 address). @default native (`0x000…0`) */
  currency?: string | undefined;
};
/** Highest volume first. */
export type GetTopAssetsReturnType = TopAsset[];
export type GetTopAssetsErrorType = SoukApiError | SoukError;

/**
 * Assets with the most volume (sales + licences) in one currency (`GET /api/v1/analytics/top-assets`).
 * @param client - A Souk client.
 * @param parameters - {@link GetTopAssetsParameters}
 * @returns The ranking, highest volume first.
 * @throws {SoukApiError} 400 on a bad limit or currency.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getTopAssets } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const [best] = await getTopAssets(client, { limit: 5 })
 * ```
 */
export async function getTopAssets(
  client: SoukClient,
  { limit, currency }: GetTopAssetsParameters = {},
): Promise<GetTopAssetsReturnType> {
  const search = new URLSearchParams();
  if (limit !== undefined) search.set('limit', String(limit));
  if (currency) search.set('currency', currency);
  const { items } = await client.json<{ items: TopAsset[] }>(`/api/v1/analytics/top-assets?${search}`);
  return items;
}
