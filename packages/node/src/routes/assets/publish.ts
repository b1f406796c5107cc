/**
 * Uploading content and publishing assets: streaming upload through the gateway, manifest creation, and minting —
 * submitted by the node for devnet accounts it holds keys for, or returned as an unsigned transaction.
 */
import { agentNftAbi, lineageRoyaltiesAbi } from '@souk/contracts';
import {
  type LineageRoyalty,
  MAX_DERIVED_ROYALTY_BPS,
  MAX_INPUT_MEDIA_TYPES,
  MEDIA_TYPE_PATTERN,
} from '@souk/protocol';
import type { FastifyInstance } from 'fastify';
import { type Address, decodeEventLog, encodeFunctionData, type Hex } from 'viem';
import { type TransactMode, transact } from '../../chain/transact.ts';
import { ForbiddenError, InvalidOrderError, NotFoundError } from '../../errors.ts';
import { assertUploadPublishable, bindPublishedContent } from '../../gateway/contentBinding.ts';
import { copyManifestMetadata } from '../../gateway/manifestMetadata.ts';
import { trainingLineage } from '../../orders/lineage.ts';
import { encodeManifest, type Manifest } from '../../storage/manifest.ts';

const KINDS = ['model', 'agent', 'dataset'] as const;
type Kind = (typeof KINDS)[number];

const tensor = {
  type: 'object',
  required: ['name', 'dtype', 'shape'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 256 },
    dtype: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,31}$' },
    shape: {
      type: 'array',
      maxItems: 32,
      items: {
        anyOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', minLength: 1, maxLength: 64 },
        ],
      },
    },
  },
} as const;

/** Body of `POST /assets` and `POST /assets/:id/versions`. */
export type PublishBody = {
  uploadId: string;
  name: string;
  kind: Kind;
  description?: string;
  runtime?: Manifest['runtime'];
  inputs?: Manifest['inputs'];
  outputs?: Manifest['outputs'];
  modelCard?: string;
  license: Manifest['license'];
  royaltyBps: number;
  /** A model trained through the market: the training order, from which the node writes the manifest's lineage. */
  lineage?: { trainingOrder: string };
  mint?: { mode?: 'submit' | 'unsigned'; to?: Address };
};

export const publishBodySchema = {
  type: 'object',
  required: ['uploadId', 'name', 'kind', 'license', 'royaltyBps'],
  additionalProperties: false,
  properties: {
    uploadId: { type: 'string', format: 'uuid' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { type: 'string', enum: KINDS },
    description: { type: 'string', maxLength: 10_000 },
    runtime: {
      type: 'object',
      required: ['engine'],
      additionalProperties: false,
      properties: {
        engine: { type: 'string', minLength: 1, maxLength: 64 },
        version: { type: 'string', minLength: 1, maxLength: 64 },
        pipeline: { type: 'string', minLength: 1, maxLength: 64 },
        inputMediaTypes: {
          description: "media types a job's input may have, for a pipeline that decodes a medium (docs/manifest.md)",
          type: 'array',
          minItems: 1,
          maxItems: MAX_INPUT_MEDIA_TYPES,
          uniqueItems: true,
          items: { type: 'string', pattern: MEDIA_TYPE_PATTERN, maxLength: 255 },
        },
        verification: {
          description: 'how independent runs must agree (docs/manifest.md); absent: exact',
          oneOf: [
            {
              type: 'object',
              required: ['class'],
              additionalProperties: false,
              properties: { class: { const: 'exact' } },
            },
            {
              type: 'object',
              required: ['class', 'atol', 'rtol'],
              additionalProperties: false,
              properties: {
                class: { const: 'tolerance' },
                atol: { type: 'number', minimum: 0 },
                rtol: { type: 'number', minimum: 0, maximum: 1 },
              },
            },
          ],
        },
      },
    },
    inputs: { type: 'array', maxItems: 256, items: tensor },
    outputs: { type: 'array', maxItems: 256, items: tensor },
    modelCard: { type: 'string', maxLength: 262_144 },
    lineage: {
      type: 'object',
      description:
        'For a model trained through the market: the training order (its EIP-712 hash). The node checks that the ' +
        'caller ordered it, that its result is verified and that the upload is the model it trained, and writes the ' +
        "manifest's lineage from its own record (docs/training.md).",
      required: ['trainingOrder'],
      additionalProperties: false,
      properties: { trainingOrder: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } },
    },
    license: {
      type: 'object',
      required: ['terms'],
      additionalProperties: false,
      properties: {
        terms: { type: 'string', minLength: 1, maxLength: 10_000 },
        price: { type: 'string', pattern: '^(0|[1-9][0-9]{0,77})$', format: 'uint256', description: 'wei of currency' },
        currency: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
        durationSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 2 ** 53 - 1,
          description: 'seconds (uint64 on-chain)',
        },
        derivedRoyaltyBps: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_DERIVED_ROYALTY_BPS,
          description:
            'lineage royalty this asset claims of every model trained from it (a recipe) or on it (a dataset), ' +
            "bps of the derived model's creator earnings (docs/training.md)",
        },
      },
    },
    royaltyBps: { type: 'integer', minimum: 0, maximum: 1000 },
    mint: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: {
          type: 'string',
          enum: ['submit', 'unsigned'],
          description: 'submit: the node signs with a devnet account it holds',
        },
        to: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
      },
    },
  },
} as const;

