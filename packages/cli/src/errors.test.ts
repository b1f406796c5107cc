/** Error decoding and formatting without a chain: revert data built with the contracts' ABIs, problem bodies. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { licensesAbi, marketplaceAbi } from '@souk/contracts/abis';
import { SoukApiError, SoukError } from '@souk/sdk';
import { encodeErrorResult } from 'viem';
import { decodeContractError, formatError, revertDataInText, UsageError } from './errors.ts';

const notListed = encodeErrorResult({ abi: marketplaceAbi, errorName: 'SoukNotListed', args: [7n] });

describe('decodeContractError', () => {
  test('decodes a Souk custom error into its name, arguments and parameter names', () => {
    assert.deepEqual(decodeContractError(notListed), { name: 'SoukNotListed', args: [7n], params: ['tokenId'] });
    const mismatch = encodeErrorResult({ abi: licensesAbi, errorName: 'SoukPriceMismatch', args: [1n, 2n, 3n] });
    assert.deepEqual(decodeContractError(mismatch), {
      name: 'SoukPriceMismatch',
      args: [1n, 2n, 3n],
      params: ['assetId', 'expected', 'actual'],
    });
  });
  test('decodes Error(string), names a bare selector without arguments, and ignores unknown selectors', () => {
    const message = encodeErrorResult({
      abi: [{ type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] }],
      errorName: 'Error',
      args: ['nope'],
    });
    assert.deepEqual(decodeContractError(message)?.args, ['nope']);
    assert.deepEqual(decodeContractError(notListed.slice(0, 10) as `0x${string}`), {
      name: 'SoukNotListed',
      args: undefined,
      params: ['tokenId'],
    });
    assert.equal(decodeContractError('0xdeadbeef'), undefined);
    assert.equal(decodeContractError('0x'), undefined);
  });
});

describe('revertDataInText', () => {
  test('recovers revert data from the hex or character forms anvil prints', () => {
    const args = notListed.slice(10);
    assert.equal(revertDataInText(`custom error ${notListed.slice(0, 10)}: ${args}.`), notListed);
    const zero = encodeErrorResult({ abi: marketplaceAbi, errorName: 'SoukInvalidPrice', args: [0n] });
    assert.equal(revertDataInText(`custom error ${zero.slice(0, 10)}: ${'\u0000'.repeat(32)}.`), zero);
    assert.equal(revertDataInText(`custom error ${zero.slice(0, 10)}: \ufffd garbled.`), zero.slice(0, 10));
    assert.equal(revertDataInText('execution reverted'), undefined);
  });
});

describe('formatError', () => {
  test('prints a problem title, status, code, reason, field errors and request id', () => {
    const error = new SoukApiError({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'body/price must match pattern',
      code: 'SOUK_ERR_BAD_REQUEST',
      requestId: 'r-1',
      errors: [{ field: '/price', message: 'must match pattern' }],
    });
    assert.equal(
      formatError(error),
      'Bad Request (400 SOUK_ERR_BAD_REQUEST): body/price must match pattern\n  /price: must match pattern\n(request id r-1)',
    );
  });
  test('decodes the custom error named in a 422 revert problem, with its sentence', () => {
    const error = new SoukApiError({
      type: 'about:blank',
      title: 'Unprocessable Content',
      status: 422,
      detail: `Transaction reverted: Execution reverted with reason: custom error ${notListed.slice(0, 10)}: ${notListed.slice(10)}.`,
      code: 'SOUK_ERR_CHAIN_REVERT',
    });
    assert.match(formatError(error), /\nReverted with SoukNotListed\(tokenId: 7\)\nAsset 7 is not listed for sale\.$/);
  });
  test('prints other errors by their message', () => {
    assert.equal(formatError(new UsageError('--kind is required')), '--kind is required');
    assert.equal(
      formatError(new SoukError('Cannot reach the Souk node at http://x.', { details: 'fetch failed' })),
      'Cannot reach the Souk node at http://x. fetch failed',
    );
    assert.equal(formatError('plain'), 'plain');
  });
});
