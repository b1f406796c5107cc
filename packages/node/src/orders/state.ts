/**
 * The coordinator's state of one order (compute protocol v2), as stored in `orders.state` (JSON). Everything the
 * decision function (`decide.ts`) needs is here or in the order itself, so a restarted node derives its next
 * actions from the database alone.
 */
import type { Hex } from 'viem';

/** One provider slot of an order. Times are the node's wall clock, ms since the epoch. */
export type Slot = {
  /** Lower-case provider address. */
  provider: string;
  /** When the assignment was first announced. */
  assignedAtMs: number;
  /** Announcements sent (re-announced while no `received` reply arrives). */
  announcements: number;
  /** When the last announcement was sent. */
  lastAnnouncedAtMs: number;
  /** Whether the provider confirmed receipt. */
  received: boolean;
  /** Its commitment (`resultCommitment`), once it committed. */
  commitment?: Hex | undefined;
  /** Its revealed result hash, salt-checked against the commitment. */
  resultHash?: Hex | undefined;
  /** Its EIP-712 ResultAttestation signature (checked when received). */
  signature?: Hex | undefined;
  /** CID of its result bytes in the node's store. */
  resultCid?: string | undefined;
  /** Why it reported that it cannot run the job (the referee decides), if it did. */
  failure?: { reason: string; code?: string | undefined } | undefined;
  /**
   * `tolerance` orders: its EIP-712 ResultAttestation of the representative result (checked when received). The
   * representative's own slot gets its reveal signature here.
   */
  agreement?: { resultHash: Hex; signature: Hex } | undefined;
  /** `tolerance` orders: why it refused to attest the representative (the order goes to the referee). */
  contested?: string | undefined;
  /** `tolerance` orders: the referee's verdict on its own revealed result (within tolerance of the referee's). */
  refereeAccepted?: boolean | undefined;
};

/**
 * The slot's signature of `ResultAttestation(orderHash, resultHash)`, if it gave one: its reveal signature when
 * `resultHash` is its own result, its agreement signature when it is the representative it attested.
 */
export function attestationOf(slot: Slot, resultHash: Hex | undefined): Hex | undefined {
  if (!resultHash) return undefined;
  if (slot.agreement?.resultHash === resultHash) return slot.agreement.signature;
  return slot.resultHash === resultHash ? slot.signature : undefined;
}

/** Phases of an order; the terminal ones are `settled`, `failed`, `expired` and `unpaid`. */
export type OrderPhase =
  | 'running'
  | 'agreed'
  | 'disputed'
  | 'ready'
  | 'settling'
  | 'settled'
  | 'failed'
  | 'expired'
  | 'unpaid';

export const TERMINAL_PHASES: readonly OrderPhase[] = ['settled', 'failed', 'expired', 'unpaid'];

/** The stored state. */
export type OrderState = {
  phase: OrderPhase;
  /** Current slots (at most r). Replaced providers leave; their address goes to `excluded`. */
  slots: Slot[];
  /** Providers never to pick again for this order (replaced, or failed). */
  excluded: string[];
  /** Whether the reveal request was sent (all r commitments were in). */
  revealRequested: boolean;
  /** When the reveal request was sent, ms since the epoch (a slot that never reveals is replaced after a timeout). */
  revealRequestedAtMs?: number | undefined;
  /**
   * Whether some answer was revealed while a slot was still open (a slot was replaced after reveals began): a
   * replacement could have copied it, so the order is always audited.
   */
  leaked: boolean;
  /** The audit decision: drawn once when the order agrees. */
  audit: 'undecided' | 'skip' | 'pending' | 'passed' | 'failed';
  /** The referee's result hash, after an audit or dispute. */
  refereeHash?: Hex | undefined;
  /** The agreed result hash. */
  resultHash?: Hex | undefined;
  /** Settlement transaction (batch or dispute), once sent. */
  settleTx?: Hex | undefined;
  /** A failure report the referee is deciding on (or decided: `failed`). */
  failureCheck?: 'pending' | 'reproduced' | 'rejected' | undefined;
  /**
   * `tolerance` orders, once all r revealed: whether the results are pairwise within tolerance and, if so, the
   * provider whose result is the representative (`pickRepresentative`).
   */
  comparison?: { agree: true; representative: string } | { agree: false; reason: string } | undefined;
  /** `tolerance` orders: when the providers were asked to attest the representative, ms since the epoch. */
  attestRequestedAtMs?: number | undefined;
  /**
   * Set at acceptance for an evaluation order (`@souk/protocol`'s `evaluation.ts`): the SHA-256 (hex) of the dataset
   * inside its container; the coordinator records the agreed metrics against the model (`model_evaluations`).
   */
  evaluation?: { datasetSha256: string } | undefined;
};

/** A new order's state. */
export function initialState(): OrderState {
  return { phase: 'running', slots: [], excluded: [], revealRequested: false, leaked: false, audit: 'undecided' };
}
