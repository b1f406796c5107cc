import type { ModelPerformance } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

export type GetModelPerformanceParameters = {
  /** At most this many models, the most recently evaluated first, 1…100. @default 20 */
  limit?: number | undefined;
};

/** One entry per evaluated model (`@souk/protocol`'s `ModelPerformance`, the node's response schema). */
export type GetModelPerformanceReturnType = ModelPerformance[];

/**
 * Every evaluated model's verified performance (`GET /api/v1/analytics/performance`): how many verified evaluations
 * and distinct datasets, the newest result and the most accurate one (ratios 0…1). Public.
 * @throws {SoukApiError} 400 for a limit out of range.
 * @example
 * ```ts
 * for (const m of await getModelPerformance(client)) console.log(m.name, m.best.accuracy)
 * ```
 */
export async function getModelPerformance(
  client: SoukClient,
  { limit }: GetModelPerformanceParameters = {},
): Promise<GetModelPerformanceReturnType> {
  const query = limit === undefined ? '' : `?limit=${limit}`;
  const { items } = await client.json<{ items: ModelPerformance[] }>(`/api/v1/analytics/performance${query}`);
  return items;
}
