import type { LocalAccount } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import type { SoukClient } from '../../clients/createSoukClient.ts';

export type SignInParameters = {
  /** The account that signs the EIP-4361 message (e.g. `privateKeyToAccount(key)`). */
  account: LocalAccount;
  /** Also set a profile (uses `/auth/register`). */
  profile?: { username?: string; email?: string } | undefined;
  /** Message validity, seconds. @default 300 */
  ttlSeconds?: number | undefined;
};
export type SignInReturnType = {
  address: string;
  accessToken: string;
  /** Access token lifetime, seconds. */
  accessTokenExpiresIn: number;
  refreshToken: string;
  /** Refresh token lifetime, seconds. */
  refreshTokenExpiresIn: number;
};

/**
 * Signs in with Ethereum (EIP-4361): gets a nonce, signs the SIWE message with `account`, exchanges it for tokens,
 * and stores the access token on the client. The message names the `domain`, `uri` and chain id the node advertises
 * in its nonce response — its configured public origin (`SOUK_PUBLIC_URL`), which is the only one it accepts.
 * @example
 * ```ts
 * import { privateKeyToAccount } from 'viem/accounts'
 * import { createSoukClient, signIn } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * await signIn(client, { account: privateKeyToAccount(key) })
 * ```
 * @throws {SoukApiError} 401 when the node rejects a field of the message; `problem.detail` names it
 * (`SIWE domain: …`, `SIWE uri: …`, `SIWE chain-id: …`, `SIWE issued-at: …`, `SIWE signature: …`, `SIWE nonce: …`).
 */
export async function signIn(
  client: SoukClient,
  { account, profile, ttlSeconds = 300 }: SignInParameters,
): Promise<SignInReturnType> {
  const challenge = await client.json<{
    nonce: string;
    domain: string;
    uri: string;
    chainId: number;
    statement: string;
  }>('/api/v1/auth/nonce', { method: 'POST' });
  const message = createSiweMessage({
    address: account.address,
    chainId: challenge.chainId,
    domain: challenge.domain,
    nonce: challenge.nonce,
    uri: challenge.uri,
    version: '1',
    statement: challenge.statement,
    issuedAt: new Date(),
    expirationTime: new Date(Date.now() + ttlSeconds * 1000),
  });
  const signature = await account.signMessage({ message });
  const tokens = await client.json<SignInReturnType>(profile ? '/api/v1/auth/register' : '/api/v1/auth/login', {
    method: 'POST',
    body: { message, signature, ...profile },
  });
  client.accessToken = tokens.accessToken;
  return tokens;
}
