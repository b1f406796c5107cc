/**
 * Any error → a readable title and sentence: node problems (RFC 9457 `detail`, which already names a decoded contract
 * error), reverts seen by the wallet (decoded with the Souk ABIs, `@souk/contracts/errors`), wallet refusals.
 */
import { decodeContractError, describeContractError, findRevertData } from '@souk/contracts/errors';
import { SoukApiError, SoukError } from '@souk/sdk';
import { BaseError } from 'viem';

/** What the UI shows for an error. */
export type ReadableError = {
  /** Short headline, e.g. `Transaction reverted`. */
  title: string;
  /** One or more sentences. */
  detail: string;
  /** Field errors of a validation problem. */
  fields?: { field: string; message: string }[] | undefined;
  /** The node's request id (matches its log line). */
  requestId?: string | undefined;
};

/**
 * Turns an error from the SDK, viem, wagmi or the browser into a {@link ReadableError}.
 * @example
 * ```ts
 * import { readableError } from './errors.ts'
 * readableError(error).detail // 'SoukLicensingClosed(assetId: 7): Asset 7 has no open licence terms.'
 * ```
 */
export function readableError(error: unknown): ReadableError {
  if (error instanceof SoukApiError) {
    const { problem } = error;
    const revert = problem.code === 'SOUK_ERR_CHAIN_REVERT';
    return {
      title: revert ? 'Transaction reverted' : problem.title || 'The node refused the request',
      detail: revert ? problem.detail.replace(/^Transaction reverted: /, '') : problem.detail,
      fields: problem.errors,
      requestId: problem.requestId,
    };
  }
  if (error instanceof BaseError) {
    if (error.walk((e) => (e as { code?: number }).code === 4001 || (e as Error).name === 'UserRejectedRequestError')) {
      return { title: 'Request rejected', detail: 'You rejected the request in your wallet.' };
    }
    const data = findRevertData(error);
    const decoded = data ? decodeContractError(data) : undefined;
    if (decoded) return { title: 'Transaction reverted', detail: describeContractError(decoded).replace('\n', ': ') };
    return { title: 'Transaction failed', detail: error.shortMessage };
  }
  if (error instanceof SoukError) return { title: error.shortMessage, detail: error.details ?? '' };
  // wagmi's errors share viem's shape (`shortMessage`) but not its class.
  const short = (error as { shortMessage?: unknown } | null)?.shortMessage;
  if (typeof short === 'string') return { title: 'Wallet error', detail: short };
  if (error instanceof Error) return { title: 'Something went wrong', detail: error.message };
  return { title: 'Something went wrong', detail: String(error) };
}
