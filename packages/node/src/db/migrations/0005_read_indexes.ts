/**
 * Read indexes: every list route's filter and sort order has a B-tree index whose key order is the route's
 * `ORDER BY` (after the equality columns of its filter), so a page is an index range scan that stops after
 * `limit + 1` rows and the keyset cursor (`(sort key, id) < (…)`) is an index condition — no sort of the whole
 * table, no sequential scan. The plans are asserted by `db/explain.test.ts` on PostgreSQL with 10k rows per table.
 *
 * Superseded one-column indexes (`assets (creator)`, `jobs (status)`, …) are replaced by their composite
 * versions, whose leading column serves the same lookups.
 *
 * Independent of 0006 and 0007 (it only adds and replaces indexes), so it may run after them on data dirs that
 * were migrated before it existed (the migrator allows unordered migrations).
 */
import { type Kysely, sql } from 'kysely';

/** [name, definition, index it replaces (dropped on up, recreated on down)] */
const indexes: [string, string, [string, string]?][] = [
  // assets: newest / oldest (assets_created_block_idx, assets_kind_idx exist), creator and owner pages
  [
    'assets_creator_recent_idx',
    'assets (creator, created_block desc, id desc)',
    ['assets_creator_idx', 'assets (creator)'],
  ],
  ['assets_owner_recent_idx', 'assets (owner, created_block desc, id desc)', ['assets_owner_idx', 'assets (owner)']],
  // assets: price_asc uses assets_price_idx (price_wei, id) (nulls last); price_desc puts nulls last too
  ['assets_price_desc_idx', 'assets (price_wei desc nulls last, id desc)'],
  ['assets_kind_price_idx', 'assets (kind, price_wei, id)'],
  ['assets_kind_price_desc_idx', 'assets (kind, price_wei desc nulls last, id desc)'],
  // marketplace/list: active listings newest first, optionally of one seller
  ['listings_recent_idx', 'listings (active, listed_block desc, token_id desc)'],
  [
    'listings_seller_recent_idx',
    'listings (seller, active, listed_block desc, token_id desc)',
    ['listings_seller_idx', 'listings (seller)'],
  ],
  // jobs: newest first (the primary key), by model, requester, status, or provider (through job_assignments)
  ['jobs_model_recent_idx', 'jobs (model_id, id desc)', ['jobs_model_idx', 'jobs (model_id)']],
  ['jobs_requester_recent_idx', 'jobs (requester, id desc)', ['jobs_requester_idx', 'jobs (requester)']],
  ['jobs_status_recent_idx', 'jobs (status, id desc)', ['jobs_status_idx', 'jobs (status)']],
  [
    'job_assignments_provider_recent_idx',
    'job_assignments (provider, job_id desc)',
    ['job_assignments_provider_idx', 'job_assignments (provider)'],
  ],
  // providers: the list in registration order, the analytics leaderboard, and the earnings of one page
  ['providers_registered_idx', 'providers (registered_block, address)'],
  ['providers_leaderboard_idx', 'providers (completed desc, stake desc, address)'],
  ['payouts_role_account_idx', 'payouts (role, account)'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, definition, replaces] of indexes) {
    await sql.raw(`create index ${name} on ${definition}`).execute(db);
    if (replaces) await sql.raw(`drop index if exists ${replaces[0]}`).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name, , replaces] of [...indexes].reverse()) {
    if (replaces) await sql.raw(`create index ${replaces[0]} on ${replaces[1]}`).execute(db);
    await sql.raw(`drop index ${name}`).execute(db);
  }
}
