import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';
import type { GetProfileReturnType } from './getProfile.ts';

export type UpdateProfileParameters = {
  /** New username, 3..32 characters of `[a-zA-Z0-9_.-]`; unique across accounts. */
  username?: string | undefined;
  /** New e-mail address (at most 254 characters). */
  email?: string | undefined;
};
/** The profile after the update. */
export type UpdateProfileReturnType = GetProfileReturnType;
export type UpdateProfileErrorType = SoukApiError | SoukError;

/**
 * Updates the signed-in account's username and/or e-mail (`PATCH /api/v1/auth/profile`). Fields left out keep
 * their value; at least one is needed.
 * @param client - A client signed in with `signIn` (or holding an API key).
 * @param parameters - {@link UpdateProfileParameters}
 * @returns The updated profile.
 * @throws {SoukApiError} 400 on an invalid or empty update, 401 without credentials, 409 when the username is taken.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, signIn, updateProfile } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * await signIn(client, { account })
 * const profile = await updateProfile(client, { username: 'alice' })
 * ```
 */
export function updateProfile(
  client: SoukClient,
  { username, email }: UpdateProfileParameters,
): Promise<UpdateProfileReturnType> {
  return client.json('/api/v1/auth/profile', {
    method: 'PATCH',
    body: { ...(username !== undefined ? { username } : {}), ...(email !== undefined ? { email } : {}) },
  });
}
