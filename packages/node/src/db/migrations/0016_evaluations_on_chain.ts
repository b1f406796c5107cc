/**
 * Evaluations on-chain (docs/training.md): the `Evaluations.record` transaction that put an agreed evaluation on-chain
 * with its providers' attestations, once mined (null before, or on a node without an operator key).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table model_evaluations add column chain_tx text').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table model_evaluations drop column chain_tx').execute(db);
}
