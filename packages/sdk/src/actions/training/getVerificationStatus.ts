import type { VerificationStatus } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';

export type GetVerificationStatusParameters = {
  /** The training verification (an evaluation order): its order hash (`0x` + 64 hex). */
  verificationId: string;
};

/** A training verification's status (`@souk/protocol`'s `VerificationStatus`, the node's response schema). */
export type GetVerificationStatusReturnType = VerificationStatus;

/**
 * A training verification's status (`GET /api/v1/verify/status/:id`): its phase and, once r providers agreed, the
 * metrics recorded on the model's card (accuracy, macro precision/recall/F1 as 0…1, confusion matrix, dataset
 * SHA-256, attesting providers). Only the order's requester may read it.
 * @throws {SoukApiError} 401 not signed in, 403 another account's order, 404 unknown order.
 * @example
 * ```ts
 * const { evaluation } = await getVerificationStatus(client, { verificationId: run.order.orderHash })
 * if (evaluation) console.log(`accuracy ${(evaluation.accuracy * 100).toFixed(1)} %`)
 * ```
 */
export async function getVerificationStatus(
  client: SoukClient,
  { verificationId }: GetVerificationStatusParameters,
): Promise<GetVerificationStatusReturnType> {
  return client.json<VerificationStatus>(`/api/v1/verify/status/${verificationId}`);
}
