import { screen, within } from '@testing-library/react';
import { expect, test } from 'vitest';
import { fakeNode, renderApp } from '../test/render.tsx';
import { AnalyticsPage } from './Analytics.tsx';

const hour = (h: number) => `2026-11-23T${String(h).padStart(2, '0')}:00:00.000Z`;

test('the compute figures are the signed orders of GET /analytics/orders, not per-job analytics', async () => {
  const { client, calls } = fakeNode({
    'GET /api/v1/analytics/volume': { items: [] },
    'GET /api/v1/analytics/top-assets': { items: [] },
    'GET /api/v1/analytics/providers': {
      totals: {
        providers: 1,
        active: 1,
        stake: '0',
        unbonding: '0',
        completed: 4,
        failed: 1,
        slashes: 0,
        slashed_amount: '0',
        min_stake: '0',
      },
      providers: [],
    },
    'GET /api/v1/analytics/orders': {
      items: [
        {
          bucket: hour(15),
          currency: '0x0000000000000000000000000000000000000000',
          settled: 4,
          volume: '40000000000000000',
          disputed: 1,
          slashed: 1,
          latencyP50: 1.5,
          latencyP95: 2.25,
        },
      ],
    },
  });
  renderApp(<AnalyticsPage />, { client });
  expect(await screen.findByRole('heading', { name: 'Orders per hour' })).toBeInTheDocument();
  const counts = await screen.findByRole('table', { name: 'Orders per hour' });
  const [header, data] = within(counts).getAllByRole('row');
  expect(header).toHaveTextContent('BucketSettledDisputedProviders slashedCharged (ETH)');
  expect(
    within(data as HTMLElement)
      .getAllByRole('cell')
      .map((c) => c.textContent),
  ).toEqual([expect.any(String), '4', '1', '1', '0.04']);
  const latency = await screen.findByRole('table', { name: 'Order latency (seconds)' });
  expect(within(latency).getAllByRole('row')[1]).toHaveTextContent(/1\.52\.3$/);
  const orders = calls.find((c) => c.path.startsWith('/api/v1/analytics/orders?'));
  expect(orders?.path).toMatch(/bucket=hour&since=/);
  expect(screen.queryByText(/jobs/i)).toBeNull();
  expect(calls.some((c) => c.path.startsWith('/api/v1/analytics/jobs') || c.path.startsWith('/api/v1/jobs'))).toBe(
    false,
  );
});
