/**
 * The app once the node answered `/info`: wagmi for the node's chain, the node and session contexts, and the routes.
 */
import type { GetNodeInfoReturnType, SoukClient } from '@souk/sdk';
import { lazy, Suspense, useMemo } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { type Config, WagmiProvider } from 'wagmi';
import { Layout } from './components/Layout.tsx';
import { Loading } from './components/Loading.tsx';
import { NodeProvider } from './hooks/useNode.tsx';
import { SessionProvider } from './hooks/useSession.tsx';
import { createWagmiConfig } from './lib/wagmi.ts';
import { AssetPage } from './routes/Asset.tsx';
import { MarketplacePage } from './routes/Marketplace.tsx';
import { NotFoundPage } from './routes/NotFound.tsx';
import { OrderPage } from './routes/Order.tsx';
import { ProvidersPage } from './routes/Providers.tsx';
import { PublishPage } from './routes/Publish.tsx';
import { RoundsPage } from './routes/Rounds.tsx';
import { RunPage } from './routes/Run.tsx';
import { TransactionPage } from './routes/Transaction.tsx';

// The charts library is only loaded with the analytics page.
const AnalyticsPage = lazy(() => import('./routes/Analytics.tsx').then((m) => ({ default: m.AnalyticsPage })));

/** The routes, exported for tests (which mount them in a `MemoryRouter`). */
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<MarketplacePage />} />
        <Route path="assets/:id" element={<AssetPage />} />
        <Route path="assets/:id/run" element={<RunPage />} />
        <Route path="publish" element={<PublishPage />} />
        <Route path="orders/:hash" element={<OrderPage />} />
        <Route path="providers" element={<ProvidersPage />} />
        <Route path="rounds/:id" element={<RoundsPage />} />
        <Route
          path="analytics"
          element={
            <Suspense fallback={<Loading label="Loading the charts…" />}>
              <AnalyticsPage />
            </Suspense>
          }
        />
        <Route path="tx/:hash" element={<TransactionPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App({
  client,
  info,
  wagmiConfig,
}: {
  client: SoukClient;
  info: GetNodeInfoReturnType;
  wagmiConfig?: Config;
}) {
  const config = useMemo(() => wagmiConfig ?? createWagmiConfig(info), [wagmiConfig, info]);
  const node = useMemo(() => ({ client, info }), [client, info]);
  return (
    <WagmiProvider config={config}>
      <NodeProvider value={node}>
        <SessionProvider>
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </SessionProvider>
      </NodeProvider>
    </WagmiProvider>
  );
}
