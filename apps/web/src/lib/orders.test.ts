import { hashJobOrder, jobOrderTypedData, normaliseJobOrder } from '@souk/protocol';
import { SoukApiError } from '@souk/sdk';
import { parseEther, recoverTypedDataAddress, sha256, zeroAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, test } from 'vitest';
import {
  buildJobOrder,
  bytesToBase64,
  escrowShortfall,
  escrowTopUp,
  latestVersion,
  orderRefusal,
  withdrawalWait,
} from './orders.ts';

const requester = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const escrow = '0x8A791620dd6260079BF849Dc5567aDC3F2FdC318';

describe('buildJobOrder', () => {
  const input = new TextEncoder().encode('{"tensors":{}}');
  const parameters = {
    requester: requester.address,
    modelId: 7n,
    modelVersion: 2,
    input,
    currency: zeroAddress,
    maxPrice: parseEther('0.01'),
    redundancy: 2,
    now: 1_800_000_000n,
    deadlineSeconds: 300,
    nonce: 5n,
  } as const;

  test('signs the SHA-256 of the input, the deadline from chain time and exact verification', () => {
    const { order, json } = buildJobOrder(parameters);
    expect(order.inputHash).toBe(sha256(input));
    expect(order.deadline).toBe(1_800_000_300n);
    expect(order.verification).toBe(0);
    expect(json).toMatchObject({ modelId: '7', maxPrice: '10000000000000000', deadline: '1800000300', nonce: '5' });
    // The JSON the node receives is the same order (same EIP-712 hash) as the one signed.
    expect(hashJobOrder(31337, escrow, normaliseJobOrder(json))).toBe(hashJobOrder(31337, escrow, order));
  });

  test('a signature over its typed data recovers to the requester', async () => {
    const { order } = buildJobOrder(parameters);
    const typed = jobOrderTypedData(31337, escrow, order);
    const signature = await requester.signTypedData(typed);
    expect(await recoverTypedDataAddress({ ...typed, signature })).toBe(requester.address);
  });
});

test('the shortfall is what the available balance lacks, and nothing when it covers the price', () => {
  expect(escrowShortfall({ available: '0' }, 10n)).toBe(10n);
  expect(escrowShortfall({ available: '4' }, 10n)).toBe(6n);
  expect(escrowShortfall({ available: '10' }, 10n)).toBe(0n);
  expect(escrowShortfall({ available: '99' }, 10n)).toBe(0n);
});

test('a top-up covers this order alone, or ten like it, counting what is already available', () => {
  expect(escrowTopUp({ available: '4' }, 10n, 1)).toBe(6n);
  expect(escrowTopUp({ available: '4' }, 10n, 10)).toBe(96n);
  expect(escrowTopUp({ available: '10' }, 10n, 10)).toBe(0n);
  expect(escrowTopUp({ available: '0' }, 10n, 0)).toBe(10n);
});

test('base64 of an input matches RFC 4648, also past the chunk size', () => {
  const big = new Uint8Array(200_000).map((_, i) => (i * 31) % 256);
  expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
  expect(bytesToBase64(new Uint8Array([]))).toBe('');
  expect(bytesToBase64(new Uint8Array([255, 0]))).toBe('/wA=');
});

test('the latest version is the highest index, 0 for a model never updated', () => {
  expect(latestVersion([{ version: 0 }, { version: 2 }, { version: 1 }])).toBe(2);
  expect(latestVersion([])).toBe(0);
  expect(latestVersion(undefined)).toBe(0);
});

test('a withdrawal waits until its unlock time, by chain time', () => {
  expect(withdrawalWait(1_000n, 400n)).toBe(600);
  expect(withdrawalWait(1_000n, 1_000n)).toBe(0);
  expect(withdrawalWait(1_000n, 2_000n)).toBe(0);
});

describe('orderRefusal', () => {
  const problem = (status: number, detail: string) =>
    new SoukApiError({ type: 'about:blank', title: 'Refused', status, detail, code: 'SOUK_ERR_X', requestId: 'r-1' });

  test('402 says the escrow is short and what to do, keeping the node’s detail and request id', () => {
    const readable = orderRefusal(problem(402, 'Available 0 wei, the order needs up to 10000 wei.'));
    expect(readable?.title).toBe('Escrow balance too low (402)');
    expect(readable?.detail).toMatch(/^Available 0 wei, the order needs up to 10000 wei\. Deposit more/);
    expect(readable?.requestId).toBe('r-1');
  });

  test('422 is an invalid order, nothing charged', () => {
    expect(orderRefusal(problem(422, 'Version 1 is not the current version 2.'))).toMatchObject({
      title: 'Order refused (422)',
      detail: 'Version 1 is not the current version 2. Nothing was charged.',
    });
  });

  test('other errors are left to the generic reading', () => {
    expect(orderRefusal(problem(500, 'boom'))).toBeUndefined();
    expect(orderRefusal(new Error('x'))).toBeUndefined();
  });
});
