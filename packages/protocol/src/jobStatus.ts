/**
 * Job statuses of `ComputeMarket` (v1 jobs): the contract's `JobStatus` enum numbering (uint8 on-chain and in
 * `JobStatusChanged(from, to)`), and the lower-case names the node's API, its database and the SDK use for them.
 *
 * | code | name | meaning |
 * | --- | --- | --- |
 * | 0 | `none` | no such job |
 * | 1 | `open` | submitted, waiting for providers |
 * | 2 | `assigned` | providers assigned, commits running |
 * | 3 | `revealing` | every commitment is in; reveals running |
 * | 4 | `disputed` | revealed results disagree; the referee decides |
 * | 5 | `finalized` | a verified result; providers paid |
 * | 6 | `refunded` | no verified result before the deadline; requester refunded |
 * | 7 | `failed` | the input is one the model cannot take (`failJob`); requester refunded, nobody slashed |
 */

/** `ComputeMarket.JobStatus`, by name. */
export const JobStatus = {
  None: 0,
  Open: 1,
  Assigned: 2,
  Revealing: 3,
  Disputed: 4,
  Finalized: 5,
  Refunded: 6,
  Failed: 7,
} as const;

/** A `ComputeMarket.JobStatus` value (0…7). */
export type JobStatusCode = (typeof JobStatus)[keyof typeof JobStatus];

/** The API's status names, indexed by code (`JOB_STATUS_NAMES[JobStatus.Revealing]` is `'revealing'`). */
export const JOB_STATUS_NAMES = [
  'none',
  'open',
  'assigned',
  'revealing',
  'disputed',
  'finalized',
  'refunded',
  'failed',
] as const;

/** A job status as the API names it. */
export type JobStatusName = (typeof JOB_STATUS_NAMES)[number];

/** Statuses a job never leaves. */
export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatusName> = new Set(['finalized', 'refunded', 'failed']);

/**
 * The API name of a status code.
 * @param code A `ComputeMarket.JobStatus` value (a number, or a bigint / decimal string as decoded from an event).
 * @returns E.g. `'revealing'` for 3.
 * @throws {RangeError} For a value that is not a status code (0…7).
 * @example
 * ```ts
 * import { jobStatusName } from '@souk/protocol'
 * jobStatusName(event.args.to) // 'disputed'
 * ```
 */
export function jobStatusName(code: number | bigint | string): JobStatusName {
  const n =
    typeof code === 'string' && /^[0-9]+$/.test(code) ? Number(code) : typeof code === 'bigint' ? Number(code) : code;
  const name = typeof n === 'number' && Number.isInteger(n) ? JOB_STATUS_NAMES[n] : undefined;
  if (name === undefined) throw new RangeError(`${String(code)} is not a ComputeMarket job status (0…7).`);
  return name;
}

/**
 * The status code of an API name.
 * @param name A status name, e.g. `'finalized'`.
 * @returns Its `ComputeMarket.JobStatus` value, e.g. 5.
 * @throws {RangeError} For a name that is not a job status.
 */
export function jobStatusCode(name: string): JobStatusCode {
  const code = (JOB_STATUS_NAMES as readonly string[]).indexOf(name);
  if (code < 0) throw new RangeError(`"${name}" is not a job status (${JOB_STATUS_NAMES.join(', ')}).`);
  return code as JobStatusCode;
}
