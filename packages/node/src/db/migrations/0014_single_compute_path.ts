/**
 * One compute path (compute protocol v2): the per-job ComputeMarket flow is gone, so are its tables — the indexed
 * jobs, assignments, job events and payouts, and the node's per-job inputs, results, audits and failures. Its
 * events leave `chain_events` too (a ComputeMarket deployment is no longer indexed). Orders keep their own tables
 * (`orders`, `order_payloads`, `order_settlements`, `escrow_movements`, `model_evaluations`); `job_access_nonces`
 * stays: the order gateway's job accesses use it. The providers' result counters are recounted from the settlements.
 */
import { type Kysely, sql } from 'kysely';

const DROPPED = [
  'job_assignments',
  'job_events',
  'payouts',
  'job_failures',
  'job_audits',
  'job_results',
  'job_inputs',
  'jobs',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of DROPPED) await sql.raw(`drop table if exists ${table} cascade`).execute(db);
  await sql.raw(`delete from chain_events where contract = 'computeMarket'`).execute(db);
  // The providers' result counters came from the per-job market's ReputationUpdated events: count them again from the
  // ComputeEscrow settlements, as the indexer now does (indexer/apply.ts countResults / recountResults).
  await sql
    .raw(
      `update providers set
        completed = (select count(*) from order_settlements s where s.kind = 'batch' and jsonb_exists(s.paid, providers.address)),
        failed = (select count(*) from order_settlements s where s.kind = 'dispute' and jsonb_exists(s.slashed, providers.address))`,
    )
    .execute(db);
}

/** Not reversible: the per-job tables held data of a protocol this version no longer runs. */
export async function down(): Promise<void> {
  throw new Error('0014_single_compute_path cannot be reverted: the per-job compute tables are gone.');
}
