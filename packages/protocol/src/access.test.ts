/**
 * The gateway's EIP-712 proofs: the type strings are pinned against a hand-built EIP-712 digest (so a reordered or
 * renamed field is caught, not just "still signs and verifies"), the two domains never collide, and the normalisers
 * give every spelling of one signed proof one canonical form and refuse what is not of its EIP-712 type.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Address,
  concat,
  encodeAbiParameters,
  type Hex,
  hashTypedData,
  keccak256,
  recoverTypedDataAddress,
  stringToBytes,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { accessRequestTypedData, jobAccessTypedData, normaliseAccessRequest, normaliseJobAccess } from './access.ts';
import { UINT256_MAX } from './constants.ts';

const LICENSES: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const COMPUTE_ESCROW: Address = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const CONSUMER: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const NONCE: Hex = `0x${'ab'.repeat(32)}`;
const id = (text: string) => keccak256(stringToBytes(text));

/** EIP-712 digest built by hand: 0x1901 ‖ domainSeparator ‖ hashStruct(message). */
function digest(chainId: number, verifyingContract: Address, typeString: string, fields: Hex): Hex {
  const domainSeparator = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
      [
        id('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
        id('Souk Gateway'),
        id('1'),
        BigInt(chainId),
        verifyingContract,
      ],
    ),
  );
  return keccak256(concat(['0x1901', domainSeparator, keccak256(concat([id(typeString), fields]))]));
}

describe('EIP-712 type strings', () => {
  test('AccessRequest is AccessRequest(address consumer,uint256 assetId,bytes32 nonce,uint64 expiry) under Licenses', () => {
    const message = { consumer: CONSUMER, assetId: 7n, nonce: NONCE, expiry: 1_800_000_000n };
    const fields = encodeAbiParameters(
      [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes32' }, { type: 'uint64' }],
      [message.consumer, message.assetId, message.nonce, message.expiry],
    );
    assert.equal(
      hashTypedData(accessRequestTypedData(31337, LICENSES, message)),
      digest(31337, LICENSES, 'AccessRequest(address consumer,uint256 assetId,bytes32 nonce,uint64 expiry)', fields),
    );
  });

  test('JobAccess is JobAccess(address provider,uint256 jobId,bytes32 nonce,uint64 expiry) under the ComputeEscrow', () => {
    const message = { provider: CONSUMER, jobId: 2n ** 200n, nonce: NONCE, expiry: 1_800_000_000n };
    const fields = encodeAbiParameters(
      [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes32' }, { type: 'uint64' }],
      [message.provider, message.jobId, message.nonce, message.expiry],
    );
    assert.equal(
      hashTypedData(jobAccessTypedData(1, COMPUTE_ESCROW, message)),
      digest(1, COMPUTE_ESCROW, 'JobAccess(address provider,uint256 jobId,bytes32 nonce,uint64 expiry)', fields),
    );
  });

  test('a job access signature does not recover as an access request with the same numbers', async () => {
    const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
    const numbers = { id: 7n, nonce: NONCE, expiry: 1_800_000_000n };
    const signature = await account.signTypedData(
      jobAccessTypedData(31337, COMPUTE_ESCROW, { provider: account.address, jobId: numbers.id, ...numbers }),
    );
    const asAccess = accessRequestTypedData(31337, LICENSES, {
      consumer: account.address,
      assetId: numbers.id,
      nonce: numbers.nonce,
      expiry: numbers.expiry,
    });
    assert.notEqual(await recoverTypedDataAddress({ ...asAccess, signature }), account.address);
  });
});

describe('normaliseAccessRequest', () => {
  const valid = {
    consumer: CONSUMER.toLowerCase(),
    assetId: '007',
    nonce: NONCE.toUpperCase().replace('0X', '0x'),
    expiry: 1_800_000_000,
    signature: `0x${'CD'.repeat(65)}`,
  };

  test('checksums the consumer, strips leading zeros and lower-cases nonce and signature', () => {
    assert.deepEqual(normaliseAccessRequest(valid), {
      consumer: CONSUMER,
      assetId: '7',
      nonce: NONCE,
      expiry: 1_800_000_000,
      signature: `0x${'cd'.repeat(65)}`,
    });
  });

  test('two spellings of one request normalise to the same value', () => {
    const upper = { ...valid, consumer: `0x${CONSUMER.slice(2).toUpperCase()}`, assetId: '7' };
    assert.deepEqual(normaliseAccessRequest(upper), normaliseAccessRequest(valid));
  });

  test('accepts 2^256 − 1 and refuses 2^256 as an asset id', () => {
    assert.equal(normaliseAccessRequest({ ...valid, assetId: UINT256_MAX.toString() }).assetId, UINT256_MAX.toString());
    assert.throws(() => normaliseAccessRequest({ ...valid, assetId: (UINT256_MAX + 1n).toString() }), TypeError);
  });

  for (const [name, value] of [
    ['a missing consumer', { ...valid, consumer: undefined }],
    ['a 19-byte consumer', { ...valid, consumer: `0x${'11'.repeat(19)}` }],
    ['a numeric asset id', { ...valid, assetId: 7 }],
    ['a negative asset id', { ...valid, assetId: '-7' }],
    ['a 31-byte nonce', { ...valid, nonce: `0x${'ab'.repeat(31)}` }],
    ['a fractional expiry', { ...valid, expiry: 1.5 }],
    ['a negative expiry', { ...valid, expiry: -1 }],
    ['an expiry as a string', { ...valid, expiry: '1800000000' }],
    ['a signature that is not hex', { ...valid, signature: '0xzz' }],
    ['null', null],
    ['an array', []],
  ] as const) {
    test(`refuses ${name} with a TypeError naming the fields`, () => {
      assert.throws(() => normaliseAccessRequest(value), {
        name: 'TypeError',
        message: /needs consumer \(address\), assetId .* signature/,
      });
    });
  }
});

describe('normaliseJobAccess', () => {
  test('normalises provider and jobId like an access request, and refuses a consumer-shaped value', () => {
    const access = { provider: CONSUMER.toLowerCase(), jobId: '0012', nonce: NONCE, expiry: 5, signature: '0xAB' };
    assert.deepEqual(normaliseJobAccess(access), {
      provider: CONSUMER,
      jobId: '12',
      nonce: NONCE,
      expiry: 5,
      signature: '0xab',
    });
    assert.throws(
      () => normaliseJobAccess({ consumer: CONSUMER, assetId: '1', nonce: NONCE, expiry: 5, signature: '0xab' }),
      /needs provider \(address\), jobId/,
    );
  });
});
