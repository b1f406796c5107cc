import { screen, within } from '@testing-library/react';
import { expect, test } from 'vitest';
import { fakeNode, renderApp } from '../test/render.tsx';
import { ProvidersPage } from './Providers.tsx';

const SOUK = 10n ** 18n;
const provider = (address: string, stake: bigint, locked: bigint) => ({
  address,
  stakeWei: String(stake),
  lockedStakeWei: String(locked),
  freeStakeWei: String(stake - locked),
  unbondingWei: '0',
  unbondableAt: null,
  completed: 3,
  failed: 0,
  slashed: 0,
  slashedWei: '0',
  reputation: 0.8,
  earnedWei: '0',
  paidJobs: 3,
  metadataUri: 'ipfs://p',
  online: false,
  heartbeat: null,
});

test('each provider shows how much of its stake open assignments lock and what is free; totals show the locked sum', async () => {
  const busy = '0x00000000000000000000000000000000000a11ce';
  const idle = '0x0000000000000000000000000000000000000b0b';
  const { client } = fakeNode({
    'GET /api/v1/providers': {
      items: [provider(busy, 200n * SOUK, 200n * SOUK), provider(idle, 300n * SOUK, 0n)],
      nextCursor: null,
    },
    'GET /api/v1/analytics/providers': {
      totals: {
        providers: 2,
        active: 2,
        stake: String(500n * SOUK),
        unbonding: '0',
        locked: String(200n * SOUK),
        completed: 6,
        failed: 0,
        slashes: 0,
        slashed_amount: '0',
        min_stake: String(100n * SOUK),
      },
      providers: [],
    },
  });
  renderApp(<ProvidersPage />, { client });
  const busyCard = (await screen.findAllByRole('listitem')).find((li) => li.dataset.provider === busy);
  const idleCard = (await screen.findAllByRole('listitem')).find((li) => li.dataset.provider === idle);
  if (!busyCard || !idleCard) throw new Error('provider cards not rendered');
  expect(within(busyCard).getByTestId('stake-locks')).toHaveTextContent(
    '200 SOUK locked by open assignments · 0 SOUK free',
  );
  expect(within(idleCard).getByTestId('stake-locks')).toHaveTextContent(
    '0 SOUK locked by open assignments · 300 SOUK free',
  );
  expect(await screen.findByText('200 SOUK locked by open assignments')).toBeInTheDocument();
});

test('the counts are of orders, and no provider links to a per-job page', async () => {
  const address = '0x00000000000000000000000000000000000a11ce';
  const { client, calls } = fakeNode({
    'GET /api/v1/providers': { items: [provider(address, 200n * SOUK, 0n)], nextCursor: null },
    'GET /api/v1/analytics/providers': {
      totals: {
        providers: 1,
        active: 1,
        stake: String(200n * SOUK),
        unbonding: '0',
        completed: 3,
        failed: 1,
        slashes: 0,
        slashed_amount: '0',
        min_stake: String(100n * SOUK),
      },
      providers: [],
    },
  });
  const { container } = renderApp(<ProvidersPage />, { client });
  expect(await screen.findByText('Orders done / failed / slashes')).toBeInTheDocument();
  expect(screen.getByText('3 / 1 / 0')).toBeInTheDocument();
  expect(screen.getByText('3 paid orders')).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /jobs/i })).toBeNull();
  expect(container.querySelector('a[href^="/jobs/"]')).toBeNull();
  expect(calls.some((c) => c.path.startsWith('/api/v1/jobs') || c.path.startsWith('/api/v1/chain/events'))).toBe(false);
});
