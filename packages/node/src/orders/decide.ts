/**
 * The coordinator's decision function for compute protocol v2: `(order, state, clock, settings) → actions`. Pure
 * (no I/O, no clock, no randomness of its own), so every rule is unit-tested like the scheduler's score; the loop
 * (`coordinator.ts`) performs the actions and writes the new state before acting on the next message.
 *
 * | phase | condition | action |
 * | --- | --- | --- |
 * | running | chain time past the deadline (less the settlement margin) | `expire` (never charged: the contract refuses an expired order) |
 * | running | fewer than r slots, enough working time left | `assign` the missing ones |
 * | running | a slot unconfirmed `receiptTimeoutMs` after its last announcement | `announce` again; after `maxAnnouncements`, `replace` |
 * | running | a slot without a commitment `commitTimeoutMs` after assignment, or that reported a provider fault | `replace` (never slashed: nothing was signed) |
 * | running | a slot reported that the job itself cannot run | `reproduce` (the referee runs it: fails too → `fail`, else `replace`) |
 * | running | all r committed, reveal not requested | `requestReveal` |
 * | running | all r committed, a slot unrevealed `commitTimeoutMs` after the request | `replace` it (the others' answers are out: `leaked`, so audited) |
 * | running | exact: all r revealed, equal | `agree` (the result goes to the requester now) |
 * | running | exact: all r revealed, different | `dispute` |
 * | running | tolerance: all r revealed, not compared yet | `compare` (the loop reads the results, `pickRepresentative`) |
 * | running | tolerance: outside tolerance of each other, or a provider contests the representative | `dispute` |
 * | running | tolerance: within tolerance, attestations not requested | `requestAttestation` (of the representative) |
 * | running | tolerance: every slot attested the representative | `agree` (on the representative's hash) |
 * | running | tolerance: a slot has not attested `commitTimeoutMs` after the request | `dispute` (its own signed result is judged) |
 * | agreed | audit undecided | `drawAudit` (the loop draws with probability `auditRate`, always when `leaked`) |
 * | agreed | audit pending | `audit` (the referee re-executes) |
 * | agreed | audit passed or skipped | `queue` (→ ready: the next batch settles it) |
 * | agreed | audit failed | `dispute` |
 * | disputed | — | `settleDispute` (exact: the providers matching the referee's hash are paid, the others slashed on their signed attestation; tolerance: those whose own result is within tolerance of the referee's are paid, the others slashed) |
 * | ready / settling | past the deadline | `expire` when not settled by then |
 */
import { Verification } from '@souk/protocol';
import type { OrderState, Slot } from './state.ts';

/** Settings of the decision function. Times in ms unless named otherwise. */
export type DecideSettings = {
  /** A provider has this long from assignment to commitment. */
  commitTimeoutMs: number;
  /** A provider has this long to confirm receipt of an announcement. */
  receiptTimeoutMs: number;
  /** Announcements without a receipt before the slot is given to another provider. */
  maxAnnouncements: number;
  /** Seconds that must be left before the deadline to (re)assign a slot. */
  minWorkingSeconds: number;
  /** Seconds before the deadline after which the node no longer expects to settle (it expires the order). */
  settlementMarginSeconds: number;
};

/** The order fields decisions depend on (`verification`: the JobOrder code, absent = exact). */
export type DecideOrder = { redundancy: number; deadline: number; verification?: number | undefined };

/** Clocks: the node's wall clock (ms) for timeouts, the chain's (Unix seconds) for deadlines. */
export type DecideClock = { nowMs: number; chainTime: number };

/** What the loop should do. */
export type Action =
  | { type: 'assign'; count: number }
  | { type: 'announce'; provider: string }
  | { type: 'replace'; provider: string; why: 'no-receipt' | 'no-commit' | 'no-reveal' | 'provider-fault' }
  | { type: 'reproduce'; provider: string }
  | { type: 'requestReveal' }
  | { type: 'compare' }
  | { type: 'requestAttestation' }
  | { type: 'agree'; resultHash: `0x${string}` }
  | { type: 'dispute' }
  | { type: 'drawAudit' }
  | { type: 'audit' }
  | { type: 'queue' }
  | { type: 'settleDispute' }
  | { type: 'expire' };

const committed = (slot: Slot) => slot.commitment !== undefined;
const revealed = (slot: Slot) => slot.resultHash !== undefined;

/**
 * The actions due for one order now.
 * @returns Actions in the order to perform them; empty when the order waits (or is terminal).
 */
export function decide(order: DecideOrder, state: OrderState, clock: DecideClock, settings: DecideSettings): Action[] {
  const left = order.deadline - clock.chainTime;
  switch (state.phase) {
    case 'running':
      return decideRunning(order, state, clock, settings, left);
    case 'agreed':
      if (left < settings.settlementMarginSeconds) return [{ type: 'expire' }];
      if (state.audit === 'undecided') return [{ type: 'drawAudit' }];
      if (state.audit === 'pending') return [{ type: 'audit' }];
      if (state.audit === 'failed') return [{ type: 'dispute' }];
      return [{ type: 'queue' }];
    case 'disputed':
      return [{ type: 'settleDispute' }];
    case 'ready':
      return left < 0 ? [{ type: 'expire' }] : [];
    default:
      return []; // settling waits for its receipt; terminal phases do nothing
  }
}

