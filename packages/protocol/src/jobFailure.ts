/**
 * Deterministic job failures: a provider whose pipeline rejects an order's input the same way on every honest
 * machine (the input itself is wrong) says so in its `failed` reply (`orders.ts`, {@link JobFailureCode} and a
 * one-line reason); the node's referee reproduces the failure before the order ends `failed` (nobody paid or
 * slashed: the requester's balance is never debited).
 */

/** Class of a deterministic job failure: the pipeline rejected the input, or ONNX Runtime rejected the feeds. */
export type JobFailureCode = 'invalid-input' | 'invalid-argument';

/** Every {@link JobFailureCode}, for checking a reply from the bus. */
export const JOB_FAILURE_CODES: readonly JobFailureCode[] = ['invalid-input', 'invalid-argument'];

/** Longest failure reason a reply may carry, UTF-16 code units (the node cuts longer ones). */
export const MAX_REASON_LENGTH = 500;
