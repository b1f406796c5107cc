/**
 * Deterministic job failures: a job whose input the model cannot take fails the same way on every honest machine,
 * so it must end as *failed* (requester refunded, nobody slashed) rather than as a missed commit (every provider
 * slashed). This module tells such failures apart from transient ones, and defines the signed report a provider
 * sends on `souk.jobs.failures.<jobId>`; the node's referee reproduces the failure before it calls
 * `ComputeMarket.failJob` (see the node's `compute/failure.ts`).
 *
 * | class | when | a job failure? |
 * | --- | --- | --- |
 * | `invalid-input` | the pipeline rejected the input: not an image, not JSON / `.npy`, missing or unknown tensor names, dims that do not match the data, an unknown pipeline or a bundle missing a file | yes |
 * | `invalid-argument` | ONNX Runtime rejected the feeds: wrong rank, dtype or fixed dimension, a missing feed | yes |
 * | transient | deadline, cancellation, a crashed worker (OOM), download / upload refused, anything else | no: the provider just did not commit |
 *
 * Report signatures are EIP-712 `JobFailure {provider, jobId, reasonHash}` in the job-access domain ("Souk Gateway"
 * v1, verifyingContract = ComputeMarket); `reasonHash` is `keccak256(utf8(reason))`, the value `failJob` records.
 * The report, its types and limits are wire contract: `@souk/protocol`'s `jobFailure.ts`.
 */
import {
  type JobFailureCode,
  type JobFailureReport,
  jobFailureReasonHash,
  jobFailureTypedData,
  MAX_REASON_LENGTH,
} from '@souk/protocol';
import type { Address, LocalAccount } from 'viem';

/** What {@link classifyJobFailure} found. */
export type JobFailureClass =
  | {
      /** The job itself cannot run: every honest run fails the same way. */
      deterministic: true;
      code: JobFailureCode;
      /** One line (at most {@link MAX_REASON_LENGTH} characters) naming what is wrong. */
      reason: string;
    }
  | { deterministic: false; reason: string };

/** ONNX Runtime's messages for feeds it refuses (its INVALID_ARGUMENT status). */
const ORT_INVALID_ARGUMENT = [
  /Invalid rank for input/i,
  /Unexpected input data type/i,
  /Got invalid dimensions for input/i,
  /is missing in 'feeds'/i,
  /Invalid input name/i,
  /INVALID_ARGUMENT/,
];

/** Names of errors that are never the job's fault. */
const TRANSIENT_NAMES = new Set(['JobDeadlineError', 'JobCancelledError', 'RuntimeClosedError', 'NodeRequestError']);

function oneLine(text: string): string {
  const line = text
    .replace(/\.?\n+Details: /g, ': ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH - 1)}…` : line;
}

/**
 * Classifies an error thrown by `JobExecutor.execute` (or the runtime): deterministic failures of the job itself vs
 * transient failures of the machine or the network.
 * @param error - What was thrown.
 * @returns `{ deterministic: true, code, reason }` for an input the model cannot take, else `{ deterministic: false }`.
 * @example
 * ```ts
 * import { classifyJobFailure } from '@souk/provider'
 * const verdict = await executor.execute({ pipeline: 'ocr', bundle, input }).then(() => undefined, classifyJobFailure)
 * if (verdict?.deterministic) console.log(verdict.code, verdict.reason)
 * ```
 */
export function classifyJobFailure(error: unknown): JobFailureClass {
  const chain: Array<{ name?: unknown; message?: unknown }> = [];
  for (let e = error as { name?: unknown; message?: unknown; cause?: unknown } | undefined; e; ) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause as typeof e;
    if (chain.length > 8) break;
  }
  const message = (e: { message?: unknown }) => (typeof e.message === 'string' ? e.message : String(e));
  const reason = oneLine(chain.length > 0 ? message(chain.at(-1) as { message?: unknown }) : String(error));
  if (chain.some((e) => typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name))) {
    return { deterministic: false, reason };
  }
  if (/worker thread stopped/i.test(chain.map(message).join('\n'))) return { deterministic: false, reason };
  const invalidInput = chain.find((e) => e.name === 'InvalidInputError');
  if (invalidInput) return { deterministic: true, code: 'invalid-input', reason: oneLine(message(invalidInput)) };
  const ort = chain.find((e) => ORT_INVALID_ARGUMENT.some((pattern) => pattern.test(message(e))));
  if (ort) {
    // Worker errors arrive wrapped as "The job failed. Details: Error: <ORT message>": keep ORT's own words.
    const original = chain.at(-1) ?? ort;
    return { deterministic: true, code: 'invalid-argument', reason: oneLine(message(original)) };
  }
  return { deterministic: false, reason };
}

/**
 * Signs a failure report.
 * @param parameters - The provider's account, the job, the chain, ComputeMarket, and the classified failure.
 * @returns The report to publish on `souk.jobs.failures.<jobId>`.
 * @example
 * ```ts
 * import { signJobFailure } from '@souk/provider'
 * const report = await signJobFailure({ account, jobId: 7n, chainId, computeMarket, code: 'invalid-input', reason })
 * await bus.publish(bus.subjects.failures(7n), report)
 * ```
 */
export async function signJobFailure({
  account,
  jobId,
  chainId,
  computeMarket,
  code,
  reason,
}: {
  account: LocalAccount;
  jobId: bigint;
  chainId: number;
  computeMarket: Address;
  code: JobFailureCode;
  reason: string;
}): Promise<JobFailureReport> {
  const reasonHash = jobFailureReasonHash(reason);
  const signature = await account.signTypedData(
    jobFailureTypedData(chainId, computeMarket, { provider: account.address, jobId, reasonHash }),
  );
  return { jobId: String(jobId), provider: account.address, code, reason, reasonHash, signature };
}
