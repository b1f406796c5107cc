/**
 * Job failures: how a job whose input the model cannot take ends *failed* — requester refunded in full, nobody
 * slashed — instead of every assigned provider being slashed for a commit it could never make.
 *
 * 1. An assigned provider whose pipeline rejects the input (`@souk/provider`'s `classifyJobFailure`: a decode error,
 *    wrong tensor names, dtypes or shapes) publishes a signed {@link JobFailureReport} on
 *    `souk.jobs.failures.<jobId>` instead of committing.
 * 2. {@link FailureDesk.receive} checks it: well-formed, `reasonHash` = keccak256(reason), the EIP-712 `JobFailure`
 *    signature is the provider's (EOA or EIP-1271), and on-chain the provider holds an uncommitted slot of the job.
 * 3. On the coordinator's next pass, {@link FailureDesk.decide} has the referee run the job itself. If it fails
 *    deterministically with the same class of error, the coordinator's operator calls `ComputeMarket.failJob(jobId,
 *    keccak256(reason))` (REFEREE_ROLE) and `job_failures` keeps the reason. If the job runs, the report was false:
 *    the reporters are treated as having missed their commit (reassigned, never paid for the job).
 *
 * Transient failures (download timeouts, an OOM-killed worker, a deadline) are never reported; if the referee's own
 * run fails transiently, the decision is retried on later passes, then given up as not reproduced.
 */
import { computeMarketAbi } from '@souk/contracts';
import {
  JOB_FAILURE_CODES,
  type JobFailureReport,
  JobStatus,
  jobFailureReasonHash,
  jobFailureTypedData,
  MAX_REASON_LENGTH,
} from '@souk/protocol';
import { classifyJobFailure } from '@souk/provider';
import { type Address, type Hex, zeroHash } from 'viem';
import type { BusSubscription, JobBus } from '../bus/types.ts';
import type { NodeServices } from '../services.ts';
import type { Referee } from './referee.ts';

/** Referee runs that fail transiently before a report is given up as not reproduced. */
const MAX_TRANSIENT_ATTEMPTS = 3;

/** What {@link FailureDesk.decide} concluded for a job. */
export type FailureDecision =
  /** The referee reproduced the failure and `failJob` was sent: the job is over. */
  | { kind: 'failed'; reason: string; transactionHash: Hex }
  /** The job ran on the referee: these reporters lied (or erred); treat them as having missed their commit. */
  | { kind: 'rejected'; reporters: Address[] }
  /** The referee could not decide yet (its own run failed transiently): keep the reporters' slots for now. */
  | { kind: 'pending' };

/** Receives failure reports and decides them. */
export type FailureDesk = {
  /**
   * Checks a report from the bus and keeps it for the job's next coordinator pass.
   * @returns Why it was refused, or `undefined` when it was accepted.
   */
  receive(report: JobFailureReport): Promise<string | undefined>;
  /**
   * Decides the job's pending reports (at most one referee run per job and process).
   * @returns `undefined` when the job has no accepted report.
   * @throws From the chain when `failJob` cannot be sent (retried on the next pass).
   */
  decide(jobId: bigint): Promise<FailureDecision | undefined>;
  /** Subscribes {@link FailureDesk.receive} to `souk.jobs.failures.*`; `onAccepted` runs after each accepted report. */
  subscribe(bus: JobBus, onAccepted: () => void): Promise<BusSubscription>;
};

/**
 * Creates the failure desk of a coordinator.
 * @param services - Chain (operator key), database.
 * @param referee - Re-runs a job (`reproduce`).
 * @param options - `write` sends an operator transaction of ComputeMarket (the coordinator's one sender), `log`.
 * @example
 * ```ts
 * const desk = createFailureDesk(services, referee, { write, log })
 * await desk.subscribe(bus, () => coordinator.kick())
 * const decision = await desk.decide(jobId) // in the pass, before handling an Assigned job
 * ```
 */
