/**
 * Entry point: one SDK client for the node that served the page (same origin: `/api/v1`), TanStack Query,
 * and the app once `/info` says which chain and contracts the node runs.
 */
import './app.css';
import { createSoukClient, getNodeInfo } from '@souk/sdk';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ErrorNotice } from './components/ErrorNotice.tsx';
import { Loading } from './components/Loading.tsx';

const client = createSoukClient({ url: window.location.origin });
const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 5_000, retry: 1, refetchOnWindowFocus: false } },
});

function Boot() {
  const info = useQuery({
    queryKey: ['info'],
    queryFn: () => getNodeInfo(client),
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (info.data) return <App client={client} info={info.data} />;
  return (
    <main className="mx-auto max-w-xl p-6">
      <h1 className="mb-4 text-2xl font-bold text-amber-800">Souk</h1>
      {info.error ? (
        <>
          <ErrorNotice error={info.error} />
          <p className="mt-3 text-sm text-stone-600">
            The web app talks to the Souk node that served it. Start one with <code>npm start</code> and open the URL it
            prints.
          </p>
        </>
      ) : (
        <Loading label="Connecting to the Souk node…" />
      )}
    </main>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Boot />
    </QueryClientProvider>
  </StrictMode>,
);
