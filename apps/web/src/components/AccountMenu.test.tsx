import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { parseSiweMessage } from 'viem/siwe';
import { expect, test } from 'vitest';
import { fakeNode, renderApp } from '../test/render.tsx';
import { AccountMenu } from './AccountMenu.tsx';

test('on the devnet, picking a dev account signs in with SIWE in the browser, without a wallet', async () => {
  const user = userEvent.setup();
  const { client, calls } = fakeNode({
    'POST /api/v1/auth/nonce': {
      nonce: 'abcdef0123456789',
      domain: 'node.test',
      uri: 'http://node.test',
      chainId: 31337,
      statement: 'Sign in to Souk.',
    },
    'POST /api/v1/auth/login': {
      address: '0x90f79bf6eb2c4f870365e785982e1f101e93b906',
      accessToken: 'access-3',
      accessTokenExpiresIn: 900,
      refreshToken: 'refresh-3',
      refreshTokenExpiresIn: 2_592_000,
    },
  });
  renderApp(<AccountMenu />, { client });
  const button = screen.getByRole('button', { name: /Choose account/ });
  await user.click(button);
  expect(button).toHaveAttribute('aria-expanded', 'true');
  // Derived in the background, one at a time.
  await waitFor(() => expect(screen.getAllByRole('radio')).toHaveLength(10), { timeout: 5000 });
  await user.click(screen.getByRole('radio', { name: /^Dev account 3, 0x90F79bf6EB2c4f870365E785982E1f101E93b906/ }));
  await waitFor(() =>
    expect(screen.getByRole('button', { name: /Dev account 3 .*\(signed in\)/ })).toBeInTheDocument(),
  );
  const login = calls.find((c) => c.path === '/api/v1/auth/login');
  const { message } = (login?.body ?? {}) as { message: string };
  expect(parseSiweMessage(message)).toMatchObject({
    address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
    chainId: 31337,
    nonce: 'abcdef0123456789',
    domain: 'node.test',
  });
  expect(client.accessToken).toBe('access-3');
});

test('Escape closes the account panel and returns focus to its button', async () => {
  const user = userEvent.setup();
  const { client } = fakeNode({});
  renderApp(<AccountMenu />, { client });
  const button = screen.getByRole('button', { name: /Choose account/ });
  await user.click(button);
  expect(screen.getByRole('region', { name: 'Account' })).toBeInTheDocument();
  await user.keyboard('{Escape}');
  expect(screen.queryByRole('region', { name: 'Account' })).toBeNull();
  expect(button).toHaveFocus();
});
