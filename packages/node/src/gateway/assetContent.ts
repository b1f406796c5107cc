/**
 * Reading an asset's current manifest (from the chain's `tokenURI` and the block store — never the index) and
 * streaming stored content as verified plaintext. Shared by the licensed download, the job gateway (providers) and
 * the node's referee.
 */
import { agentNftAbi } from '@souk/contracts';
import { NotFoundError } from '../errors.ts';
import type { NodeServices } from '../services.ts';
import type { ByteRange } from '../storage/crypto.ts';
import { decodeManifest, type Manifest } from '../storage/manifest.ts';

/**
 * The manifest of an asset's current version.
 * @throws {NotFoundError} (404) for an unknown asset, a non-Souk URI, or a manifest this node does not store.
 */
export async function assetManifest(
  { chain, storage }: Pick<NodeServices, 'chain' | 'storage'>,
  assetId: bigint,
): Promise<{ manifest: Manifest; manifestCid: string }> {
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
  return { manifest: decodeManifest(bytes), manifestCid };
}

/** Stored content: where it is and how to check it (a manifest's `content`, or an upload row). */
export type StoredContent = { cid: string; size: number; sha256: string; encrypted: boolean };

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
    const upload = await db
      .selectFrom('uploads')
      .select(['wrapped_key'])
      .where('content_cid', '=', content.cid)
      .where('wrapped_key', 'is not', null)
      .executeTakeFirst();
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

/** A manifest's `content` as {@link StoredContent}. */
export function manifestContent(manifest: Manifest): StoredContent {
  const { cid, size, sha256, encryption } = manifest.content;
  return { cid, size, sha256, encrypted: encryption !== null };
}

/** Collects a byte stream (for content known to be small, e.g. a job input or a model bundle). */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}
