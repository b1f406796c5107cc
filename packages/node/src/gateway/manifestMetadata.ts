/**
 * Manifest fields (name, description, content CID) of manifests this node wrote, copied onto indexed assets. Used
 * right after the node mints, and by the indexer hook for assets minted from a wallet.
 */
import type { SoukDb } from '../db/index.ts';
import { setAssetMetadata } from '../db/queries.ts';

/**
 * Copies the fields of the manifest at `manifestCid` (a CID, not a URI) onto asset `tokenId`.
 * @returns Whether this node knew the manifest (nothing is written otherwise).
 */
export async function copyManifestMetadata(db: SoukDb, tokenId: bigint, manifestCid: string): Promise<boolean> {
  const row = await db
    .selectFrom('manifests')
    .innerJoin('uploads', 'uploads.id', 'manifests.upload_id')
    .select(['manifests.name', 'manifests.description', 'uploads.content_cid'])
    .where('manifests.cid', '=', manifestCid)
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
