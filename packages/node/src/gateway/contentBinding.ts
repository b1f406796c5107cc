/**
 * Content bindings: which asset may release an upload's content.
 *
 * A manifest is public and a mint is permissionless, so anyone can mint a token whose `tokenURI` is someone else's
 * manifest (`AgentNFT.mint`/`mintAgent` from any wallet, or `publishVersion` on an asset of their own). The node
 * therefore never trusts "the chain points at this manifest": it releases an upload's content only for the one asset
 * the upload's **publisher** (its uploader, who also wrote the manifest) put it on, checked against facts a copier
 * cannot forge:
 *
 * - version 0: `AgentNFT` records the minting `msg.sender` as the asset's creator (`creatorOf`, `AssetMinted.creator`);
 * - a later version: `publishVersion` is callable only by the owner, so the publisher owned the asset at that log
 *   (the indexer knows the owner at each log).
 *
 * The first such mint or version seen binds the upload to its asset (`content_bindings`, one row per upload, never
 * moved): the node writes it right after it submits the publisher's transaction, the indexer when it applies the
 * publisher's event (wallet mode), and the gateway on first use of a wallet mint not indexed yet (version 0 only —
 * the creator is on-chain state). A front-runner copying a pending mint gets a token whose creator is itself, which
 * never binds. Documented in docs/manifest.md, "Who may release the content".
 */
import { agentNftAbi, lineageRoyaltiesAbi, royaltySplitAbi } from '@souk/contracts';
import type { Kysely, Selectable } from 'kysely';
import type { ContentBindingSource, Database } from '../db/schema.ts';
import { ConflictError, ForbiddenError } from '../errors.ts';
import type { NodeServices } from '../services.ts';

type Db = Kysely<Database>;

/** A binding: the upload's content is released for `assetId` only. */
export type ContentBinding = {
  uploadId: string;
  /** AgentNFT token id, decimal. */
  assetId: string;
  /** The version that first carried the content (0: the mint). */
  version: number;
  /** The uploader (lower-case), who published it. */
  publisher: string;
  source: ContentBindingSource;
};

/**
 * What this node knows about a manifest it wrote: its upload, who uploaded it, and for a derived model the lineage
 * royalty split its asset must be minted with (`manifests.royalties`, migration 0015).
 */
export type ManifestOrigin = {
  manifestCid: string;
  uploadId: string;
  uploader: string;
  contentCid: string;
  royalties?: { accounts: string[]; bps: number[] } | undefined;
  /** The training order the manifest's lineage names (a trained model), lower-case. */
  trainingOrder?: string | undefined;
};

const toBinding = (row: Selectable<Database['content_bindings']>): ContentBinding => ({
  uploadId: row.upload_id,
  assetId: String(row.asset_id),
  version: row.version,
  publisher: row.publisher,
  source: row.source,
});

/** The manifest's upload, when this node wrote the manifest (`manifests` row); undefined otherwise. */
export async function manifestOrigin(db: Db, manifestCid: string): Promise<ManifestOrigin | undefined> {
  const row = await db
    .selectFrom('manifests')
    .innerJoin('uploads', 'uploads.id', 'manifests.upload_id')
    .select([
      'manifests.cid',
      'manifests.royalties',
      'manifests.training_order',
      'uploads.id',
      'uploads.uploader',
      'uploads.content_cid',
    ])
    .where('manifests.cid', '=', manifestCid)
    .executeTakeFirst();
  if (!row) return undefined;
  const royalties = row.royalties ? (JSON.parse(row.royalties) as Array<{ account: string; bps: number }>) : undefined;
  return {
    manifestCid: row.cid,
    uploadId: row.id,
    uploader: row.uploader,
    contentCid: row.content_cid,
    ...(row.training_order ? { trainingOrder: row.training_order } : {}),
    ...(royalties
      ? { royalties: { accounts: royalties.map((r) => r.account.toLowerCase()), bps: royalties.map((r) => r.bps) } }
      : {}),
  };
}

