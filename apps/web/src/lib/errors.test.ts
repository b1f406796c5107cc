import { licensesAbi } from '@souk/contracts/abis';
import { SoukApiError } from '@souk/sdk';
import { BaseError, encodeErrorResult, UserRejectedRequestError } from 'viem';
import { describe, expect, test } from 'vitest';
import { readableError } from './errors.ts';

describe('readable errors', () => {
  test('a revert the node reports keeps its decoded sentence', () => {
    const error = new SoukApiError({
      type: 'about:blank',
      title: 'Unprocessable Entity',
      status: 422,
      code: 'SOUK_ERR_CHAIN_REVERT',
      detail: 'Transaction reverted: SoukLicensingClosed(assetId: 7): Asset 7 has no open licence terms.',
      requestId: 'r-1',
    });
    expect(readableError(error)).toEqual({
      title: 'Transaction reverted',
      detail: 'SoukLicensingClosed(assetId: 7): Asset 7 has no open licence terms.',
      fields: undefined,
      requestId: 'r-1',
    });
  });

  test('a revert seen by the wallet is decoded with the Souk ABIs', () => {
    const data = encodeErrorResult({ abi: licensesAbi, errorName: 'SoukLicensingClosed', args: [7n] });
    const error = new BaseError('Execution reverted.', { cause: Object.assign(new Error('reverted'), { data }) });
    expect(readableError(error)).toEqual({
      title: 'Transaction reverted',
      detail: 'SoukLicensingClosed(assetId: 7): Asset 7 has no open licence terms.',
    });
  });

  test('a request the user rejected in the wallet says so', () => {
    const error = new BaseError('failed', { cause: new UserRejectedRequestError(new Error('User denied')) });
    expect(readableError(error).detail).toBe('You rejected the request in your wallet.');
  });

  test('validation problems keep their field errors', () => {
    const error = new SoukApiError({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'FST_ERR_VALIDATION',
      detail: 'body/name must NOT have fewer than 1 characters',
      errors: [{ field: '/name', message: 'must NOT have fewer than 1 characters' }],
    });
    expect(readableError(error).fields).toEqual([{ field: '/name', message: 'must NOT have fewer than 1 characters' }]);
  });
});
