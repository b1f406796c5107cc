/**
 * Failed jobs (`ComputeMarket.failJob`, status `Failed` = 7): a job whose input the model cannot take ends refunded
 * with nobody slashed, and its reason is kept here. `jobs.status` gains `failed`; `job_failures` holds the reason
 * (off-chain text whose keccak256 is the on-chain `reasonHash`), who reported it and whether the node's referee
 * reproduced it.
 */
import { type Kysely, sql } from 'kysely';

const STATUSES_BEFORE = ['none', 'open', 'assigned', 'revealing', 'disputed', 'finalized', 'refunded'];
const quoted = (list: string[]) => list.map((s) => `'${s}'`).join(', ');

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table jobs drop constraint if exists jobs_status_check').execute(db);
  await sql
    .raw(
      `alter table jobs add constraint jobs_status_check check (status in (${quoted([...STATUSES_BEFORE, 'failed'])}))`,
    )
    .execute(db);
  await sql
    .raw(
      `create table job_failures (
        job_id numeric(78,0) primary key,
        reason text,
        reason_hash text not null,
        code text,
        reported_by text,
        reported_reason text,
        reproduced_by_referee boolean not null default false,
        fail_tx text,
        created_at timestamptz not null default now()
      )`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table job_failures').execute(db);
  await sql.raw('alter table jobs drop constraint if exists jobs_status_check').execute(db);
  await sql
    .raw(`alter table jobs add constraint jobs_status_check check (status in (${quoted(STATUSES_BEFORE)}))`)
    .execute(db);
}
