/**
 * Lineage on-chain (docs/training.md): `manifests.training_order`, the training order a trained model's manifest
 * names in its lineage (null for any other manifest), and `model_lineages`, one row per model version whose content
 * bound to a manifest with a lineage — written with the binding, in the same transaction — until the operator's
 * `Lineages.record` transaction for it is mined (`chain_tx`). The leader sends what is pending, so a lineage the
 * node bound survives a crash and is recorded once the node is back.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table manifests add column training_order text').execute(db);
  await sql
    .raw(
      `create table model_lineages (
        asset_id numeric(78, 0) not null,
        version integer not null,
        manifest_cid text not null,
        chain_tx text,
        attempts integer not null default 0,
        last_error text,
        created_at bigint not null,
        primary key (asset_id, version)
      )`,
    )
    .execute(db);
  await sql
    .raw('create index model_lineages_pending on model_lineages (created_at) where chain_tx is null')
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table model_lineages').execute(db);
  await sql.raw('alter table manifests drop column training_order').execute(db);
}
