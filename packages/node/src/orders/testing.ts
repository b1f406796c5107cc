/**
 * Test fixtures of compute protocol v2 shared by the order suites (`orders.test.ts`, `tolerance.test.ts`,
 * `batch.test.ts`): provider agents started against a test node, reads of the ComputeEscrow, the escrow's money
 * invariant, and waiting for an order's settlement. Test code only.
 */
import assert from 'node:assert/strict';
import { computeEscrowAbi } from '@souk/contracts';
import { createProviderAgent, type ProviderAgent } from '@souk/provider';
import { getOrder, type Order, type SoukClient } from '@souk/sdk';
import { type Address, type LocalAccount, zeroAddress } from 'viem';
import type { RunningNode } from '../server.ts';

/** Options of one provider agent beyond its account (`createProviderAgent`'s, e.g. `faults`, `graphOptimizationLevel`). */
type AgentOptions = Omit<
  Parameters<typeof createProviderAgent>[0],
  'account' | 'rpcUrl' | 'chainId' | 'contracts' | 'bus' | 'dataDir'
>;

/**
 * Starts one provider agent per account on the node's chain and job bus, and waits until the node's provider pool
 * hears each of them (the scheduler picks among live heartbeats).
 * @param node - A running test node.
 * @param accounts - The providers' accounts (registered and staked by the devnet deployment).
 * @param options - Per-agent options by index (heartbeat interval defaults to 500 ms).
 * @returns The started agents (stop them in `after`).
 */
export async function startProviderAgents(
  node: RunningNode,
  accounts: readonly LocalAccount[],
  options: (index: number, account: LocalAccount) => AgentOptions = () => ({}),
): Promise<ProviderAgent[]> {
  const { chain, bus } = node.services;
  const agents = accounts.map((account, i) =>
    createProviderAgent({
      account,
      rpcUrl: chain.rpcUrl,
      chainId: chain.deployment.chainId,
      contracts: chain.deployment.contracts,
      bus: bus as NonNullable<typeof bus>,
      heartbeatIntervalMs: 500,
      log: process.env.SOUK_TEST_LOG ? console.log : undefined,
      ...options(i, account),
    }),
  );
  for (const agent of agents) await agent.start();
  for (let i = 0; i < 100 && (node.services.orders?.pool.live().size ?? 0) < accounts.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return agents;
}

/**
 * Reads of the node's ComputeEscrow in the native currency, and its money invariant.
 * @param node - A running test node (read lazily: call after `before` started it).
 */
export function escrowReader(node: () => RunningNode) {
  const chain = () => node().services.chain;
  const escrow = () => chain().deployment.contracts.computeEscrow as Address;
  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    chain().publicClient.readContract({
      address: escrow(),
      abi: computeEscrowAbi,
      functionName,
      args,
    } as never) as Promise<T>;
  return {
    /** The ComputeEscrow's address. */
    escrow,
    /** A view function of the ComputeEscrow. */
    read,
    /** Credits of an account (wei of native currency), withdrawable with `withdrawCredits`. */
    credits: (account: Address) => read<bigint>('creditsOf', [zeroAddress, account]),
    /** Escrow balance of a requester (wei of native currency). */
    balance: (account: Address) => read<bigint>('balanceOf', [zeroAddress, account]),
    /** The treasury address credited its share. */
    treasury: () => read<Address>('treasury'),
    /** The money invariant: the escrow's native balance equals the deposits plus the credits it owes. */
    async assertMoneyInvariant(): Promise<void> {
      const held = await chain().publicClient.getBalance({ address: escrow() });
      const [deposits, owed] = await Promise.all([
        read<bigint>('totalDeposits', [zeroAddress]),
        read<bigint>('totalCredits', [zeroAddress]),
      ]);
      assert.equal(held, deposits + owed, 'ComputeEscrow balance = deposits + credits');
    },
  };
}

/**
 * Waits until an order reaches a terminal phase (settled, unpaid, expired or failed), long-polling the node.
 * @param client - A client signed in as the order's requester.
 * @param orderHash - The order.
 * @returns The order in its terminal phase.
 * @throws {Error} When it is still open after 20 polls of 5 s.
 */
export async function waitSettled(client: SoukClient, orderHash: string): Promise<Order> {
  for (let i = 0; i < 20; i++) {
    const order = await getOrder(client, { orderHash, waitMs: 5_000 });
    if (['settled', 'unpaid', 'expired', 'failed'].includes(order.phase)) return order;
  }
  throw new Error(`order ${orderHash} not settled`);
}
