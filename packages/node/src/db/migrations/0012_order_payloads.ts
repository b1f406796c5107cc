/**
 * Compute protocol v2 in scale-out: an order's input and agreed result bytes in the shared database. Every node of
 * one market shares PostgreSQL but keeps its own blockstore and master key, so an input a standby stored in its own
 * storage could not be read by the leader that runs the order, nor a result the leader stored by a standby that
 * answers `GET /orders/:hash`. Inputs up to `MAX_SHARED_INPUT_BYTES` (`orders/store.ts`) and every agreed result
 * (at most `MAX_INLINE_RESULT_BYTES`: it travelled in a bus message) are kept here, one row per order.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table order_payloads (
        order_hash text primary key references orders (order_hash) on delete cascade,
        input bytea,
        result bytea
      )`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table order_payloads').execute(db);
}
