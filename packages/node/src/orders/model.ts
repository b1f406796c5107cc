/**
 * The model an order runs, as acceptance checks it: its current manifest (bound to the asset: copies are refused by
 * `assetManifest`) and its current version number. An asset's manifest changes only with a new version (AgentNFT
 * has no burn; binding rows are only ever added), and every version is a row of `asset_versions` (indexed, rewound
 * on a reorg). So both are cached per asset under its latest version row — number, URI, transaction: an order costs
 * one indexed read (`asset_versions`' primary key) and no chain or storage read while the model is unchanged; a new
 * version, or a reorg that changes the row, reads the manifest again.
 *
 * (It was cached per block before: every settled batch mines a block, so on the devnet about one order in three read
 * the manifest again — three sequential chain reads and a storage read on the acceptance path.)
 */

import { chainNow } from '../compute/chainClock.ts';
import { assetManifest } from '../gateway/assetContent.ts';
import type { NodeServices } from '../services.ts';
import type { Manifest } from '../storage/manifest.ts';

type OrderModel = { manifest: Manifest; version: number };

const cache = new Map<string, { row: string; value: Promise<OrderModel> }>();

/**
 * The model's manifest and current version, cached while its latest `asset_versions` row stays the same.
 * @throws What `assetManifest` throws: 404 unknown asset or manifest, 403 a copy, 409 a version not indexed yet.
 */
export async function orderModel(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  modelId: bigint,
): Promise<OrderModel> {
  const latest = await services.db
    .selectFrom('asset_versions')
    .select(['version', 'uri', 'tx_hash'])
    .where('asset_id', '=', String(modelId))
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row = latest ? `${latest.version}:${latest.tx_hash}:${latest.uri}` : 'none';
  const key = `${services.chain.deployment.chainId}:${services.chain.deployment.contracts.agentNft}:${modelId}`;
  const hit = cache.get(key);
  if (hit && hit.row === row) return hit.value;
  const value = (async () => {
    const { manifest } = await assetManifest(services, modelId);
    return { manifest, version: Number(latest?.version ?? 0) };
  })();
  cache.set(key, { row, value });
  value.catch(() => {
    if (cache.get(key)?.value === value) cache.delete(key);
  });
  if (cache.size > 256) cache.delete(cache.keys().next().value as string);
  return value;
}

/** The chain's latest and pending blocks, each read once, for the chain's now (`chainNow`). */
export type ChainHead = {
  latest: Promise<{ hash: string | null; timestamp: bigint }>;
  pending: Promise<{ timestamp: bigint }>;
  /** `chainNow` over these two reads (the same formula, no further read). */
  now: Promise<number>;
};

/**
 * Reads the latest and the pending block once, for the chain's now (`chainNow`'s formula over these reads): the devnet
 * path of `POST /orders` builds the order's deadline from it and acceptance checks the deadline against it, one
 * pair of `eth_getBlockByNumber` per request instead of one per use.
 */
export function chainHead(services: Pick<NodeServices, 'chain'>): ChainHead {
  const { publicClient } = services.chain;
  const latest = publicClient.getBlock({ blockTag: 'latest' });
  const pending = publicClient.getBlock({ blockTag: 'pending' });
  latest.catch(() => {});
  pending.catch(() => {});
  const now = chainNow({
    getBlock: ((args: { blockTag: string }) => (args.blockTag === 'latest' ? latest : pending)) as never,
  });
  now.catch(() => {});
  return { latest, pending, now };
}
