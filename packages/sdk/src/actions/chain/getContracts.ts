import type { Address } from 'viem';
import type { SoukClient } from '../../clients/createSoukClient.ts';

export type GetContractsReturnType = {
  chainId: number;
  deploymentBlock: string;
  contracts: Record<
    | 'soukToken'
    | 'agentNft'
    | 'marketplace'
    | 'licenses'
    | 'providerRegistry'
    | 'computeEscrow'
    | 'lineageRoyalties'
    | 'evaluations'
    | 'governor'
    | 'timelock',
    Address
  >;
  roles: Record<string, string>;
};

/** Souk contract addresses on the node's chain (`GET /api/v1/chain/contracts`). */
export function getContracts(client: SoukClient): Promise<GetContractsReturnType> {
  return client.json('/api/v1/chain/contracts');
}
