/**
 * The provider's side of compute protocol v2 (`@souk/protocol`'s `orders.ts`): orders arrive on
 * `<prefix>.orders.assigned.<address>` with the requester's signed order and, when small, the input inline. Per
 * order the provider
 *
 * 1. confirms receipt (`received`), checks that the order hashes to the announced order hash under the announced
 *    ComputeEscrow domain and that the input's SHA-256 is the order's `inputHash`;
 * 2. fetches the model bundle through the node's order gateway unless cached by content CID (hash-checked), and,
 *    when the input is a dataset reference (a training job on a licensed dataset), the dataset's plaintext;
 * 3. runs the pipeline and sends `commit` with `keccak256(abi.encode(orderHash, resultHash, salt, provider))`;
 * 4. on the node's `reveal` request sends its result bytes, salt and EIP-712 ResultAttestation signature;
 * 5. for a `tolerance` model, on the node's `attest` request checks that the representative result is within the
 *    model's tolerance of its own (`@souk/protocol`'s `compareResults`) and signs its hash — or contests it.
 *
 * No transaction is sent: the provider is paid when the node settles the order in a batch, on its signed
 * attestation. Pending reveals live in memory: a provider restarted between commit and reveal loses them, and the
 * node gives its slot to another provider (it is not slashed: it signed nothing). A node that restarts announces
 * every unrevealed slot again: a provider that still holds its result answers with the same commitment, one that
 * lost it runs the order again.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  compareResults,
  decodeDatasetReference,
  hashJobOrder,
  isDatasetReference,
  normaliseJobOrder,
  type OrderAssignment,
  type OrderReply,
  orderSubjects,
  resultAttestationTypedData,
  resultCommitment,
  type VerificationSpec,
} from '@souk/protocol';
import type { Hex, LocalAccount } from 'viem';
import { NodeRequestError } from '../errors.ts';
import type { ExecutedJob, JobExecutor } from '../jobs/execute.ts';
import { classifyJobFailure } from '../jobs/failure.ts';
import { canonicalResult, type PipelineOutput } from '../result.ts';
import type { ProviderBus, ProviderBusMessage } from './messages.ts';
import { downloadVerified } from './nodeApi.ts';

/** What the order worker needs from its provider agent. */
export type OrderWorkerContext = {
  account: LocalAccount;
  bus: ProviderBus;
  /** The agent's executor (created on first use). */
  executor(): JobExecutor;
  /** The agent's bundle cache by content CID. */
  bundles: Map<string, Uint8Array>;
  /** Called around each run (load accounting and heartbeats). */
  onStart(): void;
  onEnd(durationMs: number): void;
  /** Fault drills: alter every result (a cheating provider), or take orders and never commit. */
  faults?: {
    corruptResult?: ((orderHash: Hex) => boolean) | undefined;
    neverCommit?: ((orderHash: Hex) => boolean) | undefined;
    /** Adds the returned amount to every float of the output (a provider whose numbers are off). */
    perturbResult?: ((orderHash: Hex) => number | undefined) | undefined;
  };
  log(line: string): void;
};

/** A subscribed worker. */
export type OrderWorker = { close(): Promise<void> };

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Downloads order content (`model`, `input`, or the `dataset` a dataset-reference input names) through the node's
 * order gateway and checks its SHA-256.
 * @throws {NodeRequestError} When the node refuses or the bytes do not match.
 */
export function downloadOrderContent(
  account: LocalAccount,
  chainId: number,
  computeEscrow: Hex,
  nodeUrl: string,
  orderHash: Hex,
  part: 'model' | 'input' | 'dataset',
  expectedSha256: string,
): Promise<Uint8Array> {
  return downloadVerified(
    { account, chainId, computeEscrow },
    `${nodeUrl}/api/v1/orders/${orderHash}/${part}`,
    BigInt(orderHash),
    `the ${part} of order ${orderHash}`,
    expectedSha256,
  );
}

/**
 * Subscribes the provider to its order assignments.
 * @param computeEscrow The ComputeEscrow address: the verifying contract of job-access signatures (gateway auth).
 */
