/**
 * Readable errors for the command line: node problems (`SoukApiError`), contract reverts decoded into their custom
 * error (with a sentence for the common ones), viem and network failures. Any command (`souk run` too) prints
 * `formatError(error)` and exits 1; a {@link UsageError} exits 2.
 */
import {
  type DecodedContractError,
  decodeContractError,
  describeContractError,
  findRevertData,
} from '@souk/contracts/errors';
import { SoukApiError, SoukError } from '@souk/sdk';
import { BaseError, type Hex } from 'viem';

export { type DecodedContractError, decodeContractError, describeContractError };

/** The command line was wrong (unknown flag, missing argument, bad value): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Revert data in a message such as the node's `…custom error 0x0aa85330: <bytes as text>.` (anvil prints the
 * arguments as raw characters): the selector, and the arguments when they survived as text.
 */
export function revertDataInText(text: string): Hex | undefined {
  const match = /custom error (0x[0-9a-fA-F]{8})(?::\s?([\s\S]*))?/.exec(text);
  if (!match) return undefined;
  const [, selector, rest = ''] = match;
  for (const body of [rest.replace(/\.$/, ''), rest]) {
    // anvil prints the arguments as hex when they are not valid UTF-8, else as the characters themselves.
    const hex = body.replace(/^0x/, '');
    if (/^[0-9a-fA-F]+$/.test(hex) && hex.length % 64 === 0) return `${selector}${hex}` as Hex;
    if (body.length > 0 && body.length % 32 === 0 && [...body].every((c) => c.charCodeAt(0) < 0x80)) {
      return `${selector}${Buffer.from(body, 'latin1').toString('hex')}` as Hex;
    }
  }
  return selector as Hex;
}

/**
 * A readable, multi-line description of any error a command can meet.
 * - `SoukApiError`: the problem's title, status and code, its detail (the reason), field errors, request id;
 *   a revert the node reports is decoded as well as its message allows.
 * - viem errors: the short message, and the custom error decoded with the Souk ABIs.
 * - `SoukError` (node unreachable), `UsageError` and others: their message.
 * @example
 * ```ts
 * try { await buyAsset(client, { assetId }) } catch (error) { console.error(formatError(error)) }
 * ```
 */
export function formatError(error: unknown): string {
  if (error instanceof SoukApiError) {
    const { problem } = error;
    const lines = [`${problem.title} (${problem.status} ${problem.code}): ${problem.detail}`];
    for (const field of problem.errors ?? []) lines.push(`  ${field.field || '(body)'}: ${field.message}`);
    const data = revertDataInText(problem.detail);
    const decoded = data && decodeContractError(data);
    if (decoded) lines.push(`Reverted with ${describeContractError(decoded)}`);
    if (problem.requestId) lines.push(`(request id ${problem.requestId})`);
    return lines.join('\n');
  }
  if (error instanceof BaseError) {
    const data = findRevertData(error);
    const decoded = data && decodeContractError(data);
    if (decoded) return `Transaction reverted: ${describeContractError(decoded)}`;
    const details = error.details && !error.shortMessage.includes(error.details) ? `\n${error.details}` : '';
    return `${error.shortMessage}${details}`;
  }
  if (error instanceof SoukError) return error.details ? `${error.shortMessage} ${error.details}` : error.shortMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}
