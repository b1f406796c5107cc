import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';
import type { PublishAssetParameters, PublishAssetReturnType } from './publishAsset.ts';

export type PublishAssetVersionParameters = PublishAssetParameters & {
  /** Asset id (AgentNFT token id) the signed-in account owns. */
  assetId: bigint;
};
/** `assetId` is the given asset; `version` is `null` (read it from `getAsset` once indexed). */
export type PublishAssetVersionReturnType = PublishAssetReturnType;
export type PublishAssetVersionErrorType = SoukApiError | SoukError;

/**
 * Publishes a new version of an asset (`POST /api/v1/assets/:id/versions`): writes a manifest for an upload and
 * calls `AgentNFT.publishVersion`, submitted by the node for its devnet accounts or returned unsigned
 * (`mint.mode: 'unsigned'`).
 * @param client - A signed-in client; the caller must own the asset.
 * @param parameters - {@link PublishAssetVersionParameters}
 * @returns The new manifest's CID and URI, and the transaction hash or unsigned transaction.
 * @throws {SoukApiError} 401 without credentials, 403 when the caller does not own the asset (or the upload),
 * 404 unknown asset or upload, 409 when the upload is already published as another asset, 422 when the transaction
 * reverts.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { publishAssetVersion, uploadContent } from '@souk/sdk'
 * const { uploadId } = await uploadContent(client, { data: weightsV2 })
 * await publishAssetVersion(client, {
 *   assetId: 1n,
 *   uploadId,
 *   name: 'Receipt OCR v2',
 *   kind: 'model',
 *   license: { terms: 'CC-BY-4.0' },
 *   royaltyBps: 500,
 * })
 * ```
 */
export function publishAssetVersion(
  client: SoukClient,
  { assetId, ...manifest }: PublishAssetVersionParameters,
): Promise<PublishAssetVersionReturnType> {
  return client.json(`/api/v1/assets/${assetId}/versions`, { method: 'POST', body: manifest });
}
