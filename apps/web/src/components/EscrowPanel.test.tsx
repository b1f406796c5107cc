import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { parseEther } from 'viem';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { requester } from '../test/orders.ts';
import { fakeNode, renderApp } from '../test/render.tsx';
import { stubChain } from '../test/rpc.ts';
import { EscrowPanel } from './EscrowPanel.tsx';

const NOW = 1_800_000_000n;
const escrow = {
  currency: '0x0000000000000000000000000000000000000000',
  balance: String(parseEther('0.09')),
  pendingWithdrawal: String(parseEther('0.02')),
  reserved: String(parseEther('0.01')),
  available: String(parseEther('0.06')),
  nextNonce: '1',
};

beforeEach(() => {
  localStorage.setItem('souk:identity', JSON.stringify({ kind: 'dev', index: 4 }));
  localStorage.setItem(
    `souk:tokens:31337:${requester.address.toLowerCase()}`,
    JSON.stringify({ accessToken: 't', accessUntil: Date.now() + 600_000, refreshToken: 'r', refreshUntil: 0 }),
  );
});
afterEach(() => vi.unstubAllGlobals());

function panel(unlockAt: bigint) {
  stubChain({ now: NOW, pendingWithdrawal: [parseEther('0.02'), unlockAt], withdrawalDelay: 3600n });
  const { client, calls } = fakeNode({ 'GET /api/v1/orders/escrow': escrow });
  renderApp(<EscrowPanel />, { client });
  return calls;
}

test('shows the balance, what open orders reserve, the pending withdrawal and what new orders may spend', async () => {
  panel(NOW + 600n);
  const figures = await screen.findByTestId('escrow-balance');
  expect(within(figures).getByTestId('escrow-balance-value')).toHaveTextContent('0.09 ETH');
  expect(figures).toHaveTextContent('Reserved by open orders0.01 ETH');
  expect(figures).toHaveTextContent('Pending withdrawal0.02 ETH');
  expect(screen.getByTestId('escrow-available')).toHaveTextContent('0.06 ETH');
  expect(screen.getByText(/Waits 60 min after the request/)).toBeInTheDocument();
});

test('a requested withdrawal cannot be completed before the delay has passed, by chain time', async () => {
  panel(NOW + 600n);
  expect(await screen.findByTestId('escrow-withdrawal')).toHaveTextContent('(in 10 min)');
  expect(screen.getByRole('button', { name: 'Complete withdrawal' })).toBeDisabled();
  expect(screen.getByRole('button', { name: 'Cancel withdrawal' })).toBeEnabled();
});

test('once unlocked, the withdrawal can be completed', async () => {
  panel(NOW - 1n);
  expect(await screen.findByTestId('escrow-withdrawal')).toHaveTextContent('The withdrawal is unlocked.');
  expect(screen.getByRole('button', { name: 'Complete withdrawal' })).toBeEnabled();
});

test('refuses to request more than the balance or a deposit that is not an amount, sending nothing', async () => {
  const user = userEvent.setup();
  const calls = panel(0n);
  await screen.findByTestId('escrow-balance');
  expect(screen.queryByTestId('escrow-withdrawal')).toBeNull();
  await user.type(screen.getByLabelText('Withdraw (ETH)'), '0.1');
  await user.click(screen.getByRole('button', { name: 'Request withdrawal' }));
  expect(screen.getByLabelText('Withdraw (ETH)')).toHaveAttribute('aria-invalid', 'true');
  expect(screen.getByText('More than your balance (0.09 ETH).')).toBeInTheDocument();
  await user.clear(screen.getByLabelText('Deposit (ETH)'));
  await user.type(screen.getByLabelText('Deposit (ETH)'), '0');
  await user.click(screen.getByRole('button', { name: 'Deposit' }));
  expect(screen.getByText('A number of ETH above 0, e.g. 0.05.')).toBeInTheDocument();
  expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
});
