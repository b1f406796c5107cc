import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

/** The verified result of a settled job. */
export type JobResult<TOutput = unknown> = {
  jobId: string;
  /** `finalized` (agreement or settled dispute). */
  status: string;
  /** `0x` + SHA-256 of the canonical output, as settled on-chain. */
  resultHash: string;
  /** CID of the canonical output bytes. */
  resultCid: string;
  /** The output: for OCR `{ lines: [{ text, confidence, box }] }`; for ONNX `{ tensors }`. */
  output: TOutput;
  /** Each provider's stored result, whether it agreed, and its runtime record (ORT version, threads…). */
  providers: Array<{ provider: string; resultHash: string; agreed: boolean; runtimeRecord: unknown }>;
  /** The node's re-execution, when the job was disputed or audited. */
  audit: { reason: 'dispute' | 'audit'; result_hash: string; matched: boolean; settle_tx: string | null } | null;
};
export type GetJobResultErrorType = SoukApiError | SoukError;

/**
 * The verified result of a job you requested (`GET /api/v1/jobs/:id/result`). Requires sign-in as the requester.
 * @throws {SoukApiError} 409 while the job has no verified result, 403 for someone else's job, 404 unknown job.
 */
export function getJobResult<TOutput = unknown>(
  client: SoukClient,
  { jobId }: { jobId: bigint | string },
): Promise<JobResult<TOutput>> {
  return client.json(`/api/v1/jobs/${jobId}/result`);
}
