/**
 * Job failure reports: an assigned provider whose pipeline rejects the job's input (the same way on every honest
 * machine) signs EIP-712 `JobFailure {provider, jobId, reasonHash}` in the job-access domain ("Souk Gateway" v1,
 * verifyingContract = ComputeMarket) and publishes a {@link JobFailureReport} on `<prefix>.jobs.failures.<jobId>`.
 * The node's referee reproduces the failure before it calls `ComputeMarket.failJob(jobId, reasonHash)`.
 */
import { type Address, type Hex, keccak256, stringToBytes } from 'viem';
import { jobAccessDomain } from './access.ts';

/** Class of a deterministic job failure: the pipeline rejected the input, or ONNX Runtime rejected the feeds. */
export type JobFailureCode = 'invalid-input' | 'invalid-argument';

/** Every {@link JobFailureCode}, for checking a report from the bus. */
export const JOB_FAILURE_CODES: readonly JobFailureCode[] = ['invalid-input', 'invalid-argument'];

/** Longest failure reason a report may carry, UTF-16 code units (the node refuses longer ones). */
export const MAX_REASON_LENGTH = 500;

/** EIP-712 types of a failure report (domain: {@link jobAccessDomain}). */
export const jobFailureTypes = {
  JobFailure: [
    { name: 'provider', type: 'address' },
    { name: 'jobId', type: 'uint256' },
    { name: 'reasonHash', type: 'bytes32' },
  ],
} as const;

/** `<prefix>.jobs.failures.<jobId>`: an assigned provider reports that the job itself cannot run. */
export type JobFailureReport = {
  /** Job id, decimal. */
  jobId: string;
  /** The reporting provider (checksummed); the signer. */
  provider: Address;
  /** Failure class. */
  code: JobFailureCode;
  /** One line (at most {@link MAX_REASON_LENGTH} characters) naming what is wrong with the input. */
  reason: string;
  /** {@link jobFailureReasonHash} of `reason`. */
  reasonHash: Hex;
  /** EIP-712 signature of `JobFailure {provider, jobId, reasonHash}` by `provider`. */
  signature: Hex;
};

/** `keccak256` of the reason's UTF-8 bytes: what `ComputeMarket.failJob` records and the provider signs. */
export function jobFailureReasonHash(reason: string): Hex {
  return keccak256(stringToBytes(reason));
}

/**
 * The typed data a provider signs for a failure report (pass to viem's `signTypedData` / `verifyTypedData`).
 * @param chainId EIP-155 chain id.
 * @param computeMarket The ComputeMarket contract.
 * @param message Provider, job id and {@link jobFailureReasonHash} of the reason.
 */
export function jobFailureTypedData(
  chainId: number,
  computeMarket: Address,
  message: { provider: Address; jobId: bigint; reasonHash: Hex },
) {
  return {
    domain: jobAccessDomain(chainId, computeMarket),
    types: jobFailureTypes,
    primaryType: 'JobFailure' as const,
    message,
  };
}
