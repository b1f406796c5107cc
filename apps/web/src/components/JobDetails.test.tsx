import { screen, waitFor, within } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import { jobAt } from '../test/jobs.ts';
import { fakeNode, renderApp } from '../test/render.tsx';
import { JobDetails } from './JobDetails.tsx';

// No WebSocket in jsdom: the live view falls back to polling.
vi.stubGlobal(
  'WebSocket',
  class {
    constructor() {
      throw new Error('no sockets in tests');
    }
  },
);

test('shows a finalized job: its timeline to the end and who was paid, with transactions', async () => {
  const { client } = fakeNode({
    'GET /api/v1/jobs/7': jobAt('finalized'),
    'GET /api/v1/assets/2/manifest': { name: 'Receipt OCR', kind: 'model', license: { terms: 'MIT' }, royaltyBps: 0 },
  });
  renderApp(<JobDetails jobId="7" />, { client });
  await waitFor(() => expect(screen.getByTestId('job-status')).toHaveTextContent('finalized'));
  const timeline = screen.getByRole('list', { name: 'Timeline of job 7' });
  expect(within(timeline).getAllByText('(done)')).toHaveLength(5);
  const rows = within(screen.getByRole('table', { name: 'Payouts' }))
    .getAllByRole('row')
    .slice(1);
  expect(rows.map((r) => r.getAttribute('data-role'))).toEqual(['provider', 'provider', 'creator', 'treasury']);
  expect(rows[2]).toHaveTextContent('0.0005 ETH');
  expect(screen.getByRole('link', { name: 'Receipt OCR' })).toHaveAttribute('href', '/assets/2');
  expect(screen.getByText('Only the requester can read the verified result.')).toBeInTheDocument();
});
