import type { ModelEvaluation } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

export type GetModelEvaluationsParameters = {
  /** The model asset. */
  assetId: bigint | string;
  /** At most this many, newest first, 1…100. @default 20 */
  limit?: number | undefined;
};

/** The model's verified evaluations (`@souk/protocol`'s `ModelEvaluation`, the node's response schema). */
export type GetModelEvaluationsReturnType = ModelEvaluation[];

/**
 * The verified evaluations of a model (`GET /api/v1/assets/:id/evaluations`): each evaluation order whose providers
 * agreed — accuracy, macro precision/recall/F1 (0…1), the confusion matrix, the dataset's SHA-256 and the attesting
 * providers. Run one with `runOrder` and `encodeEvaluation(dataset)` from `@souk/protocol` as the input.
 * @throws {SoukApiError} 400 for a malformed id or limit.
 * @example
 * ```ts
 * const [latest] = await getModelEvaluations(client, { assetId: 7n })
 * console.log(`accuracy ${(latest.accuracy * 100).toFixed(1)} %, verified by ${latest.providers.length}`)
 * ```
 */
export async function getModelEvaluations(
  client: SoukClient,
  { assetId, limit }: GetModelEvaluationsParameters,
): Promise<GetModelEvaluationsReturnType> {
  const query = limit === undefined ? '' : `?limit=${limit}`;
  const { items } = await client.json<{ items: ModelEvaluation[] }>(`/api/v1/assets/${assetId}/evaluations${query}`);
  return items;
}
