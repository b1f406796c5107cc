/**
 * The order coordinator of compute protocol v2: a thin loop around the pure decision function (`decide.ts`).
 * It holds every open order in memory, mirrored in the `orders` table (each change is written before the node acts
 * on it), and reacts at once to provider replies on the job bus; a timer re-decides every order for timeouts and
 * deadlines. Nothing here waits for a block: assignment, commit–reveal and agreement are bus round trips, and
 * settlement happens later in batches (`settler.ts`).
 *
 * Orders accepted by other nodes (standbys of a scale-out market, `accept.ts`) are stored in the shared database
 * only; the coordinator adopts them — loads them as its crash recovery loads every open order at start — when a
 * `<prefix>.orders.accepted` message names one, and on a periodic sweep of the stored open orders it does not hold
 * (a lost message, or one sent while no node led). Adoption runs under the order's lock and re-reads the row, so
 * an order is held once and a finished one never comes back.
 *
 * Trust: every reply is checked before it counts — a commitment only from a provider holding a slot, a reveal only
 * when it opens that provider's commitment, its bytes hash to the revealed hash, and its EIP-712 attestation
 * recovers to the provider. A provider that does not answer is replaced (never slashed: it signed nothing); a
 * provider is slashed only on its own signed attestation of a result the referee found wrong (`settleDispute`).
 *
 * `tolerance` orders (the model's manifest declares `runtime.verification.class: "tolerance"`): once all r revealed,
 * the loop compares the results (`@souk/protocol`'s `pickRepresentative`), asks every provider to attest the
 * representative, and agrees on its hash; audits and disputes judge each provider's own revealed result against
 * the referee's with the same comparison.
 */
import { createHash, randomInt } from 'node:crypto';
import { providerRegistryAbi } from '@souk/contracts';
import {
  compareResults,
  type JobOrder,
  jobOrderToJson,
  MAX_INLINE_INPUT_BYTES,
  type OrderAccepted,
  type OrderAssignment,
  type OrderModel,
  type OrderReply,
  orderSubjects,
  pickRepresentative,
  resultAttestationTypedData,
  resultCommitment,
  type Tolerance,
  Verification,
} from '@souk/protocol';
import { classifyJobFailure, type HeartbeatMessage } from '@souk/provider';
import { type Address, getAddress, type Hex, recoverTypedDataAddress } from 'viem';
import type { JobBus } from '../bus/types.ts';
import { chainNow } from '../compute/chainClock.ts';
import { createProviderPool, type ProviderPool } from '../compute/providerPool.ts';
import type { Referee } from '../compute/referee.ts';
import { assetManifest } from '../gateway/assetContent.ts';
import { createKeyedLock } from '../lib/keyedLock.ts';
import { NotEnoughProvidersError } from '../scheduler/errors.ts';
import { selectProviders } from '../scheduler/select.ts';
import type { NodeServices } from '../services.ts';
import { type Action, type DecideSettings, decide, resumeAfterRestart } from './decide.ts';
import { recordEvaluation, recordEvaluationOnChain } from './evaluations.ts';
import { type OrderState, type Slot, TERMINAL_PHASES } from './state.ts';
import { findOrder, loadOpenOrders, type OpenOrder, orderInput, saveOrder, saveOrderResult } from './store.ts';

/** Settings of the order coordinator. */
export type OrderCoordinatorOptions = {
  /** Base URL of this node's gateway (put in assignments). */
  nodeUrl: string;
  /** Re-decide period for timeouts and deadlines, ms. @default 250 */
  tickMs?: number | undefined;
  /**
   * Period of the sweep for open orders stored by other nodes that this coordinator does not hold yet (the
   * fallback of the `orders.accepted` bus message), ms. @default 2,000
   */
  sweepMs?: number | undefined;
  /** Probability that an agreeing order is audited (re-executed) before its batch, 0…1. @default 0.05 */
  auditRate?: number | undefined;
  /** Providers whose last heartbeat is older are not picked, ms. @default 10,000 */
  heartbeatTimeoutMs?: number | undefined;
  /** Timeouts of the decision function (`decide.ts`). */
  decide?: Partial<DecideSettings> | undefined;
  /** Log lines. */
  log?: ((line: string) => void) | undefined;
};

