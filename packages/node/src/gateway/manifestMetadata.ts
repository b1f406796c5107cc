/**
 * Manifest fields (name, description, content CID) of manifests this node wrote, copied onto indexed assets. Used
 * right after the node mints, and by the indexer hook for assets minted from a wallet. Only the asset the manifest's
 * content is bound to gets them (`contentBinding.ts`): a token copying someone else's manifest is not listed under
 * the original's name and description.
 */
import type { SoukDb } from '../db/index.ts';
import { setAssetMetadata } from '../db/queries.ts';

/**
 * Copies the fields of the manifest at `manifestCid` (a CID, not a URI) onto asset `tokenId`, when the manifest's
 * content is bound to that asset (call it after the binding is recorded).
 * @returns Whether the fields were written: false for a manifest this node did not write, or a copy.
 */
export async function copyManifestMetadata(db: SoukDb, tokenId: bigint, manifestCid: string): Promise<boolean> {
  const row = await db
    .selectFrom('manifests')
    .innerJoin('uploads', 'uploads.id', 'manifests.upload_id')
    .innerJoin('content_bindings', 'content_bindings.upload_id', 'manifests.upload_id')
    .select(['manifests.name', 'manifests.description', 'uploads.content_cid'])
    .where('manifests.cid', '=', manifestCid)
    .where('content_bindings.asset_id', '=', String(tokenId))
    .executeTakeFirst();
  if (!row) return false;
  await setAssetMetadata(db, tokenId, {
    name: row.name,
    description: row.description,
    manifestCid,
    contentCid: row.content_cid,
  });
  return true;
}
