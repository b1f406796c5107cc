/**
 * The batch settler of compute protocol v2: every `intervalMs` it takes the orders that agreed (and passed or
 * skipped their audit) and settles them in one `ComputeEscrow.settleBatch` transaction — the requester's signed
 * order and each provider's signed attestation checked on-chain, the split credited to the wei — and sends
 * `settleDispute` for orders the referee decided. It runs only on the leader node (one sender of the operator's
 * transactions), through the operator's shared transaction sender.
 *
 * Exactly once: an order's nonce is marked used by the transaction that settles it, so a batch re-sent after a crash
 * skips what the first one settled (`JobSkipped`), and at start-up every order found `settling` is resolved from
 * `nonceUsed` on-chain before anything is sent again.
 */
import { computeEscrowAbi } from '@souk/contracts';
import { Verification } from '@souk/protocol';
import { type Abi, type Address, decodeEventLog, getAddress, type Hex, toFunctionSelector } from 'viem';
import { txSenderFor } from '../chain/txSender.ts';
import type { NodeServices } from '../services.ts';
import type { OrderCoordinator } from './coordinator.ts';
import { attestationOf } from './state.ts';
import { loadOpenOrders, type OpenOrder } from './store.ts';

/** Settings of the settler. */
export type SettlerOptions = {
  /** How often a batch closes, ms (about one block time is a good value). @default 1,000 */
  intervalMs?: number | undefined;
  /** Most orders per batch (calldata and gas bound it). @default 100 */
  maxBatch?: number | undefined;
  log?: ((line: string) => void) | undefined;
};

