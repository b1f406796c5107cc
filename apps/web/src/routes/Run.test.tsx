import { jobOrderTypedData, normaliseJobOrder } from '@souk/protocol';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { parseEther, recoverTypedDataAddress, sha256 } from 'viem';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { orderAt, requester } from '../test/orders.ts';
import { type Call, fakeNode, info, renderApp } from '../test/render.tsx';
import { stubChain } from '../test/rpc.ts';
import { RunPage } from './Run.tsx';

const NOW = 1_800_000_000n;
const asset = {
  id: '2',
  kind: 'model',
  name: 'Digits',
  manifestCid: 'cid2',
  versions: [{ version: 0 }, { version: 1 }],
};
const manifest = {
  name: 'Digits',
  runtime: { pipeline: 'onnx' },
  inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2] }],
};
const problem = (status: number, title: string, detail: string) => [
  status,
  { type: 'about:blank', title, status, detail, code: 'SOUK_ERR_ORDER', requestId: 'req-9' },
];

beforeEach(() => {
  localStorage.setItem('souk:identity', JSON.stringify({ kind: 'dev', index: 4 }));
  localStorage.setItem(
    `souk:tokens:31337:${requester.address.toLowerCase()}`,
    JSON.stringify({ accessToken: 't', accessUntil: Date.now() + 600_000, refreshToken: 'r', refreshUntil: 0 }),
  );
});
afterEach(() => vi.unstubAllGlobals());

/** The run page of asset 2 on a fake node whose `POST /orders` answers `posted`. */
async function runPage(posted: unknown, available = '0') {
  stubChain({ now: NOW });
  const accepted = await orderAt('running');
  const { client, calls } = fakeNode({
    'GET /api/v1/assets/2': asset,
    'GET /api/v1/assets/2/manifest': manifest,
    'GET /api/v1/orders/escrow': {
      currency: '0x0000000000000000000000000000000000000000',
      balance: available,
      pendingWithdrawal: '0',
      reserved: '0',
      available,
      nextNonce: '3',
    },
    'POST /api/v1/orders/escrow/deposit': [201, { transactionHashes: [`0x${'d0'.repeat(32)}`], transactions: null }],
    'POST /api/v1/orders': posted === 'accept' ? [202, accepted] : posted,
    [`GET /api/v1/orders/${accepted.orderHash}`]: accepted,
  });
  renderApp(
    <Routes>
      <Route path="/assets/:id/run" element={<RunPage />} />
    </Routes>,
    { client, route: '/assets/2/run' },
  );
  const user = userEvent.setup();
  await screen.findByRole('heading', { name: 'Run Digits' });
  await waitFor(() => expect(screen.getByLabelText('Input tensors (JSON)')).not.toHaveValue(''));
  await user.clear(screen.getByLabelText('Providers that must agree'));
  await user.type(screen.getByLabelText('Providers that must agree'), '2');
  await user.click(screen.getByRole('button', { name: 'Run' }));
  return { calls, accepted };
}

const posted = (calls: Call[]) => calls.find((c) => c.method === 'POST' && c.path === '/api/v1/orders');

test('tops up the escrow, signs the EIP-712 order in the browser and posts it with the input inline', async () => {
  const { calls, accepted } = await runPage('accept');
  await screen.findByTestId('order-details');
  // Ten jobs' worth by default (0.1 ETH), sent by the node for the dev account.
  const deposit = calls.find((c) => c.path === '/api/v1/orders/escrow/deposit');
  expect(deposit?.body).toEqual({ amountWei: String(parseEther('0.1')), currency: expect.any(String), mode: 'submit' });
  expect(document.querySelector('[data-step="deposit"][data-status="done"] a')).toHaveAttribute(
    'href',
    `/tx/0x${'d0'.repeat(32)}`,
  );
  const post = posted(calls);
  if (!post) throw new Error('no POST /api/v1/orders');
  const { order, signature, input } = post.body as {
    order: Parameters<typeof normaliseJobOrder>[0];
    signature: `0x${string}`;
    input: string;
  };
  const bytes = Uint8Array.from(atob(input), (c) => c.charCodeAt(0));
  expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({
    tensors: { x: { dtype: 'float32', dims: [1, 2], data: [0, 0] } },
  });
  const signed = normaliseJobOrder(order);
  expect(signed).toMatchObject({
    requester: requester.address,
    modelId: 2n,
    modelVersion: 1,
    inputHash: sha256(bytes),
    maxPrice: parseEther('0.01'),
    redundancy: 2,
    deadline: NOW + 300n,
    nonce: 3n,
  });
  const typed = jobOrderTypedData(info.chainId, info.contracts.computeEscrow as `0x${string}`, signed);
  expect(await recoverTypedDataAddress({ ...typed, signature })).toBe(requester.address);
  expect(screen.getByRole('link', { name: 'Open the page of this order' })).toHaveAttribute(
    'href',
    `/orders/${accepted.orderHash}`,
  );
});

test('deposits nothing when the available balance covers the most the job may cost', async () => {
  const { calls } = await runPage('accept', String(parseEther('0.05')));
  await screen.findByTestId('order-details');
  expect(calls.some((c) => c.path === '/api/v1/orders/escrow/deposit')).toBe(false);
  expect(document.querySelector('[data-step="deposit"]')).toHaveAttribute('data-status', 'skipped');
});

test.each([
  [402, 'Escrow balance too low (402)', /Deposit more in the escrow panel/],
  [422, 'Order refused (422)', /Nothing was charged/],
])('a %i refusal says what went wrong and what to do', async (status, title, hint) => {
  await runPage(problem(status, 'Refused', 'The node says no.'), String(parseEther('1')));
  const alert = await screen.findByText(title);
  expect(alert.parentElement).toHaveTextContent('The node says no.');
  expect(alert.parentElement).toHaveTextContent(hint);
  expect(alert.parentElement).toHaveTextContent('Request id req-9');
  expect(document.querySelector('[data-step="post"]')).toHaveAttribute('data-status', 'failed');
  expect(screen.queryByTestId('order-details')).toBeNull();
});