export const publishResultSchema = {
  type: 'object',
  properties: {
    manifestCid: { type: 'string' },
    manifestUri: { type: 'string' },
    assetId: { type: ['string', 'null'] },
    version: { type: ['integer', 'null'] },
    transactionHash: { type: ['string', 'null'] },
    transaction: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          description: 'Unsigned transaction for the caller’s wallet',
          properties: {
            chainId: { type: 'integer' },
            to: { type: 'string' },
            data: { type: 'string' },
            value: { type: 'string' },
          },
        },
      ],
    },
  },
} as const;

const kindIndex = (kind: Kind) => KINDS.indexOf(kind);

/**
 * Builds and stores the manifest for an upload the caller owns; records it. Returns its CID.
 * @param forAsset The asset a version is written for (its own bound upload may be reused); absent for a new asset.
 * @throws {NotFoundError} (404) for an unknown upload.
 * @throws {ForbiddenError} (403) for an upload of another account.
 * @throws {ConflictError} (409) for an upload already published as another asset (`assertUploadPublishable`).
 */
export async function writeManifest(
  app: FastifyInstance,
  caller: Address,
  body: PublishBody,
  forAsset?: bigint,
): Promise<string> {
  const { db, storage } = app.souk;
  const upload = await db.selectFrom('uploads').selectAll().where('id', '=', body.uploadId).executeTakeFirst();
  if (!upload) throw new NotFoundError(`No upload ${body.uploadId}.`);
  if (upload.uploader !== caller.toLowerCase()) {
    throw new ForbiddenError(
      `Upload ${body.uploadId} belongs to another account: only its uploader can publish it (this node releases ` +
        'content only for the asset its uploader publishes).',
    );
  }
  await assertUploadPublishable(db, upload.id, forAsset);
  const lineage = body.lineage
    ? await trainingLineage(app.souk, caller, body.lineage.trainingOrder, upload.sha256)
    : undefined;
  if (forAsset !== undefined && lineage?.royalties?.length) {
    // An existing asset's creator is not a split paying this lineage: its royalties could not be honoured.
    throw new InvalidOrderError(
      `The model trained by order ${lineage.trainingOrder} owes lineage royalties (${lineage.royalties
        .map((r) => `${r.bps} bps to ${r.account}`)
        .join(
          ', ',
        )}): publish it as a new asset, minted with its royalty split, not as a version of asset ${forAsset}.`,
    );
  }
  const manifest: Manifest = {
    souk: 1,
    name: body.name,
    kind: body.kind,
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.runtime ? { runtime: body.runtime } : {}),
    ...(body.inputs ? { inputs: body.inputs } : {}),
    ...(body.outputs ? { outputs: body.outputs } : {}),
    ...(body.modelCard !== undefined ? { modelCard: body.modelCard } : {}),
    license: body.license,
    royaltyBps: body.royaltyBps,
    content: {
      cid: upload.content_cid,
      size: Number(upload.size),
      sha256: upload.sha256,
      encryption: (upload.encryption as Manifest['content']['encryption']) ?? null,
    },
    ...(lineage ? { lineage } : {}),
    createdAt: new Date().toISOString(),
  };
  const manifestCid = await storage.store.putRaw(encodeManifest(manifest));
  await db
    .insertInto('manifests')
    .values({
      cid: manifestCid,
      upload_id: upload.id,
      kind: body.kind,
      name: body.name,
      description: body.description ?? null,
      created_by: caller.toLowerCase(),
      royalties: lineage?.royalties?.length ? JSON.stringify(lineage.royalties) : null,
      training_order: lineage?.trainingOrder ?? null,
    })
    .onConflict((oc) => oc.column('cid').doNothing())
    .execute();
  return manifestCid;
}

