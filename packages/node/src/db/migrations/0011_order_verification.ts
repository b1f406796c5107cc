/**
 * Compute protocol v2: the verification class of an accepted order (`JobOrder.verification`: 0 exact, 1 tolerance),
 * kept so the stored order re-hashes to its order hash and the coordinator knows how its results must agree.
 * Orders stored before this migration were all exact.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      'alter table orders add column verification smallint not null default 0 check (verification between 0 and 255)',
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table orders drop column verification').execute(db);
}
