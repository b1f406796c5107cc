/**
 * wagmi for the node's chain: browser wallets found through EIP-6963 (wagmi's multi-injected provider discovery)
 * plus the legacy `window.ethereum`, reading the chain through the node's RPC URL (`GET /info`).
 */
import type { GetNodeInfoReturnType } from '@souk/sdk';
import { type Chain, defineChain } from 'viem';
import { type Config, type CreateConnectorFn, createConfig, http, injected } from 'wagmi';

/** The node's chain as viem describes it. */
export function nodeChain(info: Pick<GetNodeInfoReturnType, 'chainId' | 'rpcUrl' | 'devnet'>): Chain {
  return defineChain({
    id: info.chainId,
    name: info.devnet ? 'Souk devnet' : `Chain ${info.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [info.rpcUrl] } },
    testnet: info.devnet,
  });
}

/**
 * The wagmi config of the app.
 * @param info - The node's `/info` (chain id, RPC URL).
 * @param connectors - Connectors besides the EIP-6963 ones (tests pass wagmi's `mock`). @default [injected()]
 */
export function createWagmiConfig(
  info: Pick<GetNodeInfoReturnType, 'chainId' | 'rpcUrl' | 'devnet'>,
  connectors: CreateConnectorFn[] = [injected()],
): Config {
  const chain = nodeChain(info);
  return createConfig({
    chains: [chain],
    connectors,
    multiInjectedProviderDiscovery: true,
    transports: { [chain.id]: http(info.rpcUrl) },
  });
}
