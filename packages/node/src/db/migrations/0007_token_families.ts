/**
 * Refresh-token families and canonical single-use nonces.
 *
 * - `refresh_tokens.family_id`: every refresh token issued by one sign-in, and every token rotated from it, shares
 *   the sign-in's family. Presenting a token that was already rotated revokes the whole family (OAuth 2.0 Security
 *   BCP, refresh token rotation). Tokens issued before this migration each become a family of their own.
 * - `access_nonces.nonce` and `job_access_nonces.nonce` may only hold the canonical spelling (`0x` + 64 lower-case
 *   hex digits): the single-use check compares strings, while a signature covers bytes. Rows stored before are
 *   lower-cased (duplicates that differed only in case are merged) before the check constraint is added.
 */
import { type Kysely, sql } from 'kysely';

const canonicalNonces = (table: string) => [
  // Keep one row per lower-cased nonce: the lower-case one if present, else the smallest spelling.
  `delete from ${table} a where a.nonce <> lower(a.nonce) and exists (
     select 1 from ${table} b
     where lower(b.nonce) = lower(a.nonce) and b.nonce <> a.nonce and (b.nonce = lower(b.nonce) or b.nonce < a.nonce)
   )`,
  `update ${table} set nonce = lower(nonce) where nonce <> lower(nonce)`,
  `alter table ${table} add constraint ${table}_nonce_canonical check (nonce ~ '^0x[0-9a-f]{64}$')`,
];

const upStatements: string[] = [
  'alter table refresh_tokens add column family_id text',
  'update refresh_tokens set family_id = id where family_id is null',
  'alter table refresh_tokens alter column family_id set not null',
  'create index refresh_tokens_family_idx on refresh_tokens (family_id)',
  ...canonicalNonces('access_nonces'),
  ...canonicalNonces('job_access_nonces'),
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['access_nonces', 'job_access_nonces']) {
    await sql.raw(`alter table ${table} drop constraint ${table}_nonce_canonical`).execute(db);
  }
  await sql.raw('drop index refresh_tokens_family_idx').execute(db);
  await sql.raw('alter table refresh_tokens drop column family_id').execute(db);
}
