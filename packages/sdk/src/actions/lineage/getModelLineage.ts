import type { ModelLineage } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

export type GetModelLineageParameters = {
  /** The trained model asset. */
  assetId: bigint | string;
  /** Its version; default the current one. */
  version?: number | undefined;
};

/** `@souk/protocol`'s `ModelLineage`, the node's response schema. */
export type GetModelLineageReturnType = ModelLineage;

/**
 * A trained model version's lineage (`GET /api/v1/assets/:id/lineage`): the manifest's `lineage`, the
 * `Lineages.record` transaction once mined (`chainTx`), and what the Lineages contract holds (`onChain`: recipe,
 * weights hash, datasets, the training jobs and the providers whose attestations it checked; null until recorded).
 * @throws {SoukApiError} 404 for an unknown asset or version, or one that declares no lineage.
 * @example
 * ```ts
 * const { chainTx, onChain } = await getModelLineage(client, { assetId: 12n })
 * ```
 */
export function getModelLineage(
  client: SoukClient,
  { assetId, version }: GetModelLineageParameters,
): Promise<GetModelLineageReturnType> {
  return client.json(`/api/v1/assets/${assetId}/lineage${version === undefined ? '' : `?version=${version}`}`);
}
