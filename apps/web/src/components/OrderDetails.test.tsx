import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { orderAt, providers, requester } from '../test/orders.ts';
import { fakeNode, renderApp } from '../test/render.tsx';
import { stubChain } from '../test/rpc.ts';
import { OrderDetails } from './OrderDetails.tsx';

beforeEach(() => {
  localStorage.setItem('souk:identity', JSON.stringify({ kind: 'dev', index: 4 }));
  localStorage.setItem(
    `souk:tokens:31337:${requester.address.toLowerCase()}`,
    JSON.stringify({ accessToken: 't', accessUntil: Date.now() + 600_000, refreshToken: 'r', refreshUntil: 0 }),
  );
});
afterEach(() => vi.unstubAllGlobals());

async function show(order: Awaited<ReturnType<typeof orderAt>>, chain: Parameters<typeof stubChain>[0] = {}) {
  const rpc = stubChain(chain);
  const { client } = fakeNode({ [`GET /api/v1/orders/${order.orderHash}`]: order });
  renderApp(<OrderDetails orderHash={order.orderHash} />, { client });
  await screen.findByTestId('order-details');
  return rpc;
}

test('shows "verified by 2 providers" and the result only after checking every signature and stake on-chain', async () => {
  const order = await orderAt('settled');
  const rpc = await show(order);
  const verified = await screen.findByTestId('order-verified');
  expect(verified).toHaveTextContent('Verified by 2 providers');
  expect(verified).toHaveAttribute('data-providers', '2');
  expect(rpc.methods.filter((m) => m === 'eth_call')).toHaveLength(2); // isActive, once per provider
  const rows = within(screen.getByRole('table', { name: 'Attestations' }))
    .getAllByRole('row')
    .slice(1);
  expect(rows.map((r) => r.getAttribute('data-attestation'))).toEqual(providers.map((p) => p.address));
  for (const row of rows) expect(row).toHaveTextContent('✓ signer, staked');
  expect(within(screen.getByTestId('ocr-lines')).getByText('TOTAL 12.50 EUR')).toBeInTheDocument();
  expect(screen.getByTestId('order-phase')).toHaveTextContent('settled');
  expect(within(screen.getByTestId('order-settlement')).getByRole('link')).toHaveAttribute(
    'href',
    `/tx/0x${'5e'.repeat(32)}`,
  );
});

test('an attestation signed by another key fails verification and the result is not shown', async () => {
  await show(await orderAt('ready', { tamper: 'signature' }));
  const failed = await screen.findByTestId('order-unverified');
  expect(failed).toHaveTextContent(`the attestation of ${providers[1]?.address} is not its signature`);
  expect(screen.queryByTestId('order-verified')).toBeNull();
  expect(screen.queryByTestId('ocr-lines')).toBeNull();
});

test('a signer that is not an active, staked provider on-chain fails verification', async () => {
  const inactive = providers[0]?.address as string;
  await show(await orderAt('ready'), { isActive: (p) => p.toLowerCase() !== inactive.toLowerCase() });
  expect(await screen.findByTestId('order-unverified')).toHaveTextContent(
    `${inactive} is not an active, staked provider on-chain`,
  );
});

test('result bytes that do not hash to the attested result hash fail verification', async () => {
  await show(await orderAt('ready', { tamper: 'result' }));
  expect(await screen.findByTestId('order-unverified')).toHaveTextContent(
    'the result bytes do not hash to the result hash',
  );
});

test('fewer attestations than the redundancy asked for fail verification', async () => {
  await show(await orderAt('ready', { signers: 1 }));
  expect(await screen.findByTestId('order-unverified')).toHaveTextContent(
    '1 distinct provider attestation(s), the order asks for 2',
  );
});

test('a failed order shows its reason and that nobody was charged', async () => {
  await show(await orderAt('failed'));
  const failure = await screen.findByTestId('order-failure');
  expect(failure).toHaveTextContent('The model cannot decode this image (invalid-input).');
  expect(failure).toHaveTextContent('Nobody was charged');
  expect(screen.queryByRole('table', { name: 'Attestations' })).toBeNull();
});

test('a running order lists each provider’s progress and waits for the result', async () => {
  const order = await orderAt('running');
  const rpc = stubChain();
  const { client, calls } = fakeNode({ [`GET /api/v1/orders/${order.orderHash}`]: order });
  renderApp(<OrderDetails orderHash={order.orderHash} />, { client });
  await screen.findByTestId('order-details');
  expect(screen.getByRole('status')).toHaveTextContent('providers are running it');
  expect(within(screen.getByRole('list', { name: 'Provider progress' })).getAllByText('running')).toHaveLength(2);
  // The next read long-polls for a phase change.
  await waitFor(() => expect(calls.some((c) => c.path.endsWith('?waitMs=25000'))).toBe(true));
  expect(rpc.methods).not.toContain('eth_call');
});
