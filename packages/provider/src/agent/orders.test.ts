/**
 * The provider's side of the `tolerance` class, on a recording bus and a fixed executor (no ONNX Runtime): after its
 * reveal, a provider signs the node's representative only when it is within the model's tolerance of its own result,
 * and contests it otherwise (outside tolerance, bytes that do not hash to the announced hash, an exact-class model).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  hashJobOrder,
  type JobOrder,
  jobOrderToJson,
  type OrderAssignment,
  type OrderReply,
  type ProviderBus,
  type ProviderBusMessage,
  resultAttestationTypedData,
  Verification,
  type VerificationSpec,
} from '@souk/protocol';
import { type Hex, recoverTypedDataAddress, zeroAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ExecutedJob, JobExecutor } from '../jobs/execute.ts';
import { startOrderWorker } from './orders.ts';

const account = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const ESCROW = '0x00000000000000000000000000000000000000e5' as Hex;
const CHAIN_ID = 31337;
const TOLERANCE: VerificationSpec = { class: 'tolerance', atol: 1e-5, rtol: 1e-4 };

const tensorResult = (values: number[]) =>
  new TextEncoder().encode(
    JSON.stringify({
      tensors: {
        y: {
          data: Buffer.from(new Float32Array(values).buffer).toString('base64'),
          dims: [values.length],
          dtype: 'float32',
        },
      },
    }),
  );
const sha = (bytes: Uint8Array) => `0x${createHash('sha256').update(bytes).digest('hex')}` as Hex;

/** A bus that records replies and lets the test deliver assignments. */
function recordingBus() {
  const replies: OrderReply[] = [];
  let deliver: ((message: ProviderBusMessage<OrderAssignment>) => void | Promise<void>) | undefined;
  const bus = {
    kind: 'test',
    subjects: {
      prefix: 'souk',
      assigned: (p: string) => `souk.jobs.assigned.${p}`,
      results: (id: bigint | string) => `souk.jobs.results.${id}`,
      failures: (id: bigint | string) => `souk.jobs.failures.${id}`,
      heartbeat: 'souk.heartbeat',
    },
    async publish<T>(_subject: string, data: T) {
      replies.push(data as OrderReply);
    },
    async subscribe<T>(_subject: string, handler: (message: ProviderBusMessage<T>) => void | Promise<void>) {
      deliver = handler as never;
      return { close: async () => {} };
    },
  } as unknown as ProviderBus;
  let n = 0;
  const send = (data: OrderAssignment) => deliver?.({ id: `m${n++}`, data, deliveryCount: 1 });
  return { bus, replies, send };
}

async function waitFor(predicate: () => boolean) {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(predicate(), 'timed out waiting for a reply');
}

/** Starts a worker whose executor always returns `own`, runs one order to its reveal, then sends `attest`. */
async function attestAfterReveal(
  own: Uint8Array,
  representative: Uint8Array,
  verification?: VerificationSpec,
  announced?: Hex,
) {
  const { bus, replies, send } = recordingBus();
  const executor: JobExecutor = {
    execute: async () => ({ result: own, resultHash: sha(own), output: {} }) as unknown as ExecutedJob,
    cachedBundles: () => [],
  };
  const worker = await startOrderWorker(
    {
      account,
      bus,
      executor: () => executor,
      bundles: new Map([['bafybundle', new Uint8Array([1])]]),
      onStart() {},
      onEnd() {},
      log() {},
    },
    ESCROW,
  );
  const input = new Uint8Array([7, 7]);
  const order: JobOrder = {
    requester: account.address,
    modelId: 1n,
    modelVersion: 0,
    inputHash: sha(input),
    currency: zeroAddress,
    maxPrice: 1n,
    redundancy: 2,
    verification: verification?.class === 'tolerance' ? Verification.Tolerance : Verification.Exact,
    deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
    nonce: 1n,
  };
  const orderHash = hashJobOrder(CHAIN_ID, ESCROW, order).toLowerCase() as Hex;
  await send({
    kind: 'assign',
    orderHash,
    order: jobOrderToJson(order),
    chainId: CHAIN_ID,
    computeEscrow: ESCROW,
    model: { id: '1', pipeline: 'onnx', contentCid: 'bafybundle', contentSha256: '00', verification },
    nodeUrl: 'http://unused',
    input: Buffer.from(input).toString('base64'),
  });
  await waitFor(() => replies.some((r) => r.kind === 'commit'));
  await send({ kind: 'reveal', orderHash });
  await waitFor(() => replies.some((r) => r.kind === 'reveal'));
  await send({
    kind: 'attest',
    orderHash,
    resultHash: announced ?? sha(representative),
    result: Buffer.from(representative).toString('base64'),
  });
  await waitFor(() => replies.some((r) => r.kind === 'attest' || r.kind === 'contest'));
  await worker.close();
  return { orderHash, reply: replies.at(-1) as OrderReply };
}

describe('order worker: attesting the representative (tolerance class)', () => {
  test('signs a representative within tolerance of its own result (a different hash)', async () => {
    const own = tensorResult([0.5, 0.25]);
    const representative = tensorResult([0.5, 0.2500001]);
    assert.notEqual(sha(representative), sha(own));
    const { orderHash, reply } = await attestAfterReveal(own, representative, TOLERANCE);
    assert.equal(reply.kind, 'attest');
    assert.ok(reply.kind === 'attest');
    assert.equal(reply.resultHash, sha(representative));
    const signer = await recoverTypedDataAddress({
      ...resultAttestationTypedData(CHAIN_ID, ESCROW, orderHash, reply.resultHash),
      signature: reply.signature,
    });
    assert.equal(signer, account.address, 'the provider’s EIP-712 ResultAttestation of the representative');
  });

  test('contests a representative outside tolerance, naming the element', async () => {
    const { reply } = await attestAfterReveal(tensorResult([0.5, 0.25]), tensorResult([0.5, 0.26]), TOLERANCE);
    assert.equal(reply.kind, 'contest');
    assert.match(reply.kind === 'contest' ? reply.reason : '', /data\/1/);
  });

  test('contests bytes that do not hash to the announced representative hash', async () => {
    const { reply } = await attestAfterReveal(
      tensorResult([0.5]),
      tensorResult([0.5]),
      TOLERANCE,
      `0x${'ab'.repeat(32)}` as Hex,
    );
    assert.equal(reply.kind, 'contest');
  });

  test('contests when the model declares no tolerance (exact class)', async () => {
    const { reply } = await attestAfterReveal(tensorResult([0.5]), tensorResult([0.5]), undefined);
    assert.equal(reply.kind, 'contest');
  });
});
