import type { RoundEntry, RoundRun } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

/**
 * Declares a federated run on the node (`POST /api/v1/rounds`), so it keeps a verified timeline of its rounds.
 * @param parameters.recipeId - The training recipe.
 * @param parameters.shards - Updates per round, 1–64.
 * @param parameters.rounds - Rounds, 1–1,000.
 * @throws {SoukApiError} 401 when not signed in, 422 out of range.
 */
export function createRoundRun(
  client: SoukClient,
  { recipeId, shards, rounds }: { recipeId: bigint | string; shards: number; rounds: number },
): Promise<RoundRun> {
  return client.json('/api/v1/rounds', { method: 'POST', body: { recipeId: String(recipeId), shards, rounds } });
}

/**
 * Reports a finished round (`POST /api/v1/rounds/:id/entries`): the node verifies every update order itself and
 * records its own FedAvg aggregate, whose `aggregateHash` must equal the one the SDK computed.
 * @throws {SoukApiError} 403 (another account's run or order), 404, 409 (not the next round, or an order not
 *   verified), 422 (not this round's updates).
 */
export function recordRound(
  client: SoukClient,
  { runId, round, orders }: { runId: string; round: number; orders: readonly string[] },
): Promise<RoundEntry> {
  return client.json(`/api/v1/rounds/${runId}/entries`, { method: 'POST', body: { round, orders: [...orders] } });
}

/**
 * A federated run and the rounds the node verified (`GET /api/v1/rounds/:id`): a live loss and accuracy curve.
 * @throws {SoukApiError} 404 for an unknown run.
 */
export function getRoundRun(client: SoukClient, { runId }: { runId: string }): Promise<RoundRun> {
  return client.json(`/api/v1/rounds/${runId}`);
}