/** Whether a minted split pays exactly the accounts and shares a manifest recorded, in order. */
function sameSplit(
  wanted: { accounts: readonly string[]; bps: readonly number[] },
  minted: { accounts: readonly string[]; bps: readonly number[] } | undefined,
): boolean {
  if (!minted || minted.accounts.length !== wanted.accounts.length || minted.bps.length !== wanted.bps.length) {
    return false;
  }
  return wanted.accounts.every(
    (account, i) => account === minted.accounts[i]?.toLowerCase() && wanted.bps[i] === Number(minted.bps[i]),
  );
}

/** The binding of an upload, if it has one. */
export async function contentBindingOf(db: Db, uploadId: string): Promise<ContentBinding | undefined> {
  const row = await db.selectFrom('content_bindings').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
  return row && toBinding(row);
}

/** Parameters of {@link bindPublishedContent}. */
export type BindPublishedContentParameters = {
  /** AgentNFT token id. */
  assetId: bigint | string;
  /** The version the transaction published (0: the mint). */
  version: number;
  /** The version's URI as the chain holds it (`ipfs://<manifestCid>`); other URIs bind nothing. */
  uri: string;
  /**
   * Who published it, as the chain proves: the minter (`AssetMinted.creator`) for version 0, the owner at the
   * `VersionPublished` log (or the node-submitted transaction's sender) otherwise.
   */
  publisher: string;
  /** The transaction, when known. */
  txHash?: string | null | undefined;
  source: ContentBindingSource;
  /**
   * For version 0 minted through `LineageRoyalties.mintDerived` (its `DerivedMinted` event): the split the asset was
   * minted with; `publisher` is then the event's `creator`. A manifest that records lineage royalties binds only
   * with an equal split.
   */
  split?: { accounts: readonly string[]; bps: readonly number[] } | undefined;
};

/**
 * Records that asset `assetId` carries the content of its manifest's upload, when the publisher is the uploader and
 * the upload is not bound yet (first one wins; an existing binding is never moved). Idempotent.
 *
 * @returns The upload's binding after the call — possibly to another asset — or undefined when nothing binds (not a
 *   manifest this node wrote, or a publisher other than the uploader: a copy).
 */
export async function bindPublishedContent(
  db: Db,
  { assetId, version, uri, publisher, txHash, source, split }: BindPublishedContentParameters,
): Promise<ContentBinding | undefined> {
  if (!uri.startsWith('ipfs://')) return undefined;
  const origin = await manifestOrigin(db, uri.slice('ipfs://'.length));
  if (!origin) return undefined;
  if (origin.uploader !== publisher.toLowerCase()) return contentBindingOf(db, origin.uploadId);
  // A derived model owing lineage royalties binds only to the asset minted with its split: a plain mint of the same
  // manifest (or one with other shares) would leave the lineage unpaid.
  if (origin.royalties && (version !== 0 || !sameSplit(origin.royalties, split))) {
    return contentBindingOf(db, origin.uploadId);
  }
  await db
    .insertInto('content_bindings')
    .values({
      upload_id: origin.uploadId,
      asset_id: String(assetId),
      version,
      publisher: origin.uploader,
      tx_hash: txHash ?? null,
      source,
    })
    .onConflict((oc) => oc.column('upload_id').doNothing())
    .execute();
  const binding = await contentBindingOf(db, origin.uploadId);
  // A trained model's lineage goes on-chain for the version its content bound to (the leader sends it:
  // orders/lineageRecorder.ts); the pending row commits with the binding.
  if (origin.trainingOrder && binding && String(binding.assetId) === String(assetId) && binding.version === version) {
    await db
      .insertInto('model_lineages')
      .values({ asset_id: String(assetId), version, manifest_cid: origin.manifestCid, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['asset_id', 'version']).doNothing())
      .execute();
  }
  return binding;
}

/**
 * Refuses to (re)publish an upload that is already bound to another asset — checked before anything is written.
 * @param forAsset The asset a version is being published on (its own content may be reused); absent for a new mint.
 * @throws {ConflictError} (409) when the upload is bound to another asset (or, for a new mint, to any asset).
 */
export async function assertUploadPublishable(db: Db, uploadId: string, forAsset?: bigint): Promise<void> {
  const binding = await contentBindingOf(db, uploadId);
  if (!binding || (forAsset !== undefined && binding.assetId === String(forAsset))) return;
  throw new ConflictError(
    `Upload ${uploadId} is already published as asset ${binding.assetId}: this node releases its content for that ` +
      `asset only. Publish a version of asset ${binding.assetId}, or upload the content again for a new asset.`,
  );
}

