import type { TrainingStatus } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

export type GetTrainingStatusParameters = {
  /** The training job: its order hash (`0x` + 64 hex). */
  trainingId: string;
};

/** A training job's status (`@souk/protocol`'s `TrainingStatus`, the node's response schema). */
export type GetTrainingStatusReturnType = TrainingStatus;

/**
 * A training job's status (`GET /api/v1/training/:id`): its phase and, once r providers agreed on the trained weights,
 * the weights hash, the samples and classes trained on, the per-epoch loss and accuracy, and the attesting providers.
 * Only the job's requester may read it. Submit one with `runOrder` on a training recipe (docs/training.md); for the
 * trained model itself read the order (`getOrder`), whose result holds it.
 * @throws {SoukApiError} 401 not signed in, 403 another account's job, 404 unknown job.
 * @example
 * ```ts
 * const status = await getTrainingStatus(client, { trainingId: run.order.orderHash })
 * if (status.verified) console.log(`weights ${status.weightsHash}, final loss ${status.history?.loss.at(-1)}`)
 * ```
 */
export async function getTrainingStatus(
  client: SoukClient,
  { trainingId }: GetTrainingStatusParameters,
): Promise<GetTrainingStatusReturnType> {
  return client.json<TrainingStatus>(`/api/v1/training/${trainingId}`);
}
