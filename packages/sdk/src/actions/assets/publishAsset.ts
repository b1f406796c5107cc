import type { VerificationSpec } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

/** A tensor an asset takes or returns (ONNX-style). */
export type TensorSpec = {
  /** Tensor name, as in the model graph. */
  name: string;
  /** Element type, ONNX spelling: `float32`, `int64`, `uint8`… */
  dtype: string;
  /** Dimensions: a size, or a name for a dynamic dimension (`"batch"`). */
  shape: Array<number | string>;
};

export type PublishAssetParameters = {
  /** From `uploadContent`. */
  uploadId: string;
  name: string;
  kind: 'model' | 'agent' | 'dataset';
  description?: string;
  runtime?:
    | {
        engine: string;
        version?: string;
        pipeline?: string;
        /** Media types a job's input may have (`image/png`…), for a pipeline that decodes a medium; 1–32. */
        inputMediaTypes?: string[];
        /** How independent runs must agree (`@souk/protocol`'s `tolerance.ts`); absent: exact. */
        verification?: VerificationSpec;
      }
    | undefined;
  /** Input tensors (at most 256). */
  inputs?: TensorSpec[];
  /** Output tensors (at most 256). */
  outputs?: TensorSpec[];
  modelCard?: string;
  license: {
    terms: string;
    /** Wei, decimal string. */
    price?: string;
    currency?: string;
    durationSeconds?: number;
    /**
     * Lineage royalty this asset claims of every model trained from it (a recipe) or on it (a dataset): basis points
     * of the derived model's creator earnings, 1 … `MAX_DERIVED_ROYALTY_BPS` (2,500), paid by its RoyaltySplit.
     */
    derivedRoyaltyBps?: number;
  };
  /** Royalty on resales, basis points (0..1000). */
  royaltyBps: number;
  /**
   * A model trained through the market: its training order's hash. The node checks that you ordered it, that it is
   * verified and that the upload is its model, and writes the manifest's `lineage` from its own record.
   */
  lineage?: { trainingOrder: string };
  /** `submit`: the node signs (devnet accounts); `unsigned`: returns the transaction for your wallet. */
  mint?: { mode?: 'submit' | 'unsigned'; to?: string };
};
export type PublishAssetReturnType = {
  manifestCid: string;
  manifestUri: string;
  /** Decimal string, when the node minted it. */
  assetId: string | null;
  version: number | null;
  transactionHash: string | null;
  transaction: { chainId: number; to: string; data: string; value: string } | null;
};

/**
 * Writes the manifest of an upload and mints the asset (`POST /api/v1/assets`).
 * @throws {SoukApiError} 404 unknown upload, 403 someone else's upload, 409 an upload already published as an asset,
 * 422 the mint reverted (decoded error). Send an unsigned mint from the signed-in account: the node releases the
 * content only for the asset its uploader mints.
 */
export function publishAsset(client: SoukClient, parameters: PublishAssetParameters): Promise<PublishAssetReturnType> {
  return client.json('/api/v1/assets', { method: 'POST', body: parameters });
}
