/**
 * Federated runs (docs/training.md): `round_runs`, one row per run a requester declared (recipe, shards, rounds), and
 * `round_entries`, one row per round the node verified and aggregated itself (its update orders, the FedAvg
 * aggregate — kept, so the next round's inputs can be checked to start from it — and the round's loss and accuracy).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table round_runs (
        id text primary key,
        requester text not null,
        recipe_id numeric(78, 0) not null,
        shards integer not null,
        rounds integer not null,
        shard_hashes text,
        created_at bigint not null
      )`,
    )
    .execute(db);
  await sql.raw('create index round_runs_by_requester on round_runs (requester, created_at desc)').execute(db);
  await sql
    .raw(
      `create table round_entries (
        run_id text not null references round_runs (id) on delete cascade,
        round integer not null,
        orders text not null,
        aggregate bytea not null,
        aggregate_hash text not null,
        loss double precision not null,
        accuracy double precision not null,
        samples integer not null,
        created_at bigint not null,
        primary key (run_id, round)
      )`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table round_entries').execute(db);
  await sql.raw('drop table round_runs').execute(db);
}
