import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SignInReturnType } from './signIn.ts';

export type RefreshSessionParameters = { /** From `signIn`; single use (rotated). */ refreshToken: string };

/**
 * Exchanges a refresh token for new tokens and stores the new access token on the client. Each refresh token works
 * once (rotation): keep the new one.
 * @throws {SoukApiError} 401 when the refresh token is unknown or expired, or was already used — the node then
 * revokes every refresh token of that sign-in (its family), so sign in again with `signIn`.
 */
export async function refreshSession(
  client: SoukClient,
  { refreshToken }: RefreshSessionParameters,
): Promise<SignInReturnType> {
  const tokens = await client.json<SignInReturnType>('/api/v1/auth/refresh', {
    method: 'POST',
    body: { refreshToken },
  });
  client.accessToken = tokens.accessToken;
  return tokens;
}
