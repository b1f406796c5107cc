/**
 * Deterministic job failures: a job whose input the model cannot take fails the same way on every honest machine,
 * so it must end as *failed* (requester refunded, nobody slashed) rather than as a missed commit (every provider
 * slashed). This module tells such failures apart from transient ones; a provider sends the class in its `failed`
 * reply to the order (`agent/orders.ts`), and the node's referee reproduces the failure before the order ends failed.
 *
 * | class | when | a job failure? |
 * | --- | --- | --- |
 * | `invalid-input` | the pipeline rejected the input: not an image, not JSON / `.npy`, missing or unknown tensor names, dims that do not match the data, an unknown pipeline or a bundle missing a file | yes |
 * | `invalid-argument` | ONNX Runtime rejected the feeds: wrong rank, dtype or fixed dimension, a missing feed | yes |
 * | transient | deadline, cancellation, a crashed worker (OOM), download / upload refused, anything else | no: the provider just did not commit |
 *
 * The codes and limits are wire contract: `@souk/protocol`'s `jobFailure.ts`.
 */
import { type JobFailureCode, MAX_REASON_LENGTH } from '@souk/protocol';

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