export function createFailureDesk(
  services: Pick<NodeServices, 'chain' | 'db'>,
  referee: Pick<Referee, 'reproduce'>,
  {
    write,
    log = () => {},
  }: {
    write: (functionName: string, args: readonly unknown[]) => Promise<Hex>;
    log?: ((line: string) => void) | undefined;
  },
): FailureDesk {
  const { chain, db } = services;
  const market = chain.deployment.contracts.computeMarket;
  /** Accepted reports per job, by provider (lower-case). */
  const reports = new Map<string, Map<string, JobFailureReport>>();
  /** Per job: the referee ran it fine (`runs`), or failed transiently this many times. */
  const outcomes = new Map<string, 'runs' | number>();

  async function receive(report: JobFailureReport): Promise<string | undefined> {
    const shape =
      typeof report === 'object' &&
      report !== null &&
      typeof report.jobId === 'string' &&
      /^[0-9]{1,78}$/.test(report.jobId) &&
      typeof report.provider === 'string' &&
      /^0x[0-9a-fA-F]{40}$/.test(report.provider) &&
      JOB_FAILURE_CODES.includes(report.code) &&
      typeof report.reason === 'string' &&
      report.reason.length > 0 &&
      report.reason.length <= MAX_REASON_LENGTH &&
      typeof report.signature === 'string' &&
      /^0x[0-9a-fA-F]+$/.test(report.signature);
    if (!shape) return 'malformed report';
    if (
      typeof report.reasonHash !== 'string' ||
      report.reasonHash.toLowerCase() !== jobFailureReasonHash(report.reason)
    ) {
      return 'reasonHash is not keccak256 of the reason';
    }
    const jobId = BigInt(report.jobId);
    const signed = await chain.publicClient
      .verifyTypedData({
        address: report.provider,
        ...jobFailureTypedData(chain.deployment.chainId, market, {
          provider: report.provider,
          jobId,
          reasonHash: report.reasonHash,
        }),
        signature: report.signature,
      })
      .catch(() => false);
    if (!signed) return 'the signature is not the provider’s';
    const [job, assignment] = await Promise.all([
      chain.publicClient.readContract({
        address: market,
        abi: computeMarketAbi,
        functionName: 'getJob',
        args: [jobId],
      }),
      chain.publicClient.readContract({
        address: market,
        abi: computeMarketAbi,
        functionName: 'getAssignment',
        args: [jobId, report.provider],
      }),
    ]);
    if (job.status !== JobStatus.Assigned) return `job ${jobId} is not running (status ${job.status})`;
    if (!assignment.assigned) return `${report.provider} is not assigned to job ${jobId}`;
    if (assignment.commitment !== zeroHash) return `${report.provider} already committed a result for job ${jobId}`;
    const key = String(jobId);
    const forJob = reports.get(key) ?? new Map<string, JobFailureReport>();
    reports.set(key, forJob);
    forJob.set(report.provider.toLowerCase(), report);
    log(`job ${jobId}: ${report.provider} reports it cannot run (${report.code}: ${report.reason})`);
    return undefined;
  }

  async function decide(jobId: bigint): Promise<FailureDecision | undefined> {
    const key = String(jobId);
    const forJob = reports.get(key);
    if (!forJob || forJob.size === 0) return undefined;
    const reject = (): FailureDecision => {
      const reporters = [...forJob.values()].map((r) => r.provider);
      forJob.clear();
      return { kind: 'rejected', reporters };
    };
    if (outcomes.get(key) === 'runs') return reject();
    const run = await referee.reproduce(jobId);
    if (run.ok) {
      outcomes.set(key, 'runs');
      log(`job ${jobId}: the referee ran it (${run.resultHash.slice(0, 12)}…): the failure report is false`);
      return reject();
    }
    const verdict = classifyJobFailure(run.error);
    const [first] = forJob.values();
    if (!verdict.deterministic) {
      const attempts = ((outcomes.get(key) as number | undefined) ?? 0) + 1;
      outcomes.set(key, attempts);
      log(`job ${jobId}: the referee's run failed transiently (${verdict.reason}), attempt ${attempts}`);
      return attempts >= MAX_TRANSIENT_ATTEMPTS ? reject() : { kind: 'pending' };
    }
    const agreeing = [...forJob.values()].find((r) => r.code === verdict.code) ?? first;
    if (agreeing.code !== verdict.code) {
      outcomes.set(key, 'runs'); // a different deterministic failure: the report is not what happens
      log(`job ${jobId}: the referee failed with ${verdict.code}, the report said ${agreeing.code}`);
      return reject();
    }
    const reasonHash = jobFailureReasonHash(verdict.reason);
    const row = {
      reason: verdict.reason,
      reason_hash: reasonHash,
      code: verdict.code,
      reported_by: agreeing.provider.toLowerCase(),
      reported_reason: agreeing.reason,
      reproduced_by_referee: true,
    };
    await db
      .insertInto('job_failures')
      .values({ job_id: key, ...row })
      .onConflict((oc) => oc.column('job_id').doUpdateSet(row))
      .execute();
    const transactionHash = await write('failJob', [jobId, reasonHash]);
    await db.updateTable('job_failures').set({ fail_tx: transactionHash }).where('job_id', '=', key).execute();
    reports.delete(key);
    outcomes.delete(key);
    log(`job ${jobId}: failed (${verdict.code}: ${verdict.reason}); requester refunded, nobody slashed`);
    return { kind: 'failed', reason: verdict.reason, transactionHash };
  }

  return {
    receive,
    decide,
    async subscribe(bus, onAccepted) {
      return bus.subscribe<JobFailureReport>(
        bus.subjects.failuresAll,
        async (message) => {
          const refused = await receive(message.data);
          if (refused) log(`failure report ${message.id} refused: ${refused}`);
          else onAccepted();
        },
        { durable: 'node-failures', deliverPolicy: 'new' },
      );
    },
  };
}
