import type { Asset } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

/** An asset as the node's index serves it (`@souk/protocol`'s, derived from the node's `Asset` schema). */
export type { Asset };

export type ListAssetsParameters = {
  kind?: 'model' | 'agent' | 'dataset' | undefined;
  creator?: string | undefined;
  owner?: string | undefined;
  /** wei */
  minPrice?: bigint | undefined;
  /** wei */
  maxPrice?: bigint | undefined;
  /** Text search in name and description. */
  q?: string | undefined;
  sort?: 'newest' | 'oldest' | 'price_asc' | 'price_desc' | undefined;
  /** 1..100 @default 20 */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
};
export type ListAssetsReturnType = { items: Asset[]; nextCursor: string | null };

/**
 * Lists assets from the node's index (`GET /api/v1/assets`).
 * @example
 * ```ts
 * const { items, nextCursor } = await listAssets(client, { kind: 'model', q: 'ocr', sort: 'price_asc' })
 * ```
 * @throws {SoukApiError} 400 on a bad filter or cursor.
 */
export function listAssets(client: SoukClient, parameters: ListAssetsParameters = {}): Promise<ListAssetsReturnType> {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) if (value !== undefined) search.set(key, String(value));
  return client.json(`/api/v1/assets?${search}`);
}
