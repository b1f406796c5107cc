/**
 * The model an order runs, as acceptance checks it: its current manifest (bound to the asset: copies are refused by
 * `assetManifest`) and its current version number. Both are functions of the chain's state (and of binding rows,
 * which are only ever added), so they are cached per block: an order accepted in the same block as the previous one
 * for the same model costs no chain or storage read; any new block (a new version, a reorg) reads again.
 *
 * The block is the latest block's hash (`eth_getBlockByNumber`), not `eth_blockNumber`: on the embedded devnet the
 * durable transport saves anvil's whole state before it reports a new head number (`chain/index.ts`), a wait of tens
 * of ms on the acceptance path after every settled batch, and a cache key needs no saved head (docs/orders.md
 * "Measured"). The hash also tells a reorg to the same height apart.
 */

import { assetManifest } from '../gateway/assetContent.ts';
import type { NodeServices } from '../services.ts';
import type { Manifest } from '../storage/manifest.ts';

type OrderModel = { manifest: Manifest; version: number };

const cache = new Map<string, { block: string; value: Promise<OrderModel> }>();

/**
 * The model's manifest and current version, cached for the current block.
 * @throws What `assetManifest` throws: 404 unknown asset or manifest, 403 a copy, 409 a version not indexed yet.
 */
export async function orderModel(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  modelId: bigint,
): Promise<OrderModel> {
  const { hash: block } = await services.chain.publicClient.getBlock({ blockTag: 'latest' });
  const key = `${services.chain.deployment.chainId}:${services.chain.deployment.contracts.agentNft}:${modelId}`;
  const hit = cache.get(key);
  if (hit && hit.block === block) return hit.value;
  const value = (async () => {
    const [{ manifest }, versions] = await Promise.all([
      assetManifest(services, modelId),
      services.db
        .selectFrom('asset_versions')
        .select((eb) => eb.fn.max('version').as('latest'))
        .where('asset_id', '=', String(modelId))
        .executeTakeFirst(),
    ]);
    return { manifest, version: Number(versions?.latest ?? 0) };
  })();
  cache.set(key, { block, value });
  value.catch(() => cache.delete(key));
  if (cache.size > 256) cache.delete(cache.keys().next().value as string);
  return value;
}
