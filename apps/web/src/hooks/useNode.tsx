/**
 * The node the app talks to (same origin): its SDK client and its `/info` (chain, contracts, devnet).
 */
import type { GetNodeInfoReturnType, SoukClient } from '@souk/sdk';
import { createContext, type ReactNode, useContext } from 'react';
import { type Currency, currencyOf } from '../lib/format.ts';

export type NodeContextValue = {
  /** The SDK client; its access token follows the signed-in account. */
  client: SoukClient;
  /** `GET /info`. */
  info: GetNodeInfoReturnType;
};

const NodeContext = createContext<NodeContextValue | undefined>(undefined);

/** Provides the node's client and info to the app. */
export function NodeProvider({ value, children }: { value: NodeContextValue; children: ReactNode }) {
  return <NodeContext.Provider value={value}>{children}</NodeContext.Provider>;
}

/** The node's client and info. @throws {Error} outside a {@link NodeProvider}. */
export function useNode(): NodeContextValue {
  const value = useContext(NodeContext);
  if (!value) throw new Error('useNode must be used inside <NodeProvider>.');
  return value;
}

/** Resolves currency addresses on the node's chain. */
export function useCurrency(): (address?: string | null) => Currency {
  const { info } = useNode();
  return (address) => currencyOf(info, address);
}
