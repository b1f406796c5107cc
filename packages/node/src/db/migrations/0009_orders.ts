/**
 * Compute protocol v2 (`orders/`): signed job orders the node has accepted, each with the coordinator's state of it
 * (slots, commitments, attestations, audit, batch). Every acknowledged order is a row before `POST /orders` answers,
 * and every state change is written before the node acts on it, so a restarted node resumes each order where it was
 * and the settler never sends one twice (the contract's nonce makes a second charge impossible anyway).
 */
import { type Kysely, sql } from 'kysely';

/** Phases of an order (`orders/decide.ts`). */
export const ORDER_PHASES = [
  'running',
  'agreed',
  'disputed',
  'ready',
  'settling',
  'settled',
  'failed',
  'expired',
  'unpaid',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table orders (
        order_hash text primary key,
        requester text not null,
        model_id numeric(78,0) not null,
        model_version integer not null,
        input_hash text not null,
        input_cid text not null,
        input_size integer not null,
        currency text not null,
        max_price numeric(78,0) not null,
        amount numeric(78,0) not null,
        redundancy smallint not null,
        deadline bigint not null,
        nonce numeric(78,0) not null,
        requester_signature text not null,
        phase text not null check (phase in (${ORDER_PHASES.map((p) => `'${p}'`).join(', ')})),
        state jsonb not null,
        result_hash text,
        result_cid text,
        settle_tx text,
        reason text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (requester, nonce)
      )`,
    )
    .execute(db);
  await sql
    .raw(
      `create index orders_open on orders (created_at) where phase not in ('settled', 'failed', 'expired', 'unpaid')`,
    )
    .execute(db);
  await sql.raw('create index orders_requester on orders (requester, created_at desc)').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table orders').execute(db);
}
