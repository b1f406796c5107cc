import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

export type RevokeApiKeyParameters = {
  /** Key id (UUID) returned by `createApiKey`. */
  id: string;
};
export type RevokeApiKeyReturnType = undefined;
export type RevokeApiKeyErrorType = SoukApiError | SoukError;

/**
 * Revokes one of the signed-in account's API keys (`DELETE /api/v1/auth/api-keys/:id`); requests with it then
 * get 401.
 * @param client - A signed-in client (or one using another of the account's keys).
 * @param parameters - {@link RevokeApiKeyParameters}
 * @throws {SoukApiError} 400 when `id` is not a UUID, 401 without credentials, 404 when the account has no such
 * active key.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createApiKey, revokeApiKey } from '@souk/sdk'
 * const { id } = await createApiKey(client, { label: 'ci' })
 * await revokeApiKey(client, { id })
 * ```
 */
export async function revokeApiKey(
  client: SoukClient,
  { id }: RevokeApiKeyParameters,
): Promise<RevokeApiKeyReturnType> {
  await client.request(`/api/v1/auth/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
