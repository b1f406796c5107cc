/**
 * Lineage royalties (docs/training.md): a manifest this node wrote for a derived model records the royalty split its
 * lineage declares (`lineage.royalties`, JSON: `[{ account, bps, assetId, role }]`), so that its content binds only
 * to an asset minted through `LineageRoyalties.mintDerived` with exactly that split — a plain mint of the same
 * manifest would leave the lineage unpaid, and never releases the content.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table manifests add column royalties text').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table manifests drop column royalties').execute(db);
}
