import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** A compute provider in the leaderboard (snake_case as indexed; SOUK wei as decimal strings). */
export type ProviderStatsRow = {
  address: string;
  /** Bonded stake, SOUK wei. */
  stake: string;
  /** Stake waiting to unbond, SOUK wei. */
  unbonding: string;
  /** ISO 8601, or null when nothing unbonds. */
  unbondable_at: string | null;
  completed: number;
  failed: number;
  /** Times slashed. */
  slashed: number;
  /** SOUK wei taken by slashing. */
  slashed_amount: string;
  metadata_uri: string;
  registered_block: number;
  updated_block: number;
  /** Stake ≥ the minimum stake. */
  active: boolean;
  /** completed / (completed + failed); null before any result. */
  success_rate: number | null;
  /** Job slots ever assigned. */
  assignments: number;
};

export type GetProviderStatsParameters = {
  /** Providers in the leaderboard, 1..100. @default 20 */
  limit?: number | undefined;
};
export type GetProviderStatsReturnType = {
  totals: {
    /** Registered providers. */
    providers: number;
    /** Providers with stake ≥ the minimum stake. */
    active: number;
    /** SOUK wei bonded. */
    stake: string;
    /** SOUK wei waiting to unbond. */
    unbonding: string;
    /** SOUK wei of the bonded stake locked by open assignments (absent from nodes before stake locks). */
    locked?: string;
    completed: number;
    failed: number;
    slashes: number;
    /** SOUK wei slashed. */
    slashed_amount: string;
    /** Minimum stake in force, SOUK wei. */
    min_stake: string;
  };
  /** By completed jobs, then stake. */
  providers: ProviderStatsRow[];
};
export type GetProviderStatsErrorType = SoukApiError | SoukError;

/**
 * Compute provider totals and a leaderboard (`GET /api/v1/analytics/providers`).
 * @param client - A Souk client.
 * @param parameters - {@link GetProviderStatsParameters}
 * @returns Totals over all providers and the top `limit` providers.
 * @throws {SoukApiError} 400 on a bad limit.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getProviderStats } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const { totals, providers } = await getProviderStats(client, { limit: 10 })
 * ```
 */
export function getProviderStats(
  client: SoukClient,
  { limit }: GetProviderStatsParameters = {},
): Promise<GetProviderStatsReturnType> {
  return client.json(`/api/v1/analytics/providers${limit === undefined ? '' : `?limit=${limit}`}`);
}
