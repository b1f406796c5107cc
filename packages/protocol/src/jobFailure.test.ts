/**
 * Job failure reports: the `JobFailure` type string is pinned against a hand-built EIP-712 digest in the job-access
 * domain, and `reasonHash` is keccak256 of the UTF-8 bytes (what `ComputeMarket.failJob` records).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Address, concat, encodeAbiParameters, hashTypedData, keccak256, stringToBytes } from 'viem';
import { jobAccessDomain } from './access.ts';
import { jobFailureReasonHash, jobFailureTypedData } from './jobFailure.ts';

const COMPUTE_MARKET: Address = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const PROVIDER: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const id = (text: string) => keccak256(stringToBytes(text));

describe('JobFailure (EIP-712)', () => {
  test('is JobFailure(address provider,uint256 jobId,bytes32 reasonHash) in the "Souk Gateway" ComputeMarket domain', () => {
    const reasonHash = jobFailureReasonHash('not an image');
    const domainSeparator = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
        [
          id('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
          id('Souk Gateway'),
          id('1'),
          31337n,
          COMPUTE_MARKET,
        ],
      ),
    );
    const struct = keccak256(
      concat([
        id('JobFailure(address provider,uint256 jobId,bytes32 reasonHash)'),
        encodeAbiParameters(
          [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes32' }],
          [PROVIDER, 9n, reasonHash],
        ),
      ]),
    );
    const typed = jobFailureTypedData(31337, COMPUTE_MARKET, { provider: PROVIDER, jobId: 9n, reasonHash });
    assert.deepEqual(typed.domain, jobAccessDomain(31337, COMPUTE_MARKET));
    assert.equal(hashTypedData(typed), keccak256(concat(['0x1901', domainSeparator, struct])));
  });

  test('reasonHash is keccak256 of the UTF-8 bytes', () => {
    // keccak256 of no bytes, the well-known constant.
    assert.equal(jobFailureReasonHash(''), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    const reason = 'tensor “x”: expected 3 dims';
    assert.equal(jobFailureReasonHash(reason), keccak256(new TextEncoder().encode(reason)));
  });
});