/** A running order coordinator. */
export type OrderCoordinator = {
  readonly pool: ProviderPool;
  /**
   * Takes a newly accepted (already stored) order and starts it at once; one it already holds is left alone.
   * @param input The input bytes acceptance checked (kept for the assignments instead of read back from storage).
   */
  submit(order: OpenOrder, input?: Uint8Array | undefined): Promise<void>;
  /**
   * Adopts a stored open order accepted by another node (read from the database under the order's lock) and starts
   * it; an order already held, finished or unknown is left alone.
   * @returns Whether it was adopted now.
   */
  adopt(orderHash: Hex): Promise<boolean>;
  /** Adopts every stored open order not held yet (the sweep); resolves to how many were adopted. */
  sweep(): Promise<number>;
  /** The open order as last written (a copy), if this node is working on it. */
  get(orderHash: Hex): OpenOrder | undefined;
  /** Orders agreed and audited, waiting for the next batch (the settler takes them). */
  ready(): OpenOrder[];
  /** Applies a settler outcome (phase change) through the order's lock. */
  update(orderHash: Hex, change: (order: OpenOrder) => void): Promise<void>;
  /** Re-decides every open order now. */
  tick(): Promise<void>;
  /** Stops the loop and the subscriptions. */
  stop(): Promise<void>;
};

/** Longest the timer reuses the chain time it read, ms (deadlines are whole seconds). */
const CHAIN_TIME_REFRESH_MS = 1_000;

const DEFAULT_DECIDE: DecideSettings = {
  commitTimeoutMs: 60_000,
  receiptTimeoutMs: 5_000,
  maxAnnouncements: 3,
  minWorkingSeconds: 10,
  settlementMarginSeconds: 0,
};

/**
 * Starts the order coordinator: loads the open orders from the database, subscribes to provider replies and
 * heartbeats, and starts the timer.
 * @param services The node's services (chain with the deployment, database, storage, events).
 * @param bus The job bus.
 * @param referee Runs audits, disputes and failure reproductions on the node's runtime.
 */
