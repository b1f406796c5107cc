import type { SoukClient } from '../../clients/createSoukClient.ts';

export type PublishAssetParameters = {
  /** From `uploadContent`. */
  uploadId: string;
  name: string;
  kind: 'model' | 'agent' | 'dataset';
  description?: string;
  runtime?: { engine: string; version?: string; pipeline?: string };
  modelCard?: string;
  license: { terms: string /** wei, decimal string */; price?: string; currency?: string; durationSeconds?: number };
  /** Royalty on resales, basis points (0..1000). */
  royaltyBps: number;
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
 * @throws {SoukApiError} 404 unknown upload, 403 someone else's upload, 422 the mint reverted (decoded error).
 */
export function publishAsset(client: SoukClient, parameters: PublishAssetParameters): Promise<PublishAssetReturnType> {
  return client.json('/api/v1/assets', { method: 'POST', body: parameters });
}
