import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashJobOrder, type JobOrder, jobOrderToJson, resultAttestationTypedData } from '@souk/protocol';
import { type Address, type PublicClient, sha256, zeroAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { Order } from './getOrder.ts';
import { ACTIVE_PROVIDER_CACHE_MS, ResultVerificationError, verifyOrderResult } from './verifyOrderResult.ts';

const chainId = 31337;
const escrow = '0x00000000000000000000000000000000000000e5' as Address;
const registry = '0x00000000000000000000000000000000000000f1' as Address;

/** An agreed r = 1 order attested by a fresh provider key. */
async function agreedOrder(nonce: bigint) {
  const provider = privateKeyToAccount(generatePrivateKey());
  const order: JobOrder = {
    requester: privateKeyToAccount(generatePrivateKey()).address,
    modelId: 1n,
    modelVersion: 0,
    inputHash: sha256(new Uint8Array([1])),
    currency: zeroAddress,
    maxPrice: 1n,
    redundancy: 1,
    verification: 0,
    deadline: 2_000_000_000n,
    nonce,
  };
  const orderHash = hashJobOrder(chainId, escrow, order);
  const result = new TextEncoder().encode('{"ok":true}');
  const resultHash = sha256(result);
  const signature = await provider.signTypedData(resultAttestationTypedData(chainId, escrow, orderHash, resultHash));
  return {
    provider: provider.address,
    order: {
      orderHash,
      chainId,
      computeEscrow: escrow,
      order: jobOrderToJson(order),
      requesterSignature: '0x',
      phase: 'agreed',
      amount: '1',
      resultHash,
      result: Buffer.from(result).toString('base64'),
      output: { ok: true },
      attestations: [{ provider: provider.address, resultHash, signature }],
      providers: [],
      audit: 'skip',
      resolvedBy: 'agreement',
      settleTx: null,
      reason: null,
    } as unknown as Order,
  };
}

/** A registry client that answers `isActive` with `active` and counts the reads. */
function registryClient(active: boolean) {
  const reads: string[] = [];
  const client = {
    readContract: async ({ functionName, args }: { functionName: string; args: [Address] }) => {
      assert.equal(functionName, 'isActive');
      reads.push(args[0]);
      return active;
    },
  } as unknown as PublicClient;
  return { client, reads };
}

test('verifyOrderResult reads an active provider once per ACTIVE_PROVIDER_CACHE_MS, not once per order', async (t) => {
  const { client, reads } = registryClient(true);
  const first = await agreedOrder(1n);
  // The same provider's result verified again: its registry status is not read again within the cache time.
  await verifyOrderResult(first.order, { publicClient: client, registry });
  await verifyOrderResult(first.order, { publicClient: client, registry });
  assert.equal(reads.length, 1);
  // Another provider is read; after the cache time the first is read again.
  await verifyOrderResult((await agreedOrder(3n)).order, { publicClient: client, registry });
  assert.equal(reads.length, 2);
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() + ACTIVE_PROVIDER_CACHE_MS + 1 });
  await verifyOrderResult(first.order, { publicClient: client, registry });
  assert.equal(reads.length, 3);
});

test('verifyOrderResult reads an inactive provider every time and refuses each result', async () => {
  const { client, reads } = registryClient(false);
  const { order } = await agreedOrder(4n);
  for (let i = 0; i < 2; i++) {
    await assert.rejects(verifyOrderResult(order, { publicClient: client, registry }), ResultVerificationError);
  }
  assert.equal(reads.length, 2);
});

test('verifyOrderResult still checks every attestation signature when the provider is cached', async () => {
  const { client } = registryClient(true);
  const { order } = await agreedOrder(5n);
  await verifyOrderResult(order, { publicClient: client, registry });
  const forged = await agreedOrder(6n);
  // Another key's signature under the cached provider's name.
  const tampered = {
    ...order,
    attestations: [{ ...order.attestations[0], signature: forged.order.attestations[0].signature }],
  } as Order;
  await assert.rejects(verifyOrderResult(tampered, { publicClient: client, registry }), /not its signature/);
});
