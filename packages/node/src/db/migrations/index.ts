/**
 * The migrations, in order. Listed statically (not read from the directory) so that they work the same from source,
 * from a bundle and under any loader.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001_initial.ts';
import * as gateway from './0002_gateway.ts';
import * as compute from './0003_compute.ts';
import * as contentBinding from './0004_content_binding.ts';
import * as readIndexes from './0005_read_indexes.ts';
import * as jobFailures from './0006_job_failures.ts';
import * as tokenFamilies from './0007_token_families.ts';
import * as lockedStake from './0008_locked_stake.ts';
import * as orders from './0009_orders.ts';
import * as escrowEvents from './0010_escrow_events.ts';
import * as orderVerification from './0011_order_verification.ts';
import * as orderPayloads from './0012_order_payloads.ts';
import * as modelEvaluations from './0013_model_evaluations.ts';
import * as singleComputePath from './0014_single_compute_path.ts';
import * as lineageRoyalties from './0015_lineage_royalties.ts';
import * as evaluationsOnChain from './0016_evaluations_on_chain.ts';
import * as roundRuns from './0017_round_runs.ts';
import * as lineagesOnChain from './0018_lineages_on_chain.ts';

/** Every migration by name; names sort in application order. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_gateway': gateway,
  '0003_compute': compute,
  '0004_content_binding': contentBinding,
  '0005_read_indexes': readIndexes,
  '0006_job_failures': jobFailures,
  '0007_token_families': tokenFamilies,
  '0008_locked_stake': lockedStake,
  '0009_orders': orders,
  '0010_escrow_events': escrowEvents,
  '0011_order_verification': orderVerification,
  '0012_order_payloads': orderPayloads,
  '0013_model_evaluations': modelEvaluations,
  '0014_single_compute_path': singleComputePath,
  '0015_lineage_royalties': lineageRoyalties,
  '0016_evaluations_on_chain': evaluationsOnChain,
  '0017_round_runs': roundRuns,
  '0018_lineages_on_chain': lineagesOnChain,
};

/** A Kysely `MigrationProvider` over {@link migrations}. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