export async function startOrderCoordinator(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage' | 'events'>,
  bus: JobBus,
  referee: Pick<Referee, 'runModel'>,
  options: OrderCoordinatorOptions,
): Promise<OrderCoordinator> {
  const { chain, db, events } = services;
  const {
    nodeUrl,
    tickMs = 250,
    sweepMs = 2_000,
    auditRate = 0.05,
    heartbeatTimeoutMs = 10_000,
    log = () => {},
  } = options;
  const settings: DecideSettings = { ...DEFAULT_DECIDE, ...options.decide };
  const subjects = orderSubjects(bus.subjects.prefix);
  const chainId = chain.deployment.chainId;
  const escrow = chain.deployment.contracts.computeEscrow as Address;
  const pool = createProviderPool(db);
  const open = new Map<Hex, OpenOrder>();
  // After a restart every unrevealed slot is announced again (`resumeAfterRestart`): the bus messages and the
  // in-process providers' memory did not survive, and an honest provider must not be replaced for the node's crash.
  for (const order of await loadOpenOrders(db)) {
    const resumed = resumeAfterRestart(order.state, Date.now());
    if (resumed !== order.state) {
      order.state = resumed;
      await saveOrder(db, order);
    }
    open.set(order.hash, order);
  }

  /** Per-order serial execution: replies, ticks and settler updates of one order never interleave. */
  const withLock = createKeyedLock();

  /** Model facts providers need, by asset id (a manifest is immutable per asset id once bound). */
  const models = new Map<string, OrderModel>();
  async function modelOf(modelId: bigint) {
    const key = String(modelId);
    let hit = models.get(key);
    if (!hit) {
      const { manifest } = await assetManifest(services, modelId);
      hit = {
        id: key,
        pipeline: manifest.runtime?.pipeline ?? 'onnx',
        contentCid: manifest.content.cid,
        contentSha256: manifest.content.sha256,
        verification: manifest.runtime?.verification,
      };
      models.set(key, hit);
    }
    return hit;
  }

  /** Input bytes of open orders (inline in assignments), loaded from storage after a restart. */
  const inputs = new Map<Hex, Uint8Array>();
  async function inputOf(order: OpenOrder): Promise<Uint8Array> {
    let bytes = inputs.get(order.hash);
    if (!bytes) {
      bytes = await orderInput(services, order);
      inputs.set(order.hash, bytes);
    }
    return bytes;
  }

  async function announce(order: OpenOrder, slot: Slot): Promise<void> {
    const input = order.inputSize <= MAX_INLINE_INPUT_BYTES ? await inputOf(order) : undefined;
    const message: OrderAssignment = {
      kind: 'assign',
      orderHash: order.hash,
      order: jobOrderToJson(order.order),
      chainId,
      computeEscrow: escrow,
      model: await modelOf(order.order.modelId),
      nodeUrl,
      input: input ? Buffer.from(input).toString('base64') : undefined,
    };
    slot.announcements += 1;
    slot.lastAnnouncedAtMs = Date.now();
    await bus.publish(subjects.assigned(slot.provider), message, {
      id: `order:${order.hash}:${slot.provider}:${slot.assignedAtMs}:${slot.announcements}`,
    });
  }

  // The registry's minimum stake, re-read at most every 5 s: a provider below it is inactive (the SDK's verification
  // and the escrow's settlement refuse its attestation), so it must never be picked.
  let minStake: { wei: bigint; readAtMs: number } | undefined;
  async function minStakeWei(): Promise<bigint> {
    if (!minStake || Date.now() - minStake.readAtMs > 5_000) {
      const wei = await chain.publicClient.readContract({
        address: chain.deployment.contracts.providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'minStake',
      });
      minStake = { wei, readAtMs: Date.now() };
    }
    return minStake.wei;
  }

  const waitingLogged = new Set<Hex>();
  async function pick(order: OpenOrder, count: number): Promise<string[]> {
    const model = await modelOf(order.order.modelId);
    const exclude = new Set([...order.state.excluded, ...order.state.slots.map((s) => s.provider)]);
    const picked = selectProviders(
      await pool.snapshots(),
      {
        modelCid: model.contentCid,
        runtime: 'onnxruntime',
        pipeline: model.pipeline,
        maxPricePerProviderWei: order.amount / BigInt(order.order.redundancy),
        redundancy: count,
      },
      { now: Date.now(), heartbeatTimeoutMs, exclude, minStakeWei: await minStakeWei() },
    );
    for (const p of picked) pool.reserve(p.provider.address);
    return picked.map((p) => p.provider.address.toLowerCase());
  }

  /** The declared tolerance of a `tolerance` order's model. */
  async function toleranceOf(order: OpenOrder): Promise<Tolerance> {
    const spec = (await modelOf(order.order.modelId)).verification;
    if (spec?.class !== 'tolerance') {
      throw new Error(`Model ${order.order.modelId} declares no tolerance, yet order ${order.hash} asks for it.`);
    }
    return { atol: spec.atol, rtol: spec.rtol };
  }

  /** A slot's revealed result bytes (stored at its reveal). */
  const slotResult = (slot: Slot) => services.storage.store.getRaw(slot.resultCid as string);

  type RefereeOutcome = { resultHash: Hex; accepted: Map<string, boolean> } | { error: unknown };
  /**
   * The referee's verdict on each revealed slot: exact, its hash equals the referee's; tolerance, its own result is
   * within the model's tolerance of the referee's (`compareResults`).
   */
  async function judge(order: OpenOrder, result: Uint8Array, resultHash: Hex): Promise<Map<string, boolean>> {
    const accepted = new Map<string, boolean>();
    const tolerant = order.order.verification === Verification.Tolerance;
    const tolerance = tolerant ? await toleranceOf(order) : undefined;
    for (const slot of order.state.slots) {
      if (!slot.resultHash) continue;
      accepted.set(
        slot.provider,
        slot.resultHash === resultHash ||
          (tolerance !== undefined && compareResults(await slotResult(slot), result, tolerance).within),
      );
    }
    return accepted;
  }

  /** Referee work in flight, per order (never two runs of one order at once). */
  const refereeRuns = new Set<Hex>();
  function runReferee(order: OpenOrder, onDone: (outcome: RefereeOutcome) => void): void {
    if (refereeRuns.has(order.hash)) return;
    refereeRuns.add(order.hash);
    void (async () => {
      let outcome: RefereeOutcome;
      try {
        const run = await referee.runModel(order.order.modelId, await inputOf(order));
        outcome = { resultHash: run.resultHash, accepted: await judge(order, run.result, run.resultHash) };
      } catch (error) {
        outcome = { error };
      }
      await withLock(order.hash, async () => {
        refereeRuns.delete(order.hash);
        onDone(outcome);
        await persist(order);
      });
      await step(order.hash);
    })();
  }

  /**
   * What was last written of each open order (state JSON, result CID, reason): {@link save} skips a write that would
   * store the same row again (an action that saved before publishing, then the step's closing write).
   */
  const written = new Map<Hex, string>();
  /** Writes the order unless the stored row is already this; resolves to whether it wrote. */
  async function save(order: OpenOrder): Promise<boolean> {
    const stateJson = JSON.stringify(order.state);
    const row = `${order.resultCid}\u0000${order.reason}\u0000${stateJson}`;
    if (written.get(order.hash) === row) return false;
    await saveOrder(db, order, stateJson);
    written.set(order.hash, row);
    shown.set(order.hash, stored(order, stateJson));
    return true;
  }
  /**
   * What `get` shows of each open order: a copy of it as last written. A reply and the agreement it leads to are
   * decided in memory and written once; until that write completes, readers (GET /orders/:hash, the order gateway)
   * see the order as stored, never a result a crash could still take back.
   */
  const shown = new Map<Hex, OpenOrder>();
  const stored = (order: OpenOrder, stateJson = JSON.stringify(order.state)): OpenOrder => ({
    ...order,
    state: JSON.parse(stateJson) as OrderState,
  });
  for (const order of open.values()) shown.set(order.hash, stored(order)); // loaded above, as stored

  function notify(order: OpenOrder): void {
    events.emit('order', { orderHash: order.hash, phase: order.state.phase, requester: order.order.requester });
  }

  async function persist(order: OpenOrder): Promise<void> {
    await save(order);
    notify(order);
  }

  /** Performs one action; returns whether the state changed (to be written before the next decision). */
  async function perform(order: OpenOrder, action: Action): Promise<boolean> {
    const { state } = order;
    switch (action.type) {
      case 'assign': {
        let providers: string[];
        try {
          providers = await pick(order, action.count);
        } catch (error) {
          if (!(error instanceof NotEnoughProvidersError)) throw error;
          if (!waitingLogged.has(order.hash))
            log(`order ${order.hash.slice(0, 10)}: waiting for providers (${error.message})`);
          waitingLogged.add(order.hash);
          return false;
        }
        waitingLogged.delete(order.hash);
        const now = Date.now();
        const added = providers.map((provider) => ({
          provider,
          assignedAtMs: now,
          announcements: 0,
          lastAnnouncedAtMs: now,
          received: false,
        }));
        state.slots.push(...added);
        await save(order); // the slots exist before any provider hears of them
        for (const slot of added) await announce(order, slot);
        return true;
      }
      case 'announce': {
        const slot = state.slots.find((s) => s.provider === action.provider);
        if (!slot) return false;
        log(`order ${order.hash.slice(0, 10)}: ${slot.provider} has not confirmed; announcing again`);
        await announce(order, slot);
        return true;
      }
      case 'replace': {
        state.slots = state.slots.filter((s) => s.provider !== action.provider);
        state.excluded.push(action.provider);
        // Answers already revealed are public now: whoever takes the slot could copy them, so audit for sure.
        if (state.revealRequested) state.leaked = true;
        state.revealRequested = false;
        log(`order ${order.hash.slice(0, 10)}: ${action.provider} replaced (${action.why})`);
        return true;
      }
      case 'reproduce': {
        state.failureCheck = 'pending';
        const slot = state.slots.find((s) => s.provider === action.provider);
        runReferee(order, (outcome) => {
          if ('error' in outcome && !classifyJobFailure(outcome.error).deterministic) {
            // The referee's own trouble (a crashed worker, a deadline), not the input: no verdict; ask again.
            state.failureCheck = undefined;
            log(
              `order ${order.hash.slice(0, 10)}: the referee could not reproduce (${(outcome.error as Error).message}); retrying`,
            );
          } else if ('error' in outcome) {
            state.phase = 'failed';
            state.failureCheck = 'reproduced';
            // The classified one-line reason (`InvalidInputError`'s words, or ONNX Runtime's), not the wrapped chain.
            order.reason = classifyJobFailure(outcome.error).reason;
            log(`order ${order.hash.slice(0, 10)}: failure reproduced by the referee; not charged, nobody slashed`);
          } else {
            state.failureCheck = 'rejected';
            if (slot) slot.failure = { reason: slot.failure?.reason ?? 'reported failure', code: undefined };
          }
        });
        return true;
      }
      case 'requestReveal': {
        state.revealRequested = true;
        state.revealRequestedAtMs = Date.now();
        await save(order); // the commitments are stored before any provider reveals
        for (const slot of state.slots) {
          await bus.publish(
            subjects.assigned(slot.provider),
            { kind: 'reveal', orderHash: order.hash } satisfies OrderAssignment,
            { id: `reveal:${order.hash}:${slot.provider}:${slot.assignedAtMs}` },
          );
        }
        return true;
      }
      case 'compare': {
        const results = await Promise.all(state.slots.map(slotResult));
        const choice = pickRepresentative(results, await toleranceOf(order));
        state.comparison = choice.agree
          ? { agree: true, representative: (state.slots[choice.index] as Slot).provider }
          : {
              agree: false,
              reason: `${state.slots[choice.pair[0]]?.provider} and ${state.slots[choice.pair[1]]?.provider} differ at ${choice.mismatch.path}: ${choice.mismatch.reason}`,
            };
        log(
          `order ${order.hash.slice(0, 10)}: ${choice.agree ? `within tolerance; representative ${state.comparison.agree && state.comparison.representative}` : `outside tolerance (${!state.comparison.agree && state.comparison.reason})`}`,
        );
        return true;
      }
      case 'requestAttestation': {
        const comparison = state.comparison;
        const representative = state.slots.find((s) => comparison?.agree && s.provider === comparison.representative);
        if (!representative?.resultHash || !representative.signature) return false;
        // The representative's reveal signature already attests its own hash.
        representative.agreement = { resultHash: representative.resultHash, signature: representative.signature };
        state.attestRequestedAtMs = Date.now();
        await save(order);
        const result = Buffer.from(await slotResult(representative)).toString('base64');
        for (const slot of state.slots) {
          if (slot === representative) continue;
          await bus.publish(
            subjects.assigned(slot.provider),
            {
              kind: 'attest',
              orderHash: order.hash,
              resultHash: representative.resultHash,
              result,
            } satisfies OrderAssignment,
            { id: `attest:${order.hash}:${slot.provider}:${slot.assignedAtMs}` },
          );
        }
        return true;
      }
      case 'agree': {
        const agreeing = state.slots.find((s) => s.resultHash === action.resultHash);
        // Scale-out: every node answers GET /orders/:hash with the result, from the shared database. A reveal that
        // reached a previous leader is in that node's store only: the order still agrees and settles without it.
        if (db.engine === 'postgres' && agreeing) {
          const bytes = await slotResult(agreeing).catch(() => undefined);
          if (bytes) await saveOrderResult(db, order.hash, bytes);
          else log(`order ${order.hash.slice(0, 10)}: the agreed result bytes are not in this node's store`);
        }
        state.phase = 'agreed';
        state.resultHash = action.resultHash;
        order.resultCid = agreeing?.resultCid ?? null;
        // An evaluation order: its agreed metrics are recorded against the model (orders/evaluations.ts).
        if (state.evaluation && agreeing) {
          const bytes = await slotResult(agreeing).catch(() => undefined);
          if (bytes && (await recordEvaluation(db, order, action.resultHash, bytes))) {
            // On-chain too, in the background: the operator's queue must not hold up the order.
            void recordEvaluationOnChain(services, order, action.resultHash, log);
          }
        }
        log(`order ${order.hash.slice(0, 10)}: ${state.slots.length} agreeing (${action.resultHash.slice(0, 12)}…)`);
        return true;
      }
      case 'dispute': {
        state.phase = 'disputed';
        log(`order ${order.hash.slice(0, 10)}: results differ; the referee re-executes`);
        return true;
      }
      case 'drawAudit': {
        state.audit =
          state.leaked || (auditRate > 0 && randomInt(1_000_000) < auditRate * 1_000_000) ? 'pending' : 'skip';
        return true;
      }
      case 'audit': {
        runReferee(order, (outcome) => {
          if ('error' in outcome) return; // transient: the next tick retries
          state.refereeHash = outcome.resultHash;
          recordVerdicts(order, outcome.accepted);
          // Exact: the agreed hash is the referee's. Tolerance: every provider's own result is within tolerance of it.
          const passed =
            order.order.verification === Verification.Tolerance
              ? [...outcome.accepted.values()].every(Boolean)
              : outcome.resultHash === state.resultHash;
          state.audit = passed ? 'passed' : 'failed';
          log(`order ${order.hash.slice(0, 10)}: audit ${state.audit}`);
        });
        return false;
      }
      case 'queue': {
        state.phase = 'ready';
        return true;
      }
      case 'settleDispute': {
        if (!state.refereeHash) {
          runReferee(order, (outcome) => {
            if ('error' in outcome) return;
            state.refereeHash = outcome.resultHash;
            recordVerdicts(order, outcome.accepted);
          });
          return false;
        }
        disputes.add(order.hash);
        return false;
      }
      case 'expire': {
        state.phase = 'expired';
        order.reason = 'Not settled by its deadline: never charged.';
        log(`order ${order.hash.slice(0, 10)}: expired unpaid`);
        return true;
      }
    }
  }

  /** Writes the referee's verdicts into the slots (`tolerance` orders; the exact class derives them from hashes). */
  function recordVerdicts(order: OpenOrder, accepted: Map<string, boolean>): void {
    if (order.order.verification !== Verification.Tolerance) return;
    for (const slot of order.state.slots) slot.refereeAccepted = accepted.get(slot.provider) ?? false;
  }

  /** Orders whose dispute is ready for the settler (`settleDispute` on-chain). */
  const disputes = new Set<Hex>();

  let chainTime = await chainNow(chain.publicClient);
  async function step(hash: Hex): Promise<void> {
    await withLock(hash, async () => {
      const order = open.get(hash);
      if (order) await decideAndAct(order, false);
    });
  }

  /**
   * Decides and acts until the order waits, then writes it once (actions that reach outside — assignment, reveal
   * and attestation requests — save before they publish). Runs under the order's lock.
   * @param dirty Whether the caller changed the order already (a reply): it is written even if no action follows.
   */
  async function decideAndAct(order: OpenOrder, dirty: boolean): Promise<void> {
    for (let round = 0; round < 6; round++) {
      const actions = decide(
        {
          redundancy: order.order.redundancy,
          deadline: Number(order.order.deadline),
          verification: order.order.verification,
        },
        order.state,
        { nowMs: Date.now(), chainTime },
        settings,
      );
      if (actions.length === 0) break;
      let changed = false;
      for (const action of actions) changed = (await perform(order, action)) || changed;
      if (!changed) break;
      dirty = true;
    }
    if (dirty) await persist(order);
    if (TERMINAL_PHASES.includes(order.state.phase)) {
      open.delete(order.hash);
      inputs.delete(order.hash);
      written.delete(order.hash);
      shown.delete(order.hash);
    }
  }

  /** Handles one provider reply; invalid replies are logged and dropped (they never change an order). */
  async function onReply(reply: OrderReply): Promise<void> {
    const hash = reply.orderHash?.toLowerCase() as Hex;
    const order = open.get(hash);
    if (!order) return;
    const provider = String(reply.provider).toLowerCase();
    await withLock(hash, async () => {
      if (open.get(hash) !== order) return; // finished (or re-adopted) while this reply waited for the lock
      const slot = order.state.slots.find((s) => s.provider === provider);
      if (!slot) return; // not (or no longer) this provider's order
      switch (reply.kind) {
        case 'received':
          // Kept in memory only: it matters only for re-announcing, and a restarted node re-announces every
          // unrevealed slot anyway (`resumeAfterRestart` resets it). The next write of the order carries it.
          slot.received = true;
          return;
        case 'commit':
          if (slot.commitment || !/^0x[0-9a-fA-F]{64}$/.test(reply.commitment)) return;
          slot.received = true;
          slot.commitment = reply.commitment.toLowerCase() as Hex;
          break;
        case 'reveal': {
          if (!slot.commitment || slot.resultHash || !order.state.revealRequested) return;
          const bytes = Buffer.from(String(reply.result), 'base64');
          const problem = await checkReveal(order, slot, reply, bytes);
          if (problem) {
            log(`order ${hash.slice(0, 10)}: reveal of ${provider} refused: ${problem}`);
            return;
          }
          slot.resultHash = reply.resultHash.toLowerCase() as Hex;
          slot.signature = reply.signature.toLowerCase() as Hex;
          slot.resultCid = await services.storage.store.putRaw(bytes);
          break;
        }
        case 'attest': {
          const problem = await checkAttestation(order, slot, reply);
          if (problem) {
            log(`order ${hash.slice(0, 10)}: attestation of ${provider} refused: ${problem}`);
            return;
          }
          slot.agreement = {
            resultHash: reply.resultHash.toLowerCase() as Hex,
            signature: reply.signature.toLowerCase() as Hex,
          };
          break;
        }
        case 'contest':
          if (order.state.attestRequestedAtMs === undefined || slot.agreement || slot.contested !== undefined) return;
          slot.contested = String(reply.reason).slice(0, 500);
          log(`order ${hash.slice(0, 10)}: ${provider} contests the representative: ${slot.contested}`);
          break;
        case 'failed':
          if (slot.commitment) return;
          slot.failure = {
            reason: String(reply.reason).slice(0, 500),
            code: reply.code ? String(reply.code) : undefined,
          };
          break;
        default:
          return;
      }
      // The reply and what follows from it (a reveal request, the agreement) in one decision pass and one write:
      // the reply is stored before anything it leads to is published, and before the bus message is acked.
      await decideAndAct(order, true);
    });
  }

  /** Why a reveal does not count, or undefined when it opens the commitment and carries a valid attestation. */
  async function checkReveal(
    order: OpenOrder,
    slot: Slot,
    reply: Extract<OrderReply, { kind: 'reveal' }>,
    bytes: Uint8Array,
  ) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(reply.resultHash) || !/^0x[0-9a-fA-F]{64}$/.test(reply.salt)) {
      return 'malformed result hash or salt';
    }
    const provider = getAddress(slot.provider);
    if (resultCommitment(order.hash, reply.resultHash, reply.salt, provider) !== slot.commitment) {
      return 'does not open its commitment';
    }
    if (sha256Hex(bytes) !== reply.resultHash.toLowerCase()) return 'result bytes do not hash to the revealed hash';
    const signer = await recoverTypedDataAddress({
      ...resultAttestationTypedData(chainId, escrow, order.hash, reply.resultHash),
      signature: reply.signature,
    }).catch(() => undefined);
    if (signer?.toLowerCase() !== slot.provider) return 'attestation not signed by the provider';
    return undefined;
  }

  /** Why an attestation of the representative does not count, or undefined when it is the provider's signature. */
  async function checkAttestation(order: OpenOrder, slot: Slot, reply: Extract<OrderReply, { kind: 'attest' }>) {
    const comparison = order.state.comparison;
    const representative = order.state.slots.find((s) => comparison?.agree && s.provider === comparison.representative);
    if (order.state.attestRequestedAtMs === undefined || !representative?.resultHash || slot.agreement) {
      return 'no attestation was asked for';
    }
    if (String(reply.resultHash).toLowerCase() !== representative.resultHash) return 'not the representative result';
    const signer = await recoverTypedDataAddress({
      ...resultAttestationTypedData(chainId, escrow, order.hash, representative.resultHash),
      signature: reply.signature,
    }).catch(() => undefined);
    return signer?.toLowerCase() === slot.provider ? undefined : 'not signed by the provider';
  }

  const subscriptions = [
    await bus.subscribe<OrderReply>(subjects.repliesAll, (message) => onReply(message.data), {
      durable: 'node-order-replies',
      deliverPolicy: 'new',
    }),
    await bus.subscribe<HeartbeatMessage>(
      bus.subjects.heartbeat,
      (message) => {
        const first = !pool.live().has(message.data.address.toLowerCase());
        pool.heartbeat(message.data);
        if (first || waitingLogged.size > 0) void tick();
      },
      { durable: 'node-order-heartbeats', deliverPolicy: 'new', maxDeliver: 1 },
    ),
    await bus.subscribe<OrderAccepted>(
      subjects.accepted,
      async (message) => {
        const hash = String(message.data.orderHash ?? '').toLowerCase();
        if (/^0x[0-9a-f]{64}$/.test(hash)) await adopt(hash as Hex);
      },
      { durable: 'node-order-accepted', deliverPolicy: 'new' },
    ),
  ];

  /** Holds a stored order (loaded as at start: `resumeAfterRestart`) unless it is held, finished or unknown. */
  async function adopt(hash: Hex): Promise<boolean> {
    const adopted = await withLock(hash, async () => {
      if (stopped || open.has(hash)) return false;
      const order = await findOrder(db, hash);
      if (!order || TERMINAL_PHASES.includes(order.state.phase)) return false;
      const resumed = resumeAfterRestart(order.state, Date.now());
      if (resumed !== order.state) {
        order.state = resumed;
        await saveOrder(db, order);
      }
      open.set(hash, order);
      shown.set(hash, stored(order));
      log(`order ${hash.slice(0, 10)}: adopted (accepted by another node)`);
      notify(order);
      return true;
    });
    if (adopted) await step(hash);
    return adopted;
  }

  async function sweep(): Promise<number> {
    const rows = await db
      .selectFrom('orders')
      .select('order_hash')
      .where('phase', 'not in', [...TERMINAL_PHASES])
      .execute();
    let adopted = 0;
    for (const { order_hash } of rows) {
      if (!open.has(order_hash as Hex) && (await adopt(order_hash as Hex))) adopted += 1;
    }
    return adopted;
  }

  let stopped = false;
  let running: Promise<void> | undefined;
  /** When `chainTime` was last read (the timer reads it at most every `CHAIN_TIME_REFRESH_MS`). */
  let chainTimeAt = Date.now();
  async function pass(timer: boolean): Promise<void> {
    try {
      // Nothing open: nothing to decide, and no chain read (an idle node costs no RPC per tick).
      if (open.size === 0) return;
      // Chain time only decides deadlines (whole seconds): the timer refreshes it once a second, not every tick.
      if (!timer || Date.now() - chainTimeAt >= CHAIN_TIME_REFRESH_MS) {
        chainTime = await chainNow(chain.publicClient);
        chainTimeAt = Date.now();
      }
      for (const hash of [...open.keys()]) await step(hash);
    } catch (error) {
      log(`order coordinator pass failed: ${(error as Error).message}`);
    }
  }
  function tick(timer = false): Promise<void> {
    if (stopped) return Promise.resolve();
    running ??= pass(timer).finally(() => {
      running = undefined;
    });
    return running;
  }
  const timer = setInterval(() => void tick(true), tickMs);
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping || stopped) return;
    sweeping = true;
    sweep()
      .catch((error) => log(`order sweep failed: ${(error as Error).message}`))
      .finally(() => {
        sweeping = false;
      });
  }, sweepMs);

  return {
    pool,
    async submit(order, input) {
      const added = await withLock(order.hash, async () => {
        if (open.has(order.hash)) return false; // the sweep adopted it first
        open.set(order.hash, order);
        shown.set(order.hash, stored(order)); // as acceptance stored it
        if (input) inputs.set(order.hash, input);
        return true;
      });
      if (added) notify(order);
      await step(order.hash);
    },
    adopt,
    sweep,
    get: (hash) => shown.get(hash.toLowerCase() as Hex),
    ready: () => [...open.values()].filter((o) => o.state.phase === 'ready' || disputes.has(o.hash)),
    async update(hash, change) {
      await withLock(hash, async () => {
        const order = open.get(hash);
        if (!order) return;
        change(order);
        if (order.state.phase !== 'disputed') disputes.delete(hash);
        await persist(order);
      });
      await step(hash);
    },
    tick: () => tick(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(sweeper);
      for (const s of subscriptions) await s.close();
      await running;
      await withLock.idle();
    },
  };
}

/** The order's fields as the coordinator keeps them. */
export type { JobOrder, OpenOrder, OrderState };

/** `0x` + SHA-256 of bytes, hex (node:crypto: several times faster than a pure-JS hash on inputs of tens of KB). */
function sha256Hex(bytes: Uint8Array): Hex {
  return `0x${createHash('sha256').update(bytes).digest('hex')}` as Hex;
}
