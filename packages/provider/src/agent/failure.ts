/**
 * How the agent answers a job it could not run. A deterministic failure of the job itself (the pipeline or ONNX
 * Runtime rejected the input, `jobs/failure.ts`) is reported, signed, on `souk.jobs.failures.<jobId>`: the node's
 * referee reproduces it and ends the job as failed (requester refunded, nobody slashed). Anything else (a download
 * timeout, an OOM-killed worker, a deadline) is the provider's own trouble: a plain `failed` result notice, after
 * which the node reassigns the slot.
 */
import type { ProviderBus } from '@souk/protocol';
import type { Address, LocalAccount } from 'viem';
import { classifyJobFailure, type JobFailureClass, signJobFailure } from '../jobs/failure.ts';

/** Parameters of {@link reportJobFailure}. */
export type ReportJobFailureParameters = {
  bus: ProviderBus;
  /** The provider's key (signs the report). */
  account: LocalAccount;
  chainId: number;
  computeMarket: Address;
  jobId: bigint;
  /** The error the execution threw (classified here), or an already classified failure. */
  error: unknown;
  /** Scopes the report's bus message id (the assignment's message id), so a fresh chain sharing the stream is not de-duplicated against an old one. */
  scope?: string | undefined;
};

/**
 * Classifies an execution error and, when it is a deterministic failure of the job, publishes the signed report.
 * @param parameters - See {@link ReportJobFailureParameters}.
 * @returns The classification and `published`: `true` when the signed report went out (the caller then sends no
 *   `failed` notice); `false` for a transient failure, or when signing or publishing failed (the caller then treats
 *   it as its own failure). Never throws.
 * @example
 * ```ts
 * const verdict = await reportJobFailure({ bus, account, chainId, computeMarket, jobId, error })
 * if (!verdict.deterministic) await notifyFailed(verdict.reason)
 * ```
 */
export async function reportJobFailure({
  bus,
  account,
  chainId,
  computeMarket,
  jobId,
  error,
  scope,
}: ReportJobFailureParameters): Promise<JobFailureClass & { published: boolean }> {
  const verdict = isClass(error) ? error : classifyJobFailure(error);
  if (!verdict.deterministic) return { ...verdict, published: false };
  try {
    const report = await signJobFailure({
      account,
      jobId,
      chainId,
      computeMarket,
      code: verdict.code,
      reason: verdict.reason,
    });
    await bus.publish(bus.subjects.failures(jobId), report, {
      id: `failure:${scope ?? jobId}:${account.address.toLowerCase()}`,
    });
    return { ...verdict, published: true };
  } catch {
    return { ...verdict, published: false };
  }
}

function isClass(value: unknown): value is JobFailureClass {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { deterministic?: unknown }).deterministic === 'boolean' &&
    typeof (value as { reason?: unknown }).reason === 'string' &&
    !(value instanceof Error)
  );
}
