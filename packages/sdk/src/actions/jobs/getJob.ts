import type { JobStatusName } from '@souk/protocol';
import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** Job statuses, as `ComputeMarket.JobStatus` names them (lower-case): `@souk/protocol`'s `JobStatusName`. */
export type JobStatus = JobStatusName;

/** Why a job ended `failed`: its input is one the model cannot take (ComputeMarket.failJob; nobody slashed). */
export type JobFailure = {
  /** What is wrong with the input, in the referee's words (null when the node only indexed the event). */
  reason: string | null;
  /** keccak256 of `reason`, as the `JobFailed` event recorded it. */
  reasonHash: string;
  /** `invalid-input` (the pipeline rejected the input) or `invalid-argument` (ONNX Runtime rejected the tensors). */
  code: string | null;
  /** The provider whose signed report started it. */
  reportedBy: string | null;
  /** The reason in the reporter's words. */
  reportedReason: string | null;
  /** Whether the node's referee ran the job and failed the same way. */
  reproducedByReferee: boolean;
  /** The `failJob` transaction. */
  transactionHash: string | null;
};

/** A compute job as indexed. Column names as stored (snake_case); wei and ids as decimal strings, times ISO 8601. */
export type Job = {
  /** Job id, decimal string. */
  id: string;
  requester: string;
  /** Asset id of the model, decimal string. */
  model_id: string;
  input_hash: string;
  status: JobStatus;
  /** ERC-20 address of the reward. */
  currency: string;
  /** Reward, wei of `currency` as a decimal string. */
  reward: string;
  /** Providers that must agree. */
  redundancy: number;
  /** ISO 8601. */
  deadline: string;
  committed_count: number;
  revealed_count: number;
  result_hash: string | null;
  created_block: number;
  /** ISO 8601. */
  created_at: string;
  updated_block: number;
  /** Providers that hold or held a slot. */
  assignments: {
    provider: string;
    assigned: boolean;
    commitment: string | null;
    result: string | null;
    assigned_block: number;
  }[];
  /** Every event of the job, in chain order. */
  events: {
    tx_hash: string;
    log_index: number;
    /** Event name, e.g. `ResultCommitted`. */
    kind: string;
    provider: string | null;
    /** Decoded event arguments (uints as decimal strings). */
    data: unknown;
    block_number: number;
    /** ISO 8601. */
    timestamp: string;
  }[];
  /** Money paid out when the job closed. */
  payouts: {
    tx_hash: string;
    log_index: number;
    role: 'provider' | 'creator' | 'treasury' | 'refund';
    account: string;
    currency: string;
    /** wei, decimal string. */
    amount: string;
    block_number: number;
    /** ISO 8601. */
    timestamp: string;
  }[];
  /** Why it failed, when `status` is `failed` (else null; absent from older nodes). */
  failure?: JobFailure | null | undefined;
};

export type GetJobParameters = {
  /** Job id (ComputeMarket). */
  jobId: bigint;
};
export type GetJobReturnType = Job;
export type GetJobErrorType = SoukApiError | SoukError;

/**
 * A compute job with its provider assignments, events and payouts, from the node's index (`GET /api/v1/jobs/:id`).
 * @param client - A Souk client.
 * @param parameters - {@link GetJobParameters}
 * @returns The job.
 * @throws {SoukApiError} 400 on a malformed id, 404 when no such job was indexed.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, getJob } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const job = await getJob(client, { jobId: 1n })
 * if (job.status === 'finalized') console.log(job.result_hash)
 * ```
 */
export function getJob(client: SoukClient, { jobId }: GetJobParameters): Promise<GetJobReturnType> {
  return client.json(`/api/v1/jobs/${jobId}`);
}
