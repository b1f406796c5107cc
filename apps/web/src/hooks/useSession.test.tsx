import { screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { fakeNode, renderApp } from '../test/render.tsx';
import { useSession } from './useSession.tsx';

const DEV3 = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const tokensKey = `souk:tokens:31337:${DEV3.toLowerCase()}`;

function Probe({ name }: { name: string }) {
  const { signedIn } = useSession();
  return <p>{`${name}: ${signedIn ? 'signed in' : 'signed out'}`}</p>;
}

/** `navigator.locks` as the browser has it: one holder per name at a time, across every tab of the origin. */
function installWebLocks() {
  const tails = new Map<string, Promise<unknown>>();
  const locks = {
    request: <T,>(name: string, callback: () => Promise<T>): Promise<T> => {
      const previous = tails.get(name) ?? Promise.resolve();
      const run = previous.then(callback, callback);
      tails.set(
        name,
        run.catch(() => {}),
      );
      return run;
    },
  };
  Object.defineProperty(navigator, 'locks', { value: locks, configurable: true });
}

beforeEach(() => {
  localStorage.clear();
  installWebLocks();
});
afterEach(() => {
  Reflect.deleteProperty(navigator, 'locks');
});

test('two tabs with an expired access token refresh once: the second never presents the rotated refresh token', async () => {
  // Both tabs restore dev account 3, whose access token ran out but whose refresh token is valid.
  localStorage.setItem('souk:identity', JSON.stringify({ kind: 'dev', index: 3 }));
  localStorage.setItem(
    tokensKey,
    JSON.stringify({
      accessToken: 'access-1',
      accessUntil: Date.now() - 1000,
      refreshToken: 'refresh-1',
      refreshUntil: Date.now() + 86_400_000,
    }),
  );
  // The node rotates: refresh-1 works once; presenting it again revokes the sign-in (401).
  const used = new Set<string>();
  const { client, calls } = fakeNode({
    'POST /api/v1/auth/refresh': ({ body }: { body: unknown }) => {
      const { refreshToken } = body as { refreshToken: string };
      if (used.has(refreshToken)) {
        return [
          401,
          {
            type: 'about:blank',
            title: 'Unauthorized',
            status: 401,
            detail: 'Refresh token was already used',
            code: 'SOUK_ERR_UNAUTHORIZED',
          },
        ];
      }
      used.add(refreshToken);
      return {
        address: DEV3.toLowerCase(),
        accessToken: 'access-2',
        accessTokenExpiresIn: 900,
        refreshToken: 'refresh-2',
        refreshTokenExpiresIn: 2_592_000,
      };
    },
  });
  renderApp(<Probe name="tab A" />, { client });
  renderApp(<Probe name="tab B" />, { client });
  await waitFor(() => {
    expect(screen.getByText('tab A: signed in')).toBeInTheDocument();
    expect(screen.getByText('tab B: signed in')).toBeInTheDocument();
  });
  const refreshes = calls.filter((c) => c.path === '/api/v1/auth/refresh');
  expect(refreshes.map((c) => (c.body as { refreshToken: string }).refreshToken)).toEqual(['refresh-1']);
  expect(calls.some((c) => c.path === '/api/v1/auth/login' || c.path === '/api/v1/auth/nonce')).toBe(false);
  expect(JSON.parse(localStorage.getItem(tokensKey) ?? '{}')).toMatchObject({
    accessToken: 'access-2',
    refreshToken: 'refresh-2',
  });
  expect(client.accessToken).toBe('access-2');
});
