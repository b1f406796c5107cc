/**
 * Rendering pages and components in tests: a fake node (a `fetch` that answers by method and path), TanStack
 * Query, wagmi with its `mock` connector, the node and session contexts, and a memory router.
 */
import { createSoukClient, type GetNodeInfoReturnType, type SoukClient } from '@souk/sdk';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { mock, WagmiProvider } from 'wagmi';
import { NodeProvider } from '../hooks/useNode.tsx';
import { SessionProvider } from '../hooks/useSession.tsx';
import { createWagmiConfig } from '../lib/wagmi.ts';

/**
 * The devnet's contracts. No ComputeMarket: the web app has no per-job path (the cast keeps this valid whether or
 * not the SDK's type still lists it).
 */
const contracts: Record<string, `0x${string}`> = {
  soukToken: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  agentNft: '0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9',
  marketplace: '0x5FC8d32690cc91D4c39d9d3abcBD16989F875707',
  licenses: '0x0165878A594ca255338adfa4d48449f69242Eb8F',
  providerRegistry: '0xa513E6E4b8f2a923D98304ec87F64353C4D5C853',
  computeEscrow: '0x8A791620dd6260079BF849Dc5567aDC3F2FdC318',
  governor: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
  timelock: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
};

export const info: GetNodeInfoReturnType = {
  version: '0.1.0',
  node: 'v24.0.0',
  chainId: 31337,
  rpcUrl: 'http://127.0.0.1:8545',
  devnet: true,
  contracts: contracts as GetNodeInfoReturnType['contracts'],
  stablecoin: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  deploymentBlock: '2',
  database: 'pglite',
  storage: 'helia',
  jobBus: 'in-process',
  indexerLag: 0,
};

/** One request the fake node received. */
export type Call = { method: string; path: string; body: unknown; headers: Record<string, string> };
/** Answers a request: a JSON body (200), `[status, body]`, or undefined to fall through (404). */
export type Route = (call: Call) => unknown;

/**
 * A fake node: `routes` maps `"GET /api/v1/assets"` (path without the query string) to an answer.
 * @returns The SDK client that talks to it, and the calls it received.
 */
export function fakeNode(routes: Record<string, Route | unknown>): { client: SoukClient; calls: Call[] } {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    const call = { method, path: `${url.pathname}${url.search}`, body, headers };
    calls.push(call);
    const route = routes[`${method} ${url.pathname}`];
    const answer = typeof route === 'function' ? (route as Route)(call) : route;
    if (answer === undefined) {
      return new Response(
        JSON.stringify({
          type: 'about:blank',
          title: 'Not Found',
          status: 404,
          detail: `No route ${method} ${url.pathname}`,
          code: 'FST_ERR_NOT_FOUND',
        }),
        { status: 404, headers: { 'content-type': 'application/problem+json' } },
      );
    }
    const [status, payload] =
      Array.isArray(answer) && typeof answer[0] === 'number' ? (answer as [number, unknown]) : [200, answer];
    return new Response(JSON.stringify(payload), { status, headers: { 'content-type': 'application/json' } });
  };
  return { client: createSoukClient({ url: 'http://node.test', fetch: fetch as typeof globalThis.fetch }), calls };
}

/** Renders `ui` inside every provider the app has, at `route`. */
export function renderApp(ui: ReactNode, { client, route = '/' }: { client: SoukClient; route?: string }) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wagmiConfig = createWagmiConfig(info, [mock({ accounts: ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8'] })]);
  return render(
    <QueryClientProvider client={queryClient}>
      <WagmiProvider config={wagmiConfig}>
        <NodeProvider value={{ client, info }}>
          <SessionProvider>
            <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
          </SessionProvider>
        </NodeProvider>
      </WagmiProvider>
    </QueryClientProvider>,
  );
}