function decideRunning(
  order: DecideOrder,
  state: OrderState,
  clock: DecideClock,
  settings: DecideSettings,
  left: number,
): Action[] {
  if (left < settings.settlementMarginSeconds) return [{ type: 'expire' }];
  const { slots } = state;
  if (slots.length === order.redundancy && slots.every(revealed)) {
    if (order.verification === Verification.Tolerance) return decideTolerance(state, clock, settings);
    const first = slots[0]?.resultHash as `0x${string}`;
    return slots.every((s) => s.resultHash === first) ? [{ type: 'agree', resultHash: first }] : [{ type: 'dispute' }];
  }
  if (slots.length === order.redundancy && slots.every(committed)) {
    if (!state.revealRequested) return [{ type: 'requestReveal' }];
    // A provider that committed and never reveals (it crashed, or withholds its answer) gives up its slot.
    const since = state.revealRequestedAtMs ?? clock.nowMs;
    if (clock.nowMs - since < settings.commitTimeoutMs || left <= settings.minWorkingSeconds) return [];
    return slots.filter((s) => !revealed(s)).map((s) => ({ type: 'replace', provider: s.provider, why: 'no-reveal' }));
  }
  if (state.failureCheck === 'pending') return []; // the referee is reproducing a report: wait for its verdict
  const actions: Action[] = [];
  const canAssign = left > settings.minWorkingSeconds;
  for (const slot of slots) {
    if (committed(slot)) continue;
    if (slot.failure) {
      actions.push(
        slot.failure.code
          ? { type: 'reproduce', provider: slot.provider }
          : { type: 'replace', provider: slot.provider, why: 'provider-fault' },
      );
      continue;
    }
    if (!slot.received && clock.nowMs - slot.lastAnnouncedAtMs >= settings.receiptTimeoutMs) {
      if (slot.announcements < settings.maxAnnouncements) actions.push({ type: 'announce', provider: slot.provider });
      else if (canAssign) actions.push({ type: 'replace', provider: slot.provider, why: 'no-receipt' });
      continue;
    }
    if (canAssign && clock.nowMs - slot.assignedAtMs >= settings.commitTimeoutMs) {
      actions.push({ type: 'replace', provider: slot.provider, why: 'no-commit' });
    }
  }
  if (canAssign && slots.length < order.redundancy)
    actions.push({ type: 'assign', count: order.redundancy - slots.length });
  return actions;
}

/** A `tolerance` order whose r slots all revealed: compare, then gather attestations of the representative. */
function decideTolerance(state: OrderState, clock: DecideClock, settings: DecideSettings): Action[] {
  const { comparison, slots } = state;
  if (!comparison) return [{ type: 'compare' }];
  if (!comparison.agree || slots.some((s) => s.contested !== undefined)) return [{ type: 'dispute' }];
  const representative = slots.find((s) => s.provider === comparison.representative);
  if (!representative?.resultHash) return [{ type: 'compare' }];
  const hash = representative.resultHash;
  if (slots.every((s) => s.agreement?.resultHash === hash)) return [{ type: 'agree', resultHash: hash }];
  if (state.attestRequestedAtMs === undefined) return [{ type: 'requestAttestation' }];
  // A provider that revealed and does not attest: its own signed result is the evidence, the referee judges it.
  return clock.nowMs - state.attestRequestedAtMs >= settings.commitTimeoutMs ? [{ type: 'dispute' }] : [];
}

/**
 * The state of a running order as a restarted node must resume it. The providers' assignments and replies travelled
 * on the job bus, and providers that ran inside the node (or restarted with it) lost what they held in memory — an
 * order they were running, or the salt of a commitment not yet revealed. Left as they were, those slots would time
 * out one by one and be replaced, excluding honest providers for the node's crash until none is left to pick. So
 * every slot without a revealed result starts over: unconfirmed, uncommitted and announced again at once (its
 * commit timeout from now). A provider that still holds its result answers the new announcement with the same
 * commitment; one that lost it runs the order again.
 *
 * Commit–reveal stays sound: while nothing was revealed, no provider can have seen another's answer; once some
 * slot revealed, a slot committing again might copy it, so the order is marked `leaked` (always audited).
 * Slots that revealed keep their reveals, and the reveal request is sent again once all r have committed.
 *
 * @param state - The stored state of a `running` order (other phases need no provider and are returned as they are).
 * @param nowMs - The node's wall clock, ms since the epoch.
 * @returns The state to resume from (a new object; `state` is not changed).
 */
export function resumeAfterRestart(state: OrderState, nowMs: number): OrderState {
  if (state.phase !== 'running') return state;
  // A reproduction the referee ran when the node stopped has no verdict and never will: ask for it again.
  if (state.failureCheck === 'pending') state = { ...state, failureCheck: undefined };
  const stale = (slot: Slot) => !revealed(slot) && !slot.failure;
  if (!state.slots.some(stale)) return state;
  const slots = state.slots.map((slot) =>
    stale(slot)
      ? {
          ...slot,
          received: false,
          commitment: undefined,
          announcements: 0,
          lastAnnouncedAtMs: 0,
          assignedAtMs: nowMs,
        }
      : slot,
  );
  return {
    ...state,
    slots,
    revealRequested: false,
    revealRequestedAtMs: undefined,
    leaked: state.leaked || state.slots.some(revealed),
  };
}
