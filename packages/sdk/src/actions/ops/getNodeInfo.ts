import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';
import type { GetContractsReturnType } from '../chain/getContracts.ts';

export type GetNodeInfoReturnType = {
  /** Souk node version. */
  version: string;
  /** Node.js version the node runs on, e.g. `v24.1.0`. */
  node: string;
  chainId: number;
  rpcUrl: string;
  /** True on the embedded devnet. */
  devnet: boolean;
  contracts: GetContractsReturnType['contracts'];
  /** Stablecoin address, when the deployment has one. */
  stablecoin: string | null;
  /** Decimal string. */
  deploymentBlock: string;
  database: 'pglite' | 'postgresql';
  storage: 'helia' | 'kubo';
  jobBus: 'in-process' | 'nats';
  /** Blocks the indexer is behind; null without an indexer. */
  indexerLag: number | null;
};
export type GetNodeInfoErrorType = SoukApiError | SoukError;

/**
 * Versions, chain, contract addresses and backends of the node (`GET /info`).
 * @param client - A Souk client.
 * @returns The node's build and configuration summary.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getNodeInfo } from '@souk/sdk'
 * const { chainId, contracts } = await getNodeInfo(createSoukClient({ url: 'http://127.0.0.1:8080' }))
 * ```
 */
export function getNodeInfo(client: SoukClient): Promise<GetNodeInfoReturnType> {
  return client.json('/info');
}
