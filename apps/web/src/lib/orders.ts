/**
 * Compute protocol v2 in the browser, the pure part: the EIP-712 job order the requester's wallet signs (types and
 * domain from `@souk/protocol`), the escrow top-up an order needs, the order's phases as people read them, and the
 * node's refusals of an order (402, 422…) as sentences that say what to do.
 */
import { type JobOrder, type JobOrderJson, jobOrderToJson, Verification } from '@souk/protocol';
import { type Order, SoukApiError } from '@souk/sdk';
import { type Address, type Hex, sha256 } from 'viem';
import type { ReadableError } from './errors.ts';

/** The escrow of one account in one currency, as `GET /api/v1/orders/escrow` returns it (wei, decimal strings). */
export type Escrow = {
  currency: Address;
  /** Deposited and not yet charged or withdrawn. */
  balance: string;
  /** Requested for withdrawal (still in the balance until withdrawn). */
  pendingWithdrawal: string;
  /** What the account's open orders on this node may still be charged. */
  reserved: string;
  /** `balance − pendingWithdrawal − reserved` (never below 0): what a new order may spend. */
  available: string;
  /** The next unused order nonce. */
  nextNonce: string;
};

/** Order phases after which nothing changes any more (the node's `TERMINAL_PHASES`). */
export const TERMINAL_ORDER_PHASES: readonly Order['phase'][] = ['settled', 'failed', 'expired', 'unpaid'];

/** Phases in which the result is known (agreed by the providers, maybe not yet paid). */
export const RESULT_PHASES: readonly Order['phase'][] = ['agreed', 'ready', 'settling', 'settled'];

/** What each phase means to the requester. */
export const ORDER_PHASE_TEXT: Record<Order['phase'], string> = {
  running: 'providers are running it (commit, then reveal)',
  agreed: 'the providers agree; waiting for the audit draw',
  disputed: 'the providers disagree; the referee re-executes it',
  ready: 'verified; waiting for the next settlement batch',
  settling: 'in a settlement batch on-chain',
  settled: 'paid on-chain',
  failed: 'failed: nobody was charged',
  expired: 'expired before settlement: it can no longer be charged',
  unpaid: 'not paid: the escrow could not cover it at settlement',
};

/** Parameters of {@link buildJobOrder}. */
export type BuildJobOrderParameters = {
  requester: Address;
  /** The model's asset id. */
  modelId: bigint;
  /** The model's current version index (the node refuses an older one, 422). */
  modelVersion: number;
  /** The input bytes (their SHA-256 is signed). */
  input: Uint8Array;
  /** Wei of `currency`; the zero address is native ETH. */
  currency: Address;
  /** The most the order may be charged, wei. */
  maxPrice: bigint;
  /** Providers that must agree, 1…5. */
  redundancy: number;
  /** Chain time now, Unix seconds (the latest block's timestamp: the node checks the deadline against it). */
  now: bigint;
  /** Seconds from `now` to the deadline (the node wants at least 30 and at most the withdrawal delay). */
  deadlineSeconds: number;
  /** An unused nonce (`GET /orders/escrow`'s `nextNonce`). */
  nonce: bigint;
  /** The verification class (uint8), which must be the model's. @default Verification.Exact */
  verification?: number | undefined;
};

/**
 * The job order to sign, with its JSON form for `POST /api/v1/orders`.
 * @returns `order` (viem's `signTypedData` message for `jobOrderTypedData`) and `json`.
 * @example
 * ```ts
 * import { jobOrderTypedData } from '@souk/protocol'
 * const { order, json } = buildJobOrder({ requester, modelId: 1n, modelVersion: 0, input, currency: zeroAddress,
 *   maxPrice: parseEther('0.01'), redundancy: 2, now, deadlineSeconds: 300, nonce: 0n })
 * const signature = await account.signTypedData(jobOrderTypedData(chainId, computeEscrow, order))
 * ```
 */
export function buildJobOrder(p: BuildJobOrderParameters): { order: JobOrder; json: JobOrderJson } {
  const order: JobOrder = {
    requester: p.requester,
    modelId: p.modelId,
    modelVersion: p.modelVersion,
    inputHash: sha256(p.input),
    currency: p.currency,
    maxPrice: p.maxPrice,
    redundancy: p.redundancy,
    verification: p.verification ?? Verification.Exact,
    deadline: p.now + BigInt(p.deadlineSeconds),
    nonce: p.nonce,
  };
  return { order, json: jobOrderToJson(order) };
}

/** The latest version index of an asset (0 = as minted), from `GET /assets/:id`'s `versions`. */
export function latestVersion(versions: ReadonlyArray<{ version: number }> | undefined): number {
  return (versions ?? []).reduce((latest, v) => Math.max(latest, v.version), 0);
}

/**
 * How much to deposit before an order of `maxPrice` can be accepted: the shortfall of the available balance, or 0.
 * @param escrow The account's escrow (available = balance − pending withdrawal − reserved by open orders).
 * @param maxPrice Wei.
 */
export function escrowShortfall(escrow: Pick<Escrow, 'available'>, maxPrice: bigint): bigint {
  const available = BigInt(escrow.available);
  return available >= maxPrice ? 0n : maxPrice - available;
}

/**
 * What to deposit before an order of `maxPrice`: nothing when the available balance covers it; else enough for
 * `orders` such orders (1: exactly this one, a one-off prepayment; 10, as the node's devnet path does: the next runs
 * need no transaction).
 * @param orders - How many orders of `maxPrice` the balance should cover afterwards (≥ 1).
 */
export function escrowTopUp(escrow: Pick<Escrow, 'available'>, maxPrice: bigint, orders: number): bigint {
  if (escrowShortfall(escrow, maxPrice) === 0n) return 0n;
  return maxPrice * BigInt(Math.max(1, Math.floor(orders))) - BigInt(escrow.available);
}

/**
 * Base64 (RFC 4648 §4, padded) of bytes, as `POST /orders` wants the input. Chunked, so a 1 MiB input does not
 * overflow the argument list of `String.fromCharCode`.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Seconds left until a withdrawal unlocks (0 when it may be completed), from chain time `now`. */
export function withdrawalWait(unlockAt: bigint, now: bigint): number {
  return unlockAt > now ? Number(unlockAt - now) : 0;
}

/**
 * The node's refusal of an order as a sentence that says what to do; undefined for other errors (the generic
 * {@link readableError} handles them).
 */
export function orderRefusal(error: unknown): ReadableError | undefined {
  if (!(error instanceof SoukApiError)) return undefined;
  const { problem } = error;
  const base = { fields: problem.errors, requestId: problem.requestId };
  switch (error.status) {
    case 402:
      return {
        ...base,
        title: 'Escrow balance too low (402)',
        detail: `${problem.detail} Deposit more in the escrow panel, or lower the most you pay; no provider has heard of the order.`,
      };
    case 422:
      return { ...base, title: 'Order refused (422)', detail: `${problem.detail} Nothing was charged.` };
    case 409:
      return {
        ...base,
        title: 'Nonce already used (409)',
        detail: `${problem.detail} Run again: a fresh nonce is read for each order.`,
      };
    case 401:
      return { ...base, title: 'Signature refused (401)', detail: problem.detail };
    default:
      return undefined;
  }
}

/** The order hash as a route segment check: `0x` + 64 hex digits. */
export function isOrderHash(value: string): value is Hex {
  return /^0x[0-9a-fA-F]{64}$/.test(value);
}