/** Sends one AgentNFT call (or, with `to`, a call to another Souk contract) for `caller` (see `chain/transact.ts`). */
export async function submitOrPrepare(
  app: FastifyInstance,
  caller: Address,
  data: Hex,
  mode: TransactMode,
  to: Address = app.souk.chain.deployment.contracts.agentNft,
) {
  const { chain } = app.souk;
  const result = await transact(chain, caller, [{ to, data }], mode);
  return {
    transactionHash: result.transactionHashes[0] ?? null,
    logs: result.logs,
    transaction: result.transactions?.[0] ?? null,
  };
}

/** What a mint needs besides the manifest. */
export type MintOptions = Pick<PublishBody, 'kind' | 'royaltyBps' | 'mint'>;

/**
 * Mints the manifest at `manifestCid`; returns the new asset id when the node submitted it. A derived model whose
 * lineage declares royalties (the `manifests.royalties` this node recorded) is minted through
 * `LineageRoyalties.mintDerived` with exactly those accounts and shares, so its creator is its RoyaltySplit.
 */
export async function mintManifest(app: FastifyInstance, caller: Address, manifestCid: string, options: MintOptions) {
  const { db, chain } = app.souk;
  const uri = `ipfs://${manifestCid}`;
  const to = options.mint?.to ?? caller;
  const recorded = await db
    .selectFrom('manifests')
    .select('royalties')
    .where('cid', '=', manifestCid)
    .executeTakeFirst();
  const royalties = recorded?.royalties ? (JSON.parse(recorded.royalties) as LineageRoyalty[]) : [];
  const sent =
    royalties.length > 0
      ? await submitOrPrepare(
          app,
          caller,
          encodeFunctionData({
            abi: lineageRoyaltiesAbi,
            functionName: 'mintDerived',
            args: [
              to,
              uri,
              options.royaltyBps,
              royalties.map((r) => r.account as Address),
              royalties.map((r) => r.bps),
            ],
          }),
          options.mint?.mode,
          chain.deployment.contracts.lineageRoyalties,
        )
      : await submitOrPrepare(
          app,
          caller,
          encodeFunctionData({
            abi: agentNftAbi,
            functionName: 'mint',
            args: [to, uri, kindIndex(options.kind), options.royaltyBps],
          }),
          options.mint?.mode,
        );
  let assetId: bigint | null = null;
  let creator: Address = caller;
  let split: { accounts: readonly Address[]; bps: readonly number[] } | undefined;
  for (const log of sent.logs) {
    const from = log.address.toLowerCase();
    try {
      if (from !== chain.deployment.contracts.agentNft.toLowerCase()) throw new Error('not AgentNFT');
      const event = decodeEventLog({ abi: agentNftAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      if (event.eventName === 'AssetMinted') ({ tokenId: assetId, creator } = event.args);
    } catch {}
    try {
      if (from !== chain.deployment.contracts.lineageRoyalties.toLowerCase()) throw new Error('not LineageRoyalties');
      const event = decodeEventLog({ abi: lineageRoyaltiesAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      // The split is the token's creator; the one who minted through it (the caller) is the content's publisher.
      if (event.eventName === 'DerivedMinted') {
        creator = event.args.creator;
        split = { accounts: event.args.accounts, bps: event.args.bps };
      }
    } catch {}
  }
  if (assetId !== null) {
    // The node sent the publisher's own mint: bind the content to it now (the indexer would, a poll later).
    await bindPublishedContent(app.souk.db, {
      assetId,
      version: 0,
      uri: `ipfs://${manifestCid}`,
      publisher: creator,
      txHash: sent.transactionHash,
      source: 'node',
      ...(split ? { split } : {}),
    });
    await copyManifestMetadata(app.souk.db, assetId, manifestCid);
  }
  return {
    manifestCid,
    manifestUri: `ipfs://${manifestCid}`,
    assetId: assetId === null ? null : assetId.toString(),
    version: assetId === null ? null : 0,
    transactionHash: sent.transactionHash,
    transaction: sent.transaction,
  };
}
