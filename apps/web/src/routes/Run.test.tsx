import { jobOrderTypedData, normaliseJobOrder } from '@souk/protocol';
import { fireEvent, screen, waitFor } from '@testing-library/react';
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

type User = ReturnType<typeof userEvent.setup>;

/** Fills the pre-filled JSON tensors in (the default input step). */
const keepJson = async () => {
  await waitFor(() => expect(screen.getByLabelText('Input tensors (JSON)')).not.toHaveValue(''));
};

/**
 * The run page of asset 2 on a fake node whose `POST /orders` answers `posted`.
 * @param fill - Gives the model its input, once the page has loaded.
 */
async function runPage(
  posted: unknown,
  available = '0',
  { model = manifest, fill = keepJson }: { model?: unknown; fill?: (user: User) => Promise<void> } = {},
) {
  stubChain({ now: NOW });
  const accepted = await orderAt('running');
  const { client, calls } = fakeNode({
    'GET /api/v1/assets/2': asset,
    'GET /api/v1/assets/2/manifest': model,
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
  await fill(user);
  await user.clear(screen.getByLabelText('Providers that must agree'));
  await user.type(screen.getByLabelText('Providers that must agree'), '2');
  await user.click(screen.getByRole('button', { name: 'Run' }));
  return { calls, accepted };
}

const posted = (calls: Call[]) => calls.find((c) => c.method === 'POST' && c.path === '/api/v1/orders');

test('tops up the escrow, signs the EIP-712 order in the browser and posts it with the input inline', async () => {
  const { calls, accepted } = await runPage('accept');
  await screen.findByTestId('order-details');
  // Ten orders' worth by default (0.1 ETH), sent by the node for the dev account.
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

test('deposits nothing when the available balance covers the most the order may cost', async () => {
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

/** The input bytes of the posted order (base64 in the body), and its signed input hash. */
function postedInput(calls: Call[]): { bytes: Uint8Array; inputHash: string } {
  const post = posted(calls);
  if (!post) throw new Error('no POST /api/v1/orders');
  const { order, input } = post.body as { order: { inputHash: string }; input: string };
  return { bytes: Uint8Array.from(atob(input), (c) => c.charCodeAt(0)), inputHash: order.inputHash };
}

test('a VAD model takes a recording, plays it back, and sends its bytes as they are', async () => {
  vi.stubGlobal(
    'URL',
    class extends URL {
      static override createObjectURL() {
        return 'blob:recording';
      }
      static override revokeObjectURL() {}
    },
  );
  const wav = new Uint8Array([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45]);
  const { calls } = await runPage('accept', String(parseEther('1')), {
    model: { name: 'Digits', runtime: { pipeline: 'vad' }, inputs: [{ name: 'input', dtype: 'float32', shape: [1] }] },
    fill: async (user) => {
      expect(screen.queryByLabelText('Input tensors (JSON)')).toBeNull();
      await user.upload(screen.getByLabelText('Recording'), new File([wav], 'speech.wav', { type: 'audio/wav' }));
      expect(await screen.findByLabelText('The chosen recording')).toHaveAttribute('src', 'blob:recording');
    },
  });
  await screen.findByTestId('order-details');
  const { bytes, inputHash } = postedInput(calls);
  expect(bytes).toEqual(wav);
  expect(inputHash).toBe(sha256(wav));
});

test('a picture is refused for a VAD model before anything is signed', async () => {
  const { calls } = await runPage('accept', '0', {
    model: { name: 'Digits', runtime: { pipeline: 'vad' } },
    fill: async () => {
      // Past the picker's `accept` (a drop, or "all files" in the dialog).
      fireEvent.change(screen.getByLabelText('Recording'), {
        target: { files: [new File(['x'], 'cat.png', { type: 'image/png' })] },
      });
      await screen.findByText(/cat\.png/);
    },
  });
  expect(await screen.findByText('That file is not an audio file.')).toBeInTheDocument();
  expect(calls.some((c) => c.method === 'POST')).toBe(false);
});

test('an ONNX model takes a .npy file, shows what it holds, and sends its bytes (not JSON)', async () => {
  // numpy.save(np.zeros((1, 2), np.float32)): the header, padded to 128 bytes, then 8 bytes of data.
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }";
  const header = `${dict}${' '.repeat(128 - 10 - dict.length - 1)}\n`;
  const npy = new Uint8Array([
    0x93,
    ...new TextEncoder().encode('NUMPY'),
    1,
    0,
    header.length,
    0,
    ...new TextEncoder().encode(header),
    ...new Uint8Array(8),
  ]);
  const { calls } = await runPage('accept', String(parseEther('1')), {
    fill: async (user) => {
      await keepJson();
      await user.click(screen.getByLabelText('.npy / .npz file'));
      await user.upload(screen.getByLabelText('Tensors file'), new File([npy], 'x.npy'));
      expect(await screen.findByTestId('tensor-file-info')).toHaveTextContent('.npy: float32[1, 2]');
    },
  });
  await screen.findByTestId('order-details');
  expect(postedInput(calls).bytes).toEqual(npy);
});

test('a bare .npy is refused for a model with several inputs, naming them', async () => {
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
  const header = `${dict}${' '.repeat(128 - 10 - dict.length - 1)}\n`;
  const npy = new Uint8Array([
    0x93,
    ...new TextEncoder().encode('NUMPY'),
    1,
    0,
    header.length,
    0,
    ...new TextEncoder().encode(header),
    0,
    0,
    0,
    0,
  ]);
  const { calls } = await runPage('accept', '0', {
    model: {
      name: 'Digits',
      runtime: { pipeline: 'onnx' },
      inputs: [
        { name: 'a', dtype: 'float32', shape: [1] },
        { name: 'b', dtype: 'float32', shape: ['n'] },
      ],
    },
    fill: async (user) => {
      await keepJson();
      expect(JSON.parse((screen.getByLabelText('Input tensors (JSON)') as HTMLTextAreaElement).value)).toEqual({
        tensors: { a: { dtype: 'float32', dims: [1], data: [0] }, b: { dtype: 'float32', dims: [1], data: [0] } },
      });
      await user.click(screen.getByLabelText('.npy / .npz file'));
      await user.upload(screen.getByLabelText('Tensors file'), new File([npy], 'x.npy'));
      await screen.findByTestId('tensor-file-info');
    },
  });
  expect(await screen.findByText(/this one has 2 \(a, b\): send a \.npz/)).toBeInTheDocument();
  expect(calls.some((c) => c.method === 'POST')).toBe(false);
});
