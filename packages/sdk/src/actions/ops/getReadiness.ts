import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

export type GetReadinessReturnType = {
  /** `ready` when every check passed (HTTP 200), `degraded` otherwise (HTTP 503). */
  status: 'ready' | 'degraded';
  /** Whether each dependency answered. */
  checks: { chain: boolean; database: boolean; storage: boolean };
};
export type GetReadinessErrorType = SoukApiError | SoukError;

/**
 * Readiness: whether the node's chain, database and storage answer (`GET /ready`). A degraded node (503) is
 * returned as `status: 'degraded'`, not thrown.
 * @param client - A Souk client.
 * @returns The overall status and each check.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getReadiness } from '@souk/sdk'
 * const { status, checks } = await getReadiness(createSoukClient({ url: 'http://127.0.0.1:8080' }))
 * if (status !== 'ready') console.warn('degraded', checks)
 * ```
 */
export function getReadiness(client: SoukClient): Promise<GetReadinessReturnType> {
  return client.json('/ready', { accept: [503] });
}
