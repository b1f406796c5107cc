import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';
import type { TransactMode } from '../transactions.ts';
import type { PublishAssetReturnType } from './publishAsset.ts';

export type MintManifestParameters = {
  /** CID of a manifest this node stored (e.g. from `publishAsset` with `mint: { mode: 'unsigned' }`). */
  manifestCid: string;
  kind: 'model' | 'agent' | 'dataset';
  /** Royalty on resales, basis points (0..1000). */
  royaltyBps: number;
  /** `submit` (default on the devnet): the node signs; `unsigned`: returns the transaction. `to`: recipient. */
  mint?: { mode?: TransactMode | undefined; to?: string | undefined } | undefined;
};
export type MintManifestReturnType = PublishAssetReturnType;
export type MintManifestErrorType = SoukApiError | SoukError;

/**
 * Mints an already-stored manifest as a new asset (`POST /api/v1/models/mint`), e.g. to retry a mint or to mint a
 * manifest prepared earlier without minting.
 * @param client - A signed-in client.
 * @param parameters - {@link MintManifestParameters}
 * @returns The asset id (decimal string) when the node submitted the mint, else the unsigned transaction.
 * @throws {SoukApiError} 400 on a malformed CID, 401 without credentials, 403 when the manifest was published by
 * another account (only its publisher may mint it), 404 when the node stored no such manifest, 409 when its content
 * is already published as an asset, 422 when the mint reverts.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { mintManifest } from '@souk/sdk'
 * const { assetId } = await mintManifest(client, { manifestCid, kind: 'model', royaltyBps: 500 })
 * ```
 */
export function mintManifest(
  client: SoukClient,
  { manifestCid, kind, royaltyBps, mint }: MintManifestParameters,
): Promise<MintManifestReturnType> {
  return client.json('/api/v1/models/mint', {
    method: 'POST',
    body: {
      manifestCid,
      kind,
      royaltyBps,
      ...(mint ? { mint: { ...(mint.mode ? { mode: mint.mode } : {}), ...(mint.to ? { to: mint.to } : {}) } } : {}),
    },
  });
}