/**
 * Refuses to mint a manifest the caller did not publish: only the uploader of its content may mint it, once.
 * @throws {ForbiddenError} (403) when the manifest's upload belongs to another account (a copy mint).
 * @throws {ConflictError} (409) when its upload is already bound to an asset.
 */
export async function assertManifestMintable(db: Db, origin: ManifestOrigin, caller: string): Promise<void> {
  if (origin.uploader !== caller.toLowerCase()) {
    throw new ForbiddenError(
      `Manifest ${origin.manifestCid} was published by ${origin.uploader}: only its publisher can mint it. This node ` +
        'releases its content only for the asset its publisher mints, so a copy would never reach the content.',
    );
  }
  await assertUploadPublishable(db, origin.uploadId);
}

/** What {@link requireContentBinding} checks. */
export type RequireContentBindingParameters = {
  /** AgentNFT token id of the asset whose content is asked for. */
  assetId: bigint;
  /** CID of the manifest the chain's `tokenURI` names for it. */
  manifestCid: string;
};

/**
 * Checks that asset `assetId` may release the content of its current manifest: the manifest is one this node wrote,
 * and its upload is bound to this asset — recording the binding on first use of the publisher's own mint when the
 * indexer has not seen it yet. Used by every path that releases content or runs a model: the licensed download,
 * the manifest endpoint, job submission, the job gateway, the coordinator and the referee (`assetManifest`).
 *
 * @returns The binding (to `assetId`).
 * @throws {ForbiddenError} (403) for a copy: a manifest this node did not write, content bound to another asset, an
 *   asset whose creator (or version publisher) is not the content's publisher, or a bound asset whose version the
 *   current chain no longer holds as published (after a reorg, until the indexer re-derives the binding).
 * @throws {ConflictError} (409) for a version published from a wallet that the indexer has not applied yet (retry).
 */
