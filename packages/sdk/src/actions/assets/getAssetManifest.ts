import type { LineageRoyalty, VerificationSpec } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';
import type { TensorSpec } from './publishAsset.ts';

/** The Souk asset manifest, version 1 (what the asset's `tokenURI` `ipfs://<cid>` points to). */
export type AssetManifest = {
  /** Manifest format version: 1. */
  souk: 1;
  name: string;
  kind: 'model' | 'agent' | 'dataset';
  description?: string;
  runtime?: {
    engine: string;
    version?: string;
    /** Pre/post-processing the provider applies, e.g. `ocr`; absent: the generic `onnx` pipeline. */
    pipeline?: string;
    /**
     * Media types a job's input may have (`image/png`, `audio/wav`…), for a pipeline that decodes a medium. Older
     * manifests lack it: `@souk/protocol`'s `inputMediaTypesOf` answers for them by pipeline.
     */
    inputMediaTypes?: string[];
    /** How redundant results are compared: `exact` (absent) or `tolerance` with `atol`/`rtol` (docs/orders.md). */
    verification?: VerificationSpec;
  };
  inputs?: TensorSpec[];
  outputs?: TensorSpec[];
  /** Model card, Markdown. */
  modelCard?: string;
  license: {
    /** SPDX id, URL or the terms' text. */
    terms: string;
    /** List price, wei of `currency` as a decimal string. */
    price?: string;
    /** ERC-20 address; absent = native currency. */
    currency?: string;
    /** Licence duration, seconds; absent = perpetual. */
    durationSeconds?: number;
    /** Lineage royalty claimed of models derived from this asset, basis points (docs/training.md). */
    derivedRoyaltyBps?: number;
  };
  /** ERC-2981 royalty on resales, basis points (0..1000). */
  royaltyBps: number;
  content: {
    /** CIDv1 of the stored (possibly encrypted) file. */
    cid: string;
    /** Plaintext size, bytes. */
    size: number;
    /** Plaintext SHA-256, lower-case hex. */
    sha256: string;
    /** `null` for a public asset stored in clear. */
    encryption: {
      algorithm: 'AES-256-GCM-STREAM' /** Plaintext bytes per chunk. */;
      chunkSize: number;
      version: 1;
    } | null;
  };
  /** A model trained through the market: where its weights came from, written by the node (docs/training.md). */
  lineage?: {
    /** EIP-712 hash of the training order. */
    trainingOrder: string;
    /** The training-recipe asset (decimal id) and version. */
    recipe: { assetId: string; version: number };
    /** By SHA-256 of their bytes; `assetId` for a licensed dataset asset the order referenced (compute-to-data). */
    datasets: { sha256: string; assetId?: string }[];
    /** SHA-256 of the trained weights the providers agreed on, `0x` + hex. */
    weightsHash: string;
    template: { kind: 'mlp'; hidden: number[] };
    hyperparameters: { epochs: number; batchSize: number; learningRate: number; seed: number };
    /** Providers whose attestations verified the training (lower-case addresses). */
    providers: string[];
    /** Lineage royalties: who gets what share of the model's creator earnings (its RoyaltySplit pays them). */
    royalties?: LineageRoyalty[];
  };
  /** ISO 8601, UTC. */
  createdAt: string;
};

export type GetAssetManifestParameters = {
  /** Asset id (AgentNFT token id). */
  assetId: bigint;
};
export type GetAssetManifestReturnType = AssetManifest;
export type GetAssetManifestErrorType = SoukApiError | SoukError;

/**
 * The manifest of an asset's current version (`GET /api/v1/assets/:id/manifest`), read from the chain's
 * `tokenURI` and the node's storage (not from the index, so it is current right after a mint).
 * @param client - A Souk client.
 * @param parameters - {@link GetAssetManifestParameters}
 * @returns The manifest.
 * @throws {SoukApiError} 400 on a bad id, 403 when the asset copies someone else's manifest, 404 when the asset does
 * not exist or its manifest is not stored here, 409 while a version published from a wallet is not indexed yet.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getAssetManifest } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const manifest = await getAssetManifest(client, { assetId: 1n })
 * console.log(manifest.content.size, 'bytes')
 * ```
 */
export function getAssetManifest(
  client: SoukClient,
  { assetId }: GetAssetManifestParameters,
): Promise<GetAssetManifestReturnType> {
  return client.json(`/api/v1/assets/${assetId}/manifest`);
}
