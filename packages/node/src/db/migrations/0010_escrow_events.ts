/**
 * Compute protocol v2 on-chain facts, indexed from `ComputeEscrow` events (event tables: one row per log, deleted
 * above the common ancestor on a reorg, like `payouts`):
 * - `order_settlements`: every settled order (`JobSettled` from a batch, `DisputeSettled` from the referee), so the
 *   analytics and order lists show what the chain paid — on every node, also for orders another node accepted;
 * - `escrow_movements`: deposits, withdrawal requests and withdrawals of requesters' escrow balances.
 */
import { type Kysely, sql } from 'kysely';

const amount = 'numeric(78,0)';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `create table order_settlements (
      tx_hash text not null,
      log_index integer not null,
      order_hash text not null,
      kind text not null check (kind in ('batch', 'dispute')),
      requester text,
      model_id ${amount},
      currency text,
      amount ${amount},
      result_hash text not null,
      paid jsonb not null,
      slashed jsonb not null,
      block_number bigint not null,
      timestamp timestamptz not null,
      primary key (tx_hash, log_index)
    )`,
    'create index order_settlements_order_idx on order_settlements (order_hash)',
    'create index order_settlements_time_idx on order_settlements (timestamp)',
    'create index order_settlements_block_idx on order_settlements (block_number)',
    `create table escrow_movements (
      tx_hash text not null,
      log_index integer not null,
      kind text not null check (kind in ('deposit', 'withdrawal_requested', 'withdrawal_cancelled', 'withdrawal')),
      currency text not null,
      account text not null,
      counterparty text,
      amount ${amount},
      unlock_at timestamptz,
      block_number bigint not null,
      timestamp timestamptz not null,
      primary key (tx_hash, log_index)
    )`,
    'create index escrow_movements_account_idx on escrow_movements (account, block_number desc, log_index desc)',
    'create index escrow_movements_block_idx on escrow_movements (block_number)',
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table escrow_movements').execute(db);
  await sql.raw('drop table order_settlements').execute(db);
}