export async function startOrderWorker(context: OrderWorkerContext, computeEscrow: Hex): Promise<OrderWorker> {
  const { account, bus, log } = context;
  const address = account.address;
  const subjects = orderSubjects(bus.subjects.prefix);
  /** Results committed and not yet revealed, by order hash. */
  const pending = new Map<
    Hex,
    {
      executed: Pick<ExecutedJob, 'result' | 'resultHash'>;
      salt: Hex;
      chainId: number;
      escrow: Hex;
      verification?: VerificationSpec | undefined;
    }
  >();
  /** Orders being run now (a redelivered assignment must not run twice). */
  const runningOrders = new Set<Hex>();

  const reply = (message: OrderReply, id: string) =>
    bus
      .publish(subjects.replies(message.orderHash), message, { id })
      .catch((error: Error) =>
        log(
          `provider ${address}: reply ${message.kind} of ${message.orderHash.slice(0, 10)} not sent: ${error.message}`,
        ),
      );

  async function run(message: Extract<OrderAssignment, { kind: 'assign' }>, messageId: string): Promise<void> {
    const orderHash = message.orderHash.toLowerCase() as Hex;
    await reply({ kind: 'received', orderHash, provider: address }, `received:${messageId}:${address}`);
    const done = pending.get(orderHash);
    if (done) {
      // Already committed here: the node announced the order again (it restarted, and its state of this slot was
      // reset). The same commitment again, under this announcement's id so the bus does not drop it as a duplicate.
      const commitment = resultCommitment(orderHash, done.executed.resultHash, done.salt, address);
      await reply({ kind: 'commit', orderHash, provider: address, commitment, durationMs: 0 }, `commit:${messageId}`);
      return;
    }
    if (runningOrders.has(orderHash)) return; // a redelivery of work running now
    const order = normaliseJobOrder(message.order);
    if (hashJobOrder(message.chainId, message.computeEscrow, order).toLowerCase() !== orderHash) {
      log(`provider ${address}: assignment ${orderHash.slice(0, 10)} does not match its order; ignored`);
      return;
    }
    if (context.faults?.neverCommit?.(orderHash)) return;
    runningOrders.add(orderHash);
    const started = Date.now();
    context.onStart();
    try {
      const input = message.input
        ? new Uint8Array(Buffer.from(message.input, 'base64'))
        : await downloadOrderContent(
            account,
            message.chainId,
            computeEscrow,
            message.nodeUrl,
            orderHash,
            'input',
            order.inputHash,
          );
      if (`0x${sha256Hex(input)}` !== order.inputHash)
        throw new NodeRequestError('The inline input does not match the order’s inputHash.');
      // Compute-to-data: the input names a licensed dataset; its plaintext comes through the order gateway, checked
      // against the SHA-256 the requester signed inside the reference.
      const data = isDatasetReference(input)
        ? await downloadOrderContent(
            account,
            message.chainId,
            computeEscrow,
            message.nodeUrl,
            orderHash,
            'dataset',
            decodeDatasetReference(input).sha256,
          )
        : input;
      let bundle = context.bundles.get(message.model.contentCid);
      if (!bundle) {
        bundle = await downloadOrderContent(
          account,
          message.chainId,
          computeEscrow,
          message.nodeUrl,
          orderHash,
          'model',
          message.model.contentSha256,
        );
        context.bundles.set(message.model.contentCid, bundle);
        while (context.bundles.size > 4) context.bundles.delete(context.bundles.keys().next().value as string);
      }
      const deadlineMs = Math.max(1, Number(order.deadline) * 1000 - Date.now());
      const ran = await context
        .executor()
        .execute({ pipeline: message.model.pipeline, bundle, input: data, deadlineMs });
      let executed: Pick<ExecutedJob, 'result' | 'resultHash'> = ran;
      if (context.faults?.corruptResult?.(orderHash)) {
        const result = new TextEncoder().encode(JSON.stringify({ corrupted: true }));
        executed = { result, resultHash: `0x${sha256Hex(result)}` as Hex };
      }
      const delta = context.faults?.perturbResult?.(orderHash);
      if (delta !== undefined) {
        const result = canonicalResult(perturb(ran.output, delta));
        executed = { result, resultHash: `0x${sha256Hex(result)}` as Hex };
      }
      const salt = `0x${randomBytes(32).toString('hex')}` as Hex;
      pending.set(orderHash, {
        executed,
        salt,
        chainId: message.chainId,
        escrow: message.computeEscrow,
        verification: message.model.verification,
      });
      const durationMs = Date.now() - started;
      await reply(
        {
          kind: 'commit',
          orderHash,
          provider: address,
          commitment: resultCommitment(orderHash, executed.resultHash, salt, address),
          durationMs,
        },
        `commit:${messageId}`, // unique per announcement (it names the order, provider and announcement)
      );
    } catch (error) {
      const failure = classifyJobFailure(error);
      log(`provider ${address}: order ${orderHash.slice(0, 10)} failed: ${(error as Error).message}`);
      await reply(
        {
          kind: 'failed',
          orderHash,
          provider: address,
          reason: failure.reason,
          code: failure.deterministic ? failure.code : undefined,
        },
        `failed:${orderHash}:${address}:${messageId}`,
      );
    } finally {
      runningOrders.delete(orderHash);
      context.onEnd(Date.now() - started);
    }
  }

  async function reveal(orderHash: Hex): Promise<void> {
    const entry = pending.get(orderHash);
    if (!entry) return; // nothing committed here (restarted, or not ours)
    const signature = await account.signTypedData(
      resultAttestationTypedData(entry.chainId, entry.escrow, orderHash, entry.executed.resultHash),
    );
    await reply(
      {
        kind: 'reveal',
        orderHash,
        provider: address,
        resultHash: entry.executed.resultHash,
        salt: entry.salt,
        signature,
        result: Buffer.from(entry.executed.result).toString('base64'),
      },
      `reveal:${orderHash}:${address}`,
    );
    // Kept until the process ends or a bounded number of newer orders pushes it out: a reveal request can be
    // redelivered after the node replaced another slot.
    while (pending.size > 256) pending.delete(pending.keys().next().value as Hex);
  }

  /** `tolerance` orders: signs the representative when it is within tolerance of this provider's own result. */
  async function attest(request: Extract<OrderAssignment, { kind: 'attest' }>): Promise<void> {
    const orderHash = request.orderHash.toLowerCase() as Hex;
    const entry = pending.get(orderHash);
    if (!entry) return; // nothing revealed here (restarted, or not ours): the node's timeout sends it to the referee
    const contest = (reason: string) => {
      log(`provider ${address}: contests the representative of ${orderHash.slice(0, 10)}: ${reason}`);
      return reply({ kind: 'contest', orderHash, provider: address, reason }, `contest:${orderHash}:${address}`);
    };
    const spec = entry.verification;
    if (spec?.class !== 'tolerance') return void (await contest('the model declares no tolerance'));
    const representative = new Uint8Array(Buffer.from(String(request.result), 'base64'));
    const resultHash = `0x${sha256Hex(representative)}` as Hex;
    if (resultHash !== String(request.resultHash).toLowerCase()) {
      return void (await contest('the representative bytes do not hash to its result hash'));
    }
    const comparison = compareResults(entry.executed.result, representative, spec);
    if (!comparison.within) return void (await contest(`${comparison.path}: ${comparison.reason}`));
    const signature = await account.signTypedData(
      resultAttestationTypedData(entry.chainId, entry.escrow, orderHash, resultHash),
    );
    await reply(
      { kind: 'attest', orderHash, provider: address, resultHash, signature },
      `attest:${orderHash}:${address}`,
    );
  }

  const subscription = await bus.subscribe<OrderAssignment>(
    subjects.assigned(address),
    async (message: ProviderBusMessage<OrderAssignment>) => {
      const data = message.data;
      if (data.kind === 'reveal') await reveal(data.orderHash.toLowerCase() as Hex);
      else if (data.kind === 'attest') await attest(data);
      // Not awaited: the subscription delivers one message at a time, and a reveal request must not wait behind
      // the next order's inference.
      else void run(data, message.id);
    },
    { durable: `provider-orders-${address.toLowerCase()}`, deliverPolicy: 'new', maxDeliver: 3, backoffMs: 500 },
  );
  return subscription;
}

/**
 * The output with `delta` added to every float (tensor elements of float dtypes, OCR confidences): the `perturbResult`
 * fault drill.
 */
function perturb(output: PipelineOutput, delta: number): PipelineOutput {
  const value = output as { lines?: Array<{ confidence: number }>; tensors?: Record<string, { data: unknown }> };
  if (Array.isArray(value.lines)) {
    return { ...value, lines: value.lines.map((line) => ({ ...line, confidence: line.confidence + delta })) } as never;
  }
  if (!value.tensors) return output;
  const tensors: Record<string, unknown> = {};
  for (const [name, tensor] of Object.entries(value.tensors)) {
    const data = tensor.data;
    tensors[name] =
      data instanceof Float32Array || data instanceof Float64Array
        ? { ...tensor, data: data.map((x) => x + delta) }
        : tensor;
  }
  return { ...value, tensors } as never;
}
