import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, test } from 'vitest';
import { fakeNode, renderApp } from '../test/render.tsx';
import { MarketplacePage } from './Marketplace.tsx';

const asset = (id: string, name: string) => ({
  id,
  kind: 'model',
  name,
  description: `${name} description`,
  creator: '0x90f79bf6eb2c4f870365e785982e1f101e93b906',
  owner: '0x90f79bf6eb2c4f870365e785982e1f101e93b906',
  royaltyBps: 500,
  manifestUri: 'ipfs://x',
  manifestCid: `cid${id}`,
  contentCid: 'c',
  versionCount: 1,
  priceWei: '1000000000000000',
  currency: '0x0000000000000000000000000000000000000000',
  licence: {
    currency: '0x0000000000000000000000000000000000000000',
    priceWei: '1000000000000000',
    durationSeconds: '0',
    active: true,
  },
  createdBlock: 10,
  createdAt: '2026-11-23T15:00:00.000Z',
  updatedBlock: 10,
});

test('searches with filters and shows cards with the model card summary', async () => {
  const user = userEvent.setup();
  const { client, calls } = fakeNode({
    'GET /api/v1/assets': { items: [asset('2', 'Receipt OCR'), asset('3', 'Digits')], nextCursor: null },
    'GET /api/v1/assets/2/manifest': { modelCard: '# Receipt OCR\n\nReads **printed receipts**.' },
    'GET /api/v1/assets/3/manifest': {},
  });
  renderApp(<MarketplacePage />, { client });
  expect(await screen.findByRole('link', { name: 'Receipt OCR' })).toHaveAttribute('href', '/assets/2');
  expect(await screen.findByText('Reads printed receipts.')).toBeInTheDocument();
  expect(screen.getByText('Digits description')).toBeInTheDocument();
  expect(screen.getAllByText('0.001 ETH · perpetual')).toHaveLength(2);

  await user.type(screen.getByLabelText('Search'), 'ocr');
  await user.selectOptions(screen.getByLabelText('Kind'), 'model');
  await user.type(screen.getByLabelText('Max price (ETH)'), '0.5');
  await user.selectOptions(screen.getByLabelText('Sort'), 'price_asc');
  await user.click(screen.getByRole('button', { name: 'Search' }));
  await waitFor(() => {
    const last = calls.filter((c) => c.path.startsWith('/api/v1/assets?')).at(-1);
    const query = new URLSearchParams(last?.path.split('?')[1]);
    expect(Object.fromEntries(query)).toMatchObject({
      q: 'ocr',
      kind: 'model',
      maxPrice: '500000000000000000',
      sort: 'price_asc',
    });
  });
});

test('explains a bad creator address next to the field', async () => {
  const user = userEvent.setup();
  const { client } = fakeNode({ 'GET /api/v1/assets': { items: [], nextCursor: null } });
  renderApp(<MarketplacePage />, { client });
  await user.type(screen.getByLabelText('Creator'), '0x123');
  expect(screen.getByLabelText('Creator')).toHaveAttribute('aria-invalid', 'true');
  expect(screen.getByText(/Not an address/)).toBeInTheDocument();
  expect(await screen.findByText(/No asset matches/)).toBeInTheDocument();
});
