/**
 * The `failure` part of `GET /jobs/:id`: why a job ended `failed` (ComputeMarket.failJob), from `job_failures`.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** A failed job's reason, as `GET /jobs/:id` shows it. */
export type JobFailureView = {
  /** What is wrong with the input, in the referee's words (null when this node only indexed the event). */
  reason: string | null;
  /** keccak256 of `reason`, as recorded on-chain by `JobFailed`. */
  reasonHash: string;
  /** `invalid-input` (the pipeline rejected it) or `invalid-argument` (ONNX Runtime rejected the tensors). */
  code: string | null;
  /** The provider whose signed report started it. */
  reportedBy: string | null;
  /** The reason in the reporter's words. */
  reportedReason: string | null;
  /** Whether this node's referee ran the job and failed the same way. */
  reproducedByReferee: boolean;
  /** The `failJob` transaction. */
  transactionHash: string | null;
};

/**
 * Reads the failure of a job.
 * @param db - The database.
 * @param jobId - Decimal job id.
 * @returns The failure, or `null` when the job has not failed.
 */
export async function jobFailure(db: Kysely<Database>, jobId: string): Promise<JobFailureView | null> {
  const row = await db.selectFrom('job_failures').selectAll().where('job_id', '=', jobId).executeTakeFirst();
  if (!row) return null;
  return {
    reason: row.reason,
    reasonHash: row.reason_hash,
    code: row.code,
    reportedBy: row.reported_by,
    reportedReason: row.reported_reason,
    reproducedByReferee: row.reproduced_by_referee,
    transactionHash: row.fail_tx,
  };
}