/** A running settler. */
export type Settler = {
  /** Closes a batch now (tests; the timer calls it). Resolves when its transaction has a receipt. */
  flush(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The `Settlement` struct of `settleBatch` for one order: every slot's signature of the agreed result hash (exact:
 * its reveal signature; tolerance: its attestation of the representative).
 */
export function settlementOf(order: OpenOrder) {
  const slots = order.state.slots;
  return {
    order: order.order,
    requesterSignature: order.signature,
    amount: order.amount,
    resultHash: order.state.resultHash as Hex,
    providers: slots.map((s) => getAddress(s.provider)),
    providerSignatures: slots.map((s) => attestationOf(s, order.state.resultHash) as Hex),
  };
}

/**
 * The referee's verdicts on a dispute's attestations as `settleDispute`'s `acceptedMask` (bit i for attestation i):
 * exact, the attestation names the referee's hash; tolerance, the referee found the provider's own result within
 * the model's tolerance of its own (`slot.refereeAccepted`, written by the coordinator).
 */
export function acceptedOf(order: OpenOrder, slots: OpenOrder['state']['slots']): boolean[] {
  const correct = order.state.refereeHash;
  return slots.map((s) =>
    order.order.verification === Verification.Tolerance
      ? s.refereeAccepted === true || s.resultHash === correct
      : s.resultHash === correct,
  );
}

/**
 * Starts the settler. First resolves orders a previous run left `settling` (settled on-chain → `settled`, else back
 * to `ready`).
 * @throws {Error} When the node has no operator key.
 */
export async function startSettler(
  services: Pick<NodeServices, 'chain' | 'db'>,
  coordinator: OrderCoordinator,
  { intervalMs = 1_000, maxBatch = 100, log = () => {} }: SettlerOptions = {},
): Promise<Settler> {
  const { chain, db } = services;
  if (!chain.operator) throw new Error('The settler needs the operator key (SOUK_OPERATOR_KEY).');
  const escrow = chain.deployment.contracts.computeEscrow as Address;
  const sender = txSenderFor(chain.publicClient, chain.operator);
  const nonceUsed = (order: OpenOrder) =>
    chain.publicClient.readContract({
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'nonceUsed',
      args: [order.order.requester, order.order.nonce],
    }) as Promise<boolean>;

  for (const order of await loadOpenOrders(db)) {
    if (order.state.phase !== 'settling') continue;
    const used = await nonceUsed(order);
    await coordinator.update(order.hash, (o) => {
      o.state.phase = used ? 'settled' : 'ready';
    });
    log(`order ${order.hash.slice(0, 10)}: found settling after a restart → ${used ? 'settled' : 'ready again'}`);
  }

  async function settleDisputes(disputed: OpenOrder[]): Promise<void> {
    for (const order of disputed) {
      const correct = order.state.refereeHash as Hex;
      // Each provider's signature of its own revealed result: the evidence the referee's verdict rests on.
      const judged = order.state.slots.filter((s) => s.signature && s.resultHash);
      const attestations = judged.map((s) => ({
        provider: getAddress(s.provider),
        resultHash: s.resultHash as Hex,
        signature: s.signature as Hex,
      }));
      const accepted = acceptedOf(order, judged);
      const acceptedMask = accepted.reduce((mask, ok, i) => (ok ? mask | (1n << BigInt(i)) : mask), 0n);
      // The result the requester gets: an accepted provider's own (exact: the referee's bytes, revealed by it).
      const delivered = judged.find((_, i) => accepted[i]);
      try {
        const { hash } = await sender.send({
          address: escrow,
          abi: computeEscrowAbi as Abi,
          functionName: 'settleDispute',
          args: [order.order, order.signature, order.amount, correct, attestations, acceptedMask],
        });
        await coordinator.update(order.hash, (o) => {
          o.state.phase = delivered ? 'settled' : 'unpaid';
          o.state.settleTx = hash;
          o.state.resultHash = delivered?.resultHash ?? correct;
          o.resultCid = delivered?.resultCid ?? null;
          if (!delivered) o.reason = 'No provider returned the result the referee computed: not charged.';
        });
        log(`order ${order.hash.slice(0, 10)}: dispute settled (${hash.slice(0, 10)}…)`);
      } catch (error) {
        log(`order ${order.hash.slice(0, 10)}: settleDispute failed, will retry: ${(error as Error).message}`);
      }
    }
  }

  async function settleBatch(batch: OpenOrder[]): Promise<void> {
    for (const order of batch)
      await coordinator.update(order.hash, (o) => {
        o.state.phase = 'settling';
      });
    let receipt: Awaited<ReturnType<typeof sender.send>>;
    const sentAt = performance.now();
    try {
      receipt = await sender.send({
        address: escrow,
        abi: computeEscrowAbi as Abi,
        functionName: 'settleBatch',
        args: [batch.map(settlementOf)],
      });
    } catch (error) {
      log(`batch of ${batch.length} failed, back to ready: ${(error as Error).message}`);
      for (const order of batch)
        await coordinator.update(order.hash, (o) => {
          o.state.phase = 'ready';
        });
      return;
    }
    const outcome = new Map<string, { settled: true } | { settled: false; reason: Hex }>();
    for (const entry of receipt.receipt.logs) {
      if (entry.address.toLowerCase() !== escrow.toLowerCase()) continue;
      try {
        const event = decodeEventLog({ abi: computeEscrowAbi as Abi, data: entry.data, topics: entry.topics });
        const args = event.args as unknown as { orderHash: Hex; reason?: Hex };
        if (event.eventName === 'JobSettled') outcome.set(args.orderHash.toLowerCase(), { settled: true });
        if (event.eventName === 'JobSkipped') {
          outcome.set(args.orderHash.toLowerCase(), { settled: false, reason: args.reason as Hex });
        }
      } catch {}
    }
    let settled = 0;
    for (const order of batch) {
      const result = outcome.get(order.hash);
      await coordinator.update(order.hash, (o) => {
        o.state.settleTx = receipt.hash;
        if (result?.settled) {
          o.state.phase = 'settled';
          settled++;
        } else {
          o.state.phase = 'unpaid';
          o.reason = `Skipped by the ComputeEscrow (${result && !result.settled ? skipReason(result.reason) : 'no event'}): not charged.`;
        }
      });
    }
    log(
      `batch ${receipt.hash.slice(0, 10)}…: ${settled} of ${batch.length} settled in ${Math.round(performance.now() - sentAt)} ms (block ${receipt.receipt.blockNumber}, gas ${receipt.receipt.gasUsed})`,
    );
  }

  let running: Promise<void> | undefined;
  let stopped = false;
  async function pass(): Promise<void> {
    try {
      const due = coordinator.ready();
      const disputed = due.filter((o) => o.state.phase === 'disputed');
      const ready = due.filter((o) => o.state.phase === 'ready');
      if (disputed.length > 0) await settleDisputes(disputed);
      for (let i = 0; i < ready.length; i += maxBatch) await settleBatch(ready.slice(i, i + maxBatch));
    } catch (error) {
      log(`settler pass failed: ${(error as Error).message}`);
    }
  }
  function flush(): Promise<void> {
    // `.finally` runs after the assignment even when the pass finishes synchronously (nothing due).
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }
  const timer = setInterval(() => {
    if (!stopped) void flush();
  }, intervalMs);
  return {
    flush,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** A `JobSkipped` reason (the custom error's selector) by name, when it is one of the ComputeEscrow's errors. */
function skipReason(selector: Hex): string {
  for (const item of computeEscrowAbi as Abi) {
    if (item.type !== 'error') continue;
    const signature = `${item.name}(${item.inputs.map((i) => i.type).join(',')})`;
    if (toFunctionSelector(signature) === selector.toLowerCase()) return item.name;
  }
  return selector;
}
