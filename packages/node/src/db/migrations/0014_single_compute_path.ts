/**
 * One compute path (compute protocol v2): the per-job ComputeMarket flow is gone, so are its tables — the indexed
 * jobs, assignments, job events and payouts, and the node's per-job inputs, results, audits and failures. Its
 * events leave `chain_events` too (a ComputeMarket deployment is no longer indexed). Orders keep their own tables
 * (`orders`, `order_payloads`, `order_settlements`, `escrow_movements`, `model_evaluations`); `job_access_nonces`
 * stays: the order gateway's job accesses use it.
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
}

/** Not reversible: the per-job tables held data of a protocol this version no longer runs. */
export async function down(): Promise<void> {
  throw new Error('0014_single_compute_path cannot be reverted: the per-job compute tables are gone.');
}
