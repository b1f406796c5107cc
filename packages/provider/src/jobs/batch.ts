/**
 * Runs a batch order (`@souk/protocol`'s `batch.ts`): the model's built pipeline on each input of the container in
 * order, one runtime job at a time (memory bounded by one input's job plus the outputs so far), into one output
 * `{ batch: [o_0, …, o_{N-1}] }`.
 *
 * **Per-input failures.** An input the model cannot take — a deterministic failure by `classifyJobFailure`, the same
 * test a single order's failure report passes — becomes `{ error: reason }` in its place: every honest provider fails
 * it with the same reason, so their canonical results still agree, and the other N − 1 results are delivered. A
 * transient failure (deadline, cancellation, a crashed worker) fails the whole batch as it would a single order, so
 * the provider declines and the slot goes to another; when **every** input fails deterministically, the batch fails
 * with the first input's error, as a single order would (nobody is charged).
 */
import { BatchFormatError, decodeBatch } from '@souk/protocol';
import { InvalidInputError } from '../errors.ts';
import type { BatchOutput, PipelineOutput } from '../result.ts';
import type { RunOptions, Runtime } from '../runtime/createRuntime.ts';
import type { Job, RuntimeRecord } from '../runtime/types.ts';
import { classifyJobFailure } from './failure.ts';

/** What {@link runBatch} produced. */
export type BatchRun = {
  output: BatchOutput;
  /** The runtime record of the first input that ran (every input runs on the same pinned runtime). */
  runtimeRecord: RuntimeRecord;
  /** Time in the runtime over all inputs, milliseconds. */
  durationMs: number;
};

/**
 * Runs a batch container's inputs through one built pipeline.
 * @param parameters - The runtime, the pipeline's job maker, the container, and the order's signal / deadline (the
 *   deadline covers the whole batch, ms from this call).
 * @returns The batch output and the runtime record.
 * @throws {InvalidInputError} The container is malformed, or every input fails (the first input's error).
 * @throws {JobCancelledError} | {JobDeadlineError} | {JobFailedError} A transient failure of any input.
 */
export async function runBatch({
  runtime,
  make,
  container,
  signal,
  deadlineMs,
}: {
  runtime: Runtime;
  make: (input: Uint8Array) => Job<PipelineOutput>;
  container: Uint8Array;
} & RunOptions): Promise<BatchRun> {
  let inputs: Uint8Array[];
  try {
    inputs = decodeBatch(container);
  } catch (error) {
    if (error instanceof BatchFormatError) {
      throw new InvalidInputError('The batch container is malformed.', { details: error.message });
    }
    throw error;
  }
  const started = Date.now();
  const batch: BatchOutput['batch'] = [];
  let runtimeRecord: RuntimeRecord | undefined;
  let durationMs = 0;
  let firstError: unknown;
  for (const [i, input] of inputs.entries()) {
    const left = deadlineMs === undefined ? undefined : Math.max(1, deadlineMs - (Date.now() - started));
    try {
      const ran = await runtime.run(make(input), { signal, deadlineMs: left });
      batch.push(ran.output);
      runtimeRecord ??= ran.runtimeRecord;
      durationMs += ran.durationMs;
    } catch (error) {
      const failure = classifyJobFailure(error);
      if (!failure.deterministic) throw error;
      firstError ??= error;
      batch.push({ error: `input ${i}: ${failure.reason}` });
    }
  }
  if (!runtimeRecord) throw firstError;
  return { output: { batch }, runtimeRecord, durationMs };
}
