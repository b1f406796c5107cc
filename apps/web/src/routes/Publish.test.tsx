import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, test } from 'vitest';
import { fakeNode, renderApp } from '../test/render.tsx';
import { PublishPage } from './Publish.tsx';

test('shows every invalid field with its message and focuses the first one, sending nothing', async () => {
  const user = userEvent.setup();
  localStorage.setItem('souk:identity', JSON.stringify({ kind: 'dev', index: 3 }));
  localStorage.setItem(
    'souk:tokens:31337:0x90f79bf6eb2c4f870365e785982e1f101e93b906',
    JSON.stringify({
      accessToken: 't',
      accessUntil: Date.now() + 600_000,
      refreshToken: 'r',
      refreshUntil: Date.now() + 600_000,
    }),
  );
  const { client, calls } = fakeNode({});
  renderApp(<PublishPage />, { client });
  await user.type(screen.getByLabelText('Royalty on resales (%)'), '0');
  await user.type(screen.getByLabelText('Licence price'), 'abc');
  await user.click(screen.getByRole('button', { name: 'Publish' }));
  expect(screen.getByText('Choose the file to publish.')).toBeInTheDocument();
  expect(screen.getByText('Give the asset a name.')).toBeInTheDocument();
  expect(screen.getByText('Royalty is a percentage from 0 to 10.')).toBeInTheDocument();
  expect(screen.getByText(/The licence price must be a number/)).toBeInTheDocument();
  expect(screen.getByLabelText('Name')).toHaveAttribute('aria-invalid', 'true');
  await new Promise((resolve) => requestAnimationFrame(resolve));
  expect(screen.getByLabelText('Model, agent or dataset file')).toHaveFocus();
  expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
});
