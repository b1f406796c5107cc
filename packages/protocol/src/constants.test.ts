/** The integer limits are the Solidity types' maxima, checked against viem's own ABI encoder bounds. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeAbiParameters, maxUint64, maxUint256 } from 'viem';
import { UINT64_MAX, UINT256_MAX } from './constants.ts';

describe('integer limits', () => {
  test('UINT256_MAX and UINT64_MAX are type(uint256).max and type(uint64).max', () => {
    assert.equal(UINT256_MAX, maxUint256);
    assert.equal(UINT64_MAX, maxUint64);
    assert.equal(UINT256_MAX.toString(16), 'f'.repeat(64));
  });

  test('one past each limit does not ABI-encode as its type', () => {
    assert.doesNotThrow(() => encodeAbiParameters([{ type: 'uint64' }], [UINT64_MAX]));
    assert.throws(() => encodeAbiParameters([{ type: 'uint64' }], [UINT64_MAX + 1n]));
    assert.throws(() => encodeAbiParameters([{ type: 'uint256' }], [UINT256_MAX + 1n]));
  });
});
