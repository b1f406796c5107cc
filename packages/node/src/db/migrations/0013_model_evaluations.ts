/**
 * Verified evaluations of models (docs/training.md): one row per evaluation order whose r providers agreed, written
 * by the order coordinator at agreement and listed by `GET /assets/:id/evaluations` (newest first, by model).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table model_evaluations (
        order_hash text primary key references orders (order_hash) on delete cascade,
        model_id numeric(78, 0) not null,
        model_version integer not null,
        dataset_sha256 text not null,
        samples integer not null,
        classes integer not null,
        accuracy double precision not null,
        precision_macro double precision not null,
        recall_macro double precision not null,
        f1_macro double precision not null,
        confusion text not null,
        providers text not null,
        result_hash text not null,
        created_at bigint not null
      )`,
    )
    .execute(db);
  await sql
    .raw('create index model_evaluations_by_model on model_evaluations (model_id, created_at desc, order_hash)')
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table model_evaluations').execute(db);
}
