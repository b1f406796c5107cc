import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

export type CreateApiKeyParameters = {
  /** A name to recognise the key by, 1..64 characters. */
  label: string;
};
export type CreateApiKeyReturnType = {
  /** Key id (UUID), for `revokeApiKey`. */
  id: string;
  label: string;
  /** The secret (`souk_key_…`). Shown only once: the node stores its hash. Send it as `x-api-key`. */
  key: string;
};
export type CreateApiKeyErrorType = SoukApiError | SoukError;

/**
 * Creates an API key for the signed-in account (`POST /api/v1/auth/api-keys`), for scripts that cannot sign SIWE
 * messages. Pass the key as `apiKey` to `createSoukClient`.
 * @param client - A signed-in client.
 * @param parameters - {@link CreateApiKeyParameters}
 * @returns The key id, label and the secret key.
 * @throws {SoukApiError} 400 on a bad label, 401 without credentials.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createApiKey, createSoukClient, getProfile } from '@souk/sdk'
 * const { key } = await createApiKey(client, { label: 'nightly job' })
 * const script = createSoukClient({ url: 'http://127.0.0.1:8080', apiKey: key })
 * await getProfile(script)
 * ```
 */
export function createApiKey(client: SoukClient, { label }: CreateApiKeyParameters): Promise<CreateApiKeyReturnType> {
  return client.json('/api/v1/auth/api-keys', { method: 'POST', body: { label } });
}
