/**
 * Storage gateway bookkeeping: uploads (with each asset key wrapped under the node master key — never returned to
 * clients), the manifests the node wrote, and EIP-712 access-request nonces (replay protection).
 */
import { type Kysely, sql } from 'kysely';

const upStatements: string[] = [
  `create table uploads (
    id text primary key,
    uploader text not null,
    content_cid text not null,
    size bigint not null,
    sha256 text not null,
    wrapped_key text,
    encryption jsonb,
    created_at timestamptz not null default now()
  )`,
  'create index uploads_content_cid_idx on uploads (content_cid)',
  `create table manifests (
    cid text primary key,
    upload_id text not null references uploads (id),
    kind text not null,
    name text not null,
    description text,
    created_by text not null,
    created_at timestamptz not null default now()
  )`,
  `create table access_nonces (
    nonce text primary key,
    consumer text not null,
    asset_id numeric(78,0) not null,
    expires_at timestamptz not null,
    used_at timestamptz not null default now()
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['access_nonces', 'manifests', 'uploads']) await sql.raw(`drop table ${table}`).execute(db);
}
