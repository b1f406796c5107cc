import type { SoukClient } from '../../clients/createSoukClient.ts';

export type GetProfileReturnType = {
  address: string;
  username: string | null;
  email: string | null;
  createdAt: string;
};

/** The signed-in account's profile. @throws {SoukApiError} 401 without credentials. */
export function getProfile(client: SoukClient): Promise<GetProfileReturnType> {
  return client.json('/api/v1/auth/profile');
}
