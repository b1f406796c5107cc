/**
 * Per-assignment stake locks (`ProviderRegistry.lockStake`/`unlockStake`): `providers.locked_stake` holds the SOUK
 * wei of a provider's stake locked by its open assignments (`StakeLocked`/`StakeUnlocked` carry the new total; a
 * `Slashed` releases what backed the fault). Free stake = `stake − locked_stake`; an assignment needs at least the
 * job's slash amount of it.
 *
 * `StakeLocked`/`StakeUnlocked` rows stored before this migration had no entity: they get their provider's, and
 * those providers are re-derived from their events so the column is right from the start.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table providers add column locked_stake numeric(78,0) not null default 0').execute(db);
  const touched = await sql<{ entity: string }>`
    update chain_events set entity = 'provider:' || lower(args->>'provider')
    where contract = 'providerRegistry' and event in ('StakeLocked', 'StakeUnlocked') and entity is null
    returning entity`.execute(db);
  const entities = new Set(touched.rows.map((row) => row.entity));
  if (entities.size === 0) return;
  // Loaded here, not at the top: the indexer's fold imports modules that import the migrations.
  const { rebuildEntities } = await import('../../indexer/apply.ts');
  await rebuildEntities(db as never, entities);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `update chain_events set entity = null
       where contract = 'providerRegistry' and event in ('StakeLocked', 'StakeUnlocked')`,
    )
    .execute(db);
  await sql.raw('alter table providers drop column locked_stake').execute(db);
}
