import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

export type GetHealthReturnType = { status: 'ok' };
export type GetHealthErrorType = SoukApiError | SoukError;

/**
 * Liveness: the node process is up (`GET /health`). Says nothing about its dependencies; see `getReadiness`.
 * @param client - A Souk client.
 * @returns `{ status: 'ok' }`.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getHealth } from '@souk/sdk'
 * const { status } = await getHealth(createSoukClient({ url: 'http://127.0.0.1:8080' }))
 * ```
 */
export function getHealth(client: SoukClient): Promise<GetHealthReturnType> {
  return client.json('/health');
}
