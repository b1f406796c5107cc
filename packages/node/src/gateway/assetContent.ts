/**
 * Reading an asset's current manifest (from the chain's `tokenURI` and the block store — never the index) and
 * streaming stored content as verified plaintext. Shared by the licensed download, the job gateway (providers), job
 * submission, the coordinator and the node's referee. A manifest is returned only for the asset its content is bound
 * to (`contentBinding.ts`): a token copying someone else's manifest gets a 403, never the content.
 */
import { agentNftAbi } from '@souk/contracts';
import { NotFoundError } from '../errors.ts';
import type { NodeServices } from '../services.ts';
import type { ByteRange } from '../storage/crypto.ts';
import { decodeManifest, type Manifest } from '../storage/manifest.ts';
import { requireContentBinding } from './contentBinding.ts';

/**
 * The manifest of an asset's current version, checked to be the asset its content is bound to.
 * @returns The manifest, its CID and the upload holding its content (whose key releases it).
 * @throws {NotFoundError} (404) for an unknown asset, a non-Souk URI, or a manifest this node does not store.
 * @throws {ForbiddenError} (403) for a copy: the manifest's content is bound to another asset, or the manifest was
 *   not published through this node (see `requireContentBinding`).
 * @throws {ConflictError} (409) for a version published from a wallet that the indexer has not applied yet.
 */
export async function assetManifest(
  { chain, db, storage }: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  assetId: bigint,
): Promise<{ manifest: Manifest; manifestCid: string; uploadId: string }> {
  const uri = await chain.publicClient
    .readContract({
      address: chain.deployment.contracts.agentNft,
      abi: agentNftAbi,
      functionName: 'tokenURI',
      args: [assetId],
    })
    .catch(() => {
      throw new NotFoundError(`No asset ${assetId}.`);
    });
  if (!uri.startsWith('ipfs://')) throw new NotFoundError(`Asset ${assetId} has no Souk manifest (${uri}).`);
  const manifestCid = uri.slice('ipfs://'.length);
  const bytes = await storage.store.getRaw(manifestCid).catch(() => {
    throw new NotFoundError(`Manifest ${manifestCid} of asset ${assetId} is not in this node's storage.`);
  });
  const manifest = decodeManifest(bytes);
  const { uploadId } = await requireContentBinding({ chain, db }, { assetId, manifestCid });
  return { manifest, manifestCid, uploadId };
}

/**
 * Stored content: where it is and how to check it (a manifest's `content`, or an upload row), and optionally the
 * upload whose wrapped key decrypts it (otherwise any upload of that content CID holding a key).
 */
export type StoredContent = { cid: string; size: number; sha256: string; encrypted: boolean; uploadId?: string };

/**
 * Streams stored content as plaintext, looking up its wrapped key when encrypted.
 * @param range Plaintext bytes to return; absent: all of it, SHA-256 checked at the end.
 * @throws {NotFoundError} (404) when the content is encrypted and this node holds no key for it.
 * @throws Gateway errors (hash, size, ciphertext) while streaming.
 */
export async function contentStream(
  { db, storage }: Pick<NodeServices, 'db' | 'storage'>,
  content: StoredContent,
  range?: ByteRange | undefined,
): Promise<AsyncIterable<Uint8Array>> {
  let wrappedKey: string | null = null;
  if (content.encrypted) {
    let query = db
      .selectFrom('uploads')
      .select(['wrapped_key'])
      .where('content_cid', '=', content.cid)
      .where('wrapped_key', 'is not', null);
    if (content.uploadId !== undefined) query = query.where('id', '=', content.uploadId);
    const upload = await query.executeTakeFirst();
    if (!upload) throw new NotFoundError(`This node does not hold the key of content ${content.cid}.`);
    wrappedKey = upload.wrapped_key;
  }
  return storage.gateway.download({
    contentCid: content.cid,
    wrappedKey,
    size: content.size,
    sha256: content.sha256,
    range,
  });
}

/**
 * A manifest's `content` as {@link StoredContent}.
 * @param uploadId The upload bound to the asset (`assetManifest`'s `uploadId`): its key, and only its key, is used.
 */
export function manifestContent(manifest: Manifest, uploadId?: string): StoredContent {
  const { cid, size, sha256, encryption } = manifest.content;
  return { cid, size, sha256, encrypted: encryption !== null, ...(uploadId !== undefined ? { uploadId } : {}) };
}

/** Collects a byte stream (for content known to be small, e.g. a job input or a model bundle). */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}
