import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { expect, test } from 'vitest';
import { FlowStatus } from './FlowStatus.tsx';

test('shows each step, its progress and transactions, and announces a failure', () => {
  render(
    <MemoryRouter>
      <FlowStatus
        label="Publishing"
        steps={[
          { id: 'upload', label: 'Upload the file', status: 'done', hashes: [] },
          { id: 'mint', label: 'Mint', status: 'active', progress: 0.4, hashes: [`0x${'ab'.repeat(32)}`] },
          { id: 'list', label: 'List', status: 'failed', hashes: [] },
        ]}
        error={{
          title: 'Transaction reverted',
          detail: 'SoukNotTokenOwner(account: 0x1, tokenId: 7): 0x1 does not own asset 7.',
        }}
      />
    </MemoryRouter>,
  );
  const steps = within(screen.getByRole('region', { name: 'Publishing' })).getAllByRole('listitem');
  expect(steps.map((s) => s.getAttribute('data-status'))).toEqual(['done', 'active', 'failed']);
  expect(screen.getByRole('progressbar', { name: 'Mint progress' })).toHaveAttribute('value', '0.4');
  expect(screen.getByRole('link', { name: /0xabababab/ })).toHaveAttribute('href', `/tx/0x${'ab'.repeat(32)}`);
  expect(screen.getByRole('alert')).toHaveTextContent('does not own asset 7');
});
