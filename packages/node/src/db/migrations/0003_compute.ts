/**
 * Compute bookkeeping: job inputs (which upload holds the bytes of an on-chain input hash), provider results
 * (stored before their hash is committed, served once the job settles), the referee's records, and used job-access
 * nonces (replay protection for the job gateway).
 */
import { type Kysely, sql } from 'kysely';

const upStatements: string[] = [
  `create table job_inputs (
    input_hash text primary key,
    upload_id text not null references uploads (id),
    created_at timestamptz not null default now()
  )`,
  `create table job_results (
    job_id numeric(78,0) not null,
    provider text not null,
    result_hash text not null,
    result_cid text not null,
    size integer not null,
    runtime_record jsonb,
    created_at timestamptz not null default now(),
    primary key (job_id, provider)
  )`,
  `create table job_audits (
    job_id numeric(78,0) primary key,
    reason text not null check (reason in ('dispute', 'audit')),
    result_hash text not null,
    result_cid text not null,
    matched boolean not null,
    settle_tx text,
    created_at timestamptz not null default now()
  )`,
  `create table job_access_nonces (
    nonce text primary key,
    provider text not null,
    job_id numeric(78,0) not null,
    expires_at timestamptz not null,
    used_at timestamptz not null default now()
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['job_access_nonces', 'job_audits', 'job_results', 'job_inputs']) {
    await sql.raw(`drop table ${table}`).execute(db);
  }
}