export async function requireContentBinding(
  { chain, db }: Pick<NodeServices, 'chain' | 'db'>,
  { assetId, manifestCid }: RequireContentBindingParameters,
): Promise<ContentBinding> {
  const origin = await manifestOrigin(db, manifestCid);
  if (!origin) {
    throw new ForbiddenError(
      `Asset ${assetId} points at manifest ${manifestCid}, which was not published through this node: it releases ` +
        'no content for it.',
    );
  }
  const copy = (boundTo: string) =>
    new ForbiddenError(
      `Asset ${assetId} is a copy: the content of manifest ${manifestCid} was published by ${origin.uploader} as ` +
        `asset ${boundTo}, and this node releases it for asset ${boundTo} only.`,
    );
  const binding = await contentBindingOf(db, origin.uploadId);
  const { agentNft } = chain.deployment.contracts;
  if (binding) {
    if (binding.assetId !== String(assetId)) throw copy(binding.assetId);
    // The binding was recorded from some chain; check that this one still holds it (after a reorg, a copy can hold
    // the token id until the indexer has rebuilt the asset).
    const [uri, creator] = await Promise.all([
      chain.publicClient.readContract({
        address: agentNft,
        abi: agentNftAbi,
        functionName: 'versionURI',
        args: [assetId, BigInt(binding.version)],
      }),
      binding.version === 0
        ? chain.publicClient.readContract({
            address: agentNft,
            abi: agentNftAbi,
            functionName: 'creatorOf',
            args: [assetId],
          })
        : undefined,
    ]).catch(() => [undefined, undefined] as const);
    const held = uri?.startsWith('ipfs://') ? await manifestOrigin(db, uri.slice('ipfs://'.length)) : undefined;
    const minter =
      creator === undefined || creator.toLowerCase() === binding.publisher
        ? creator
        : ((await derivedMinter(chain, assetId, creator))?.creator ?? creator);
    if (held?.uploadId === binding.uploadId && (minter === undefined || minter.toLowerCase() === binding.publisher)) {
      return binding;
    }
    throw new ForbiddenError(
      `Asset ${assetId} is a copy on the current chain: its version ${binding.version} is no longer the one its ` +
        `publisher ${binding.publisher} published with the content of manifest ${manifestCid} (a reorg?).`,
    );
  }
  // Not bound yet: the publisher's own wallet mint, not indexed yet, binds now (the creator is on-chain state).
  const [creator, firstUri] = await Promise.all([
    chain.publicClient.readContract({
      address: agentNft,
      abi: agentNftAbi,
      functionName: 'creatorOf',
      args: [assetId],
    }),
    chain.publicClient.readContract({
      address: agentNft,
      abi: agentNftAbi,
      functionName: 'versionURI',
      args: [assetId, 0n],
    }),
  ]);
  const first = firstUri.startsWith('ipfs://') ? await manifestOrigin(db, firstUri.slice('ipfs://'.length)) : undefined;
  if (first?.uploadId === origin.uploadId) {
    // A derived model minted through LineageRoyalties: its creator is its RoyaltySplit; the split names who minted.
    const derived = await derivedMinter(chain, assetId, creator);
    const bound = await bindPublishedContent(db, {
      assetId,
      version: 0,
      uri: firstUri,
      publisher: derived?.creator ?? creator,
      source: 'gateway',
      ...(derived ? { split: derived } : {}),
    });
    if (bound?.assetId === String(assetId)) return bound;
    if (bound) throw copy(bound.assetId);
    throw new ForbiddenError(
      `Asset ${assetId} is a copy: it was minted by ${creator.toLowerCase()}, but the content of manifest ` +
        `${manifestCid} was published by ${origin.uploader}, and this node releases it only for an asset its ` +
        'publisher mints.',
    );
  }
  // A later version. The indexer binds it when it applies the publisher's publishVersion; once it has applied this
  // version without binding it, the version was published by someone else than the content's publisher.
  const indexed = await db
    .selectFrom('asset_versions')
    .select(['version', 'block_number', 'tx_hash'])
    .where('asset_id', '=', String(assetId))
    .where('uri', '=', `ipfs://${manifestCid}`)
    .executeTakeFirst();
  if (indexed) {
    // The chain, not the index, decides who published it: publishVersion is owner-only, so the owner at the end of
    // the version's block is its publisher (barring a transfer in that very block, which only refuses). This also
    // binds a version whose indexed owner was not up to date when the indexer applied it.
    const publisher = await chain.publicClient
      .readContract({
        address: agentNft,
        abi: agentNftAbi,
        functionName: 'ownerOf',
        args: [assetId],
        blockNumber: BigInt(indexed.block_number),
      })
      .catch(() => undefined);
    if (publisher) {
      const bound = await bindPublishedContent(db, {
        assetId,
        version: indexed.version,
        uri: `ipfs://${manifestCid}`,
        publisher,
        txHash: indexed.tx_hash,
        source: 'gateway',
      });
      if (bound?.assetId === String(assetId)) return bound;
      if (bound) throw copy(bound.assetId);
    }
    throw new ForbiddenError(
      `Asset ${assetId} is a copy: its version ${indexed.version} points at manifest ${manifestCid}, whose content ` +
        `was published by ${origin.uploader}, who did not own asset ${assetId} when that version was published.`,
    );
  }
  throw new ConflictError(
    `The current version of asset ${assetId} (manifest ${manifestCid}) is not indexed yet: this node releases its ` +
      'content once it has seen who published it. Retry in a few seconds.',
  );
}

/**
 * When `creator` is the RoyaltySplit that LineageRoyalties minted `assetId` through, who minted it (the split's
 * creator) and the split's accounts and shares; otherwise undefined.
 */
async function derivedMinter(
  chain: NodeServices['chain'],
  assetId: bigint,
  creator: string,
): Promise<{ creator: string; accounts: readonly string[]; bps: readonly number[] } | undefined> {
  const split = await chain.publicClient
    .readContract({
      address: chain.deployment.contracts.lineageRoyalties,
      abi: lineageRoyaltiesAbi,
      functionName: 'splitOf',
      args: [assetId],
    })
    .catch(() => undefined);
  if (!split || split.toLowerCase() !== creator.toLowerCase()) return undefined;
  const [minter, accounts, bps] = await chain.publicClient.readContract({
    address: split,
    abi: royaltySplitAbi,
    functionName: 'recipients',
  });
  return { creator: minter, accounts, bps };
}
