/**
 * Message ids of the compute messages, unique per chain, deployment and on-chain assignment.
 *
 * JetStream drops a message whose `Nats-Msg-Id` it stored inside the duplicate window (2 minutes by default). An id
 * made of job id and provider alone (`assign:1:0xabc…`) repeats whenever job ids start again — a fresh devnet, a
 * chain rollback, a second deployment on the same stream — and the repeated assignment is silently dropped: the
 * provider never hears of its job. So every id carries a scope (chain id and ComputeMarket address) and the
 * assignment it is about (the hash of the block that mined it: a fresh devnet replays the same transactions with
 * the same hashes, but never in a block with the same hash).
 */
import type { Address, Hex } from 'viem';

/** Where a message belongs: one ComputeMarket deployment on one chain. */
export type MessageScope = {
  /** EIP-155 chain id. */
  chainId: number;
  /** The ComputeMarket address. */
  computeMarket: Address;
};

/** The on-chain assignment a message is about. */
export type AssignmentRef = {
  /** Job id. */
  jobId: bigint;
  /** The assigned provider's address. */
  provider: Address;
  /** Hash of the block holding the `ProviderAssigned` event of this assignment. */
  blockHash: Hex;
};

/**
 * The scope prefix every compute message id of a deployment starts with: `<chainId>:<computeMarket>`.
 * @param scope - Chain id and ComputeMarket address.
 * @returns E.g. `31337:0x5fbdb2315678afecb367f032d93f642f64180aa3`.
 */
export function messageScope({ chainId, computeMarket }: MessageScope): string {
  return `${chainId}:${computeMarket.toLowerCase()}`;
}

/**
 * The id of the `n`-th announcement of an assignment (the coordinator re-announces until the provider confirms
 * receipt): `assign:<chainId>:<market>:<jobId>:<provider>:<blockHash>:<n>`.
 * @param scope - Chain id and ComputeMarket address.
 * @param assignment - Job, provider and the block hash of its `ProviderAssigned` event.
 * @param announcement - 1 for the first announcement, 2… for re-announcements.
 * @returns The `Nats-Msg-Id`.
 * @example
 * ```ts
 * const id = assignmentMessageId({ chainId: 31337, computeMarket }, { jobId: 1n, provider, blockHash }, 1)
 * await bus.publish(bus.subjects.assigned(provider.toLowerCase()), message, { id })
 * ```
 */
export function assignmentMessageId(scope: MessageScope, assignment: AssignmentRef, announcement: number): string {
  return `assign:${assignmentKey(scope, assignment)}:${announcement}`;
}

/**
 * The id of the "every commitment is in, reveal now" nudge for one assignment:
 * `reveal:<chainId>:<market>:<jobId>:<provider>:<blockHash>`.
 * @param scope - Chain id and ComputeMarket address.
 * @param assignment - Job, provider and the block hash of its `ProviderAssigned` event.
 * @returns The `Nats-Msg-Id`.
 */
export function revealMessageId(scope: MessageScope, assignment: AssignmentRef): string {
  return `reveal:${assignmentKey(scope, assignment)}`;
}

function assignmentKey(scope: MessageScope, { jobId, provider, blockHash }: AssignmentRef): string {
  return `${messageScope(scope)}:${jobId}:${provider.toLowerCase()}:${blockHash.toLowerCase()}`;
}
