/**
 * Initial schema: auth tables, chain-derived state tables, event tables, indexer bookkeeping. Plain SQL that runs
 * unchanged on PGlite and PostgreSQL ≥ 12 (generated columns). Tables are created unqualified, in the first schema
 * of the connection's `search_path`.
 */
import { type Kysely, sql } from 'kysely';

const amount = 'numeric(78,0)';

/** Statements of the up migration, run one by one (PGlite's extended protocol takes one statement per query). */
const upStatements: string[] = [
  // ── auth (SIWE, JWT refresh tokens, API keys) ──
  `create table users (
    address text primary key,
    username text unique,
    email text,
    created_at timestamptz not null default now()
  )`,
  `create table api_keys (
    id text primary key,
    address text not null,
    hash text not null unique,
    label text,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
  )`,
  'create index api_keys_address_idx on api_keys (address)',
  `create table auth_nonces (
    nonce text primary key,
    address text,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz
  )`,
  'create index auth_nonces_expires_at_idx on auth_nonces (expires_at)',
  `create table refresh_tokens (
    id text primary key,
    address text not null,
    hash text not null unique,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    revoked_at timestamptz
  )`,
  'create index refresh_tokens_address_idx on refresh_tokens (address)',

  // ── assets ──
  `create table assets (
    id ${amount} primary key,
    kind text not null check (kind in ('model', 'agent', 'dataset')),
    creator text not null,
    owner text not null,
    royalty_bps integer not null,
    manifest_uri text not null,
    version_count integer not null default 1,
    name text,
    description text,
    manifest_cid text,
    content_cid text,
    price_wei ${amount},
    currency text,
    licence_currency text,
    licence_price_wei ${amount},
    licence_duration numeric(20,0),
    licence_active boolean not null default false,
    created_block bigint not null,
    created_at timestamptz not null,
    updated_block bigint not null,
    search tsvector generated always as (
      to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(description, ''))
    ) stored
  )`,
  'create index assets_kind_idx on assets (kind, created_block desc, id desc)',
  'create index assets_creator_idx on assets (creator)',
  'create index assets_owner_idx on assets (owner)',
  'create index assets_price_idx on assets (price_wei, id)',
  'create index assets_created_block_idx on assets (created_block desc, id desc)',
  'create index assets_search_idx on assets using gin (search)',
  `create table asset_metadata (
    asset_id ${amount} primary key,
    name text,
    description text,
    manifest_cid text,
    content_cid text,
    updated_at timestamptz not null default now()
  )`,
  `create table asset_versions (
    asset_id ${amount} not null,
    version integer not null,
    uri text not null,
    block_number bigint not null,
    tx_hash text not null,
    created_at timestamptz not null,
    primary key (asset_id, version)
  )`,
  `create table transfers (
    tx_hash text not null,
    log_index integer not null,
    token_id ${amount} not null,
    from_address text not null,
    to_address text not null,
    block_number bigint not null,
    timestamp timestamptz not null,
    primary key (tx_hash, log_index)
  )`,
  'create index transfers_token_idx on transfers (token_id)',
  'create index transfers_block_idx on transfers (block_number)',

  // ── marketplace ──
  `create table listings (
    token_id ${amount} primary key,
    seller text not null,
    currency text not null,
    price ${amount} not null,
    active boolean not null,
    listed_block bigint not null,
    listed_at timestamptz not null,
    updated_block bigint not null
  )`,
  'create index listings_active_price_idx on listings (active, price)',
  'create index listings_seller_idx on listings (seller)',
  `create table sales (
    tx_hash text not null,
    log_index integer not null,
    token_id ${amount} not null,
    seller text not null,
    buyer text not null,
    currency text not null,
    price ${amount} not null,
    royalty_receiver text not null,
    royalty ${amount} not null,
    fee ${amount} not null,
    block_number bigint not null,
    timestamp timestamptz not null,
    primary key (tx_hash, log_index)
  )`,
  'create index sales_token_idx on sales (token_id)',
  'create index sales_timestamp_idx on sales (timestamp)',
  'create index sales_block_idx on sales (block_number)',

  // ── licences ──
  `create table licences (
    asset_id ${amount} not null,
    licensee text not null,
    expires_at timestamptz,
    currency text not null,
    price ${amount} not null,
    purchases integer not null,
    first_block bigint not null,
    updated_block bigint not null,
    primary key (asset_id, licensee)
  )`,
  'create index licences_licensee_idx on licences (licensee)',
  `create table licence_purchases (
    tx_hash text not null,
    log_index integer not null,
    asset_id ${amount} not null,
    buyer text not null,
    licensee text not null,
    currency text not null,
    price ${amount} not null,
    royalty ${amount} not null,
    fee ${amount} not null,
    expires_at timestamptz,
    block_number bigint not null,
    timestamp timestamptz not null,
    primary key (tx_hash, log_index)
  )`,
  'create index licence_purchases_asset_idx on licence_purchases (asset_id)',
  'create index licence_purchases_timestamp_idx on licence_purchases (timestamp)',
  'create index licence_purchases_block_idx on licence_purchases (block_number)',

  // ── providers and jobs ──
  `create table providers (
    address text primary key,
    stake ${amount} not null,
    unbonding ${amount} not null default 0,
    unbondable_at timestamptz,
    completed bigint not null default 0,
    failed bigint not null default 0,
    slashed integer not null default 0,
    slashed_amount ${amount} not null default 0,
    metadata_uri text not null,
    registered_block bigint not null,
    updated_block bigint not null
  )`,
  `create table jobs (
    id ${amount} primary key,
    requester text not null,
    model_id ${amount} not null,
    input_hash text not null,
    status text not null check (status in ('none', 'open', 'assigned', 'revealing', 'disputed', 'finalized', 'refunded')),
    currency text not null,
    reward ${amount} not null,
    redundancy integer not null,
    deadline timestamptz not null,
    committed_count integer not null default 0,
    revealed_count integer not null default 0,
    result_hash text,
    created_block bigint not null,
    created_at timestamptz not null,
    updated_block bigint not null
  )`,
  'create index jobs_requester_idx on jobs (requester)',
  'create index jobs_status_idx on jobs (status)',
  'create index jobs_model_idx on jobs (model_id)',
  `create table job_assignments (
    job_id ${amount} not null,
    provider text not null,
    assigned boolean not null,
    commitment text,
    result text,
    assigned_block bigint not null,
    primary key (job_id, provider)
  )`,
  'create index job_assignments_provider_idx on job_assignments (provider)',
  `create table job_events (
    tx_hash text not null,
    log_index integer not null,
    job_id ${amount} not null,
    kind text not null,
    provider text,
    data jsonb not null,
    block_number bigint not null,
    timestamp timestamptz not null,
    primary key (tx_hash, log_index)
  )`,
  'create index job_events_job_idx on job_events (job_id, block_number, log_index)',
  'create index job_events_provider_idx on job_events (provider)',
  'create index job_events_block_idx on job_events (block_number)',
  `create table payouts (
    tx_hash text not null,
    log_index integer not null,
    role text not null check (role in ('provider', 'creator', 'treasury', 'refund')),
    job_id ${amount} not null,
    account text not null,
    currency text not null,
    amount ${amount} not null,
    block_number bigint not null,
    timestamp timestamptz not null,
    primary key (tx_hash, log_index, role)
  )`,
  'create index payouts_job_idx on payouts (job_id)',
  'create index payouts_account_idx on payouts (account)',
  'create index payouts_block_idx on payouts (block_number)',

  // ── indexer bookkeeping ──
  `create table chain_events (
    tx_hash text not null,
    log_index integer not null,
    block_number bigint not null,
    block_hash text not null,
    contract text not null,
    address text not null,
    event text not null,
    entity text,
    args jsonb not null,
    topics jsonb not null,
    data text not null,
    timestamp timestamptz not null,
    primary key (tx_hash, log_index)
  )`,
  'create index chain_events_block_idx on chain_events (block_number, log_index)',
  'create index chain_events_entity_idx on chain_events (entity, block_number, log_index)',
  'create index chain_events_event_idx on chain_events (contract, event, block_number)',
  `create table indexer_checkpoints (
    name text primary key,
    block_number bigint not null,
    block_hash text,
    updated_at timestamptz not null default now()
  )`,
  `create table blocks (
    number bigint primary key,
    hash text not null,
    timestamp timestamptz not null
  )`,
];

const tables = [
  'blocks',
  'indexer_checkpoints',
  'chain_events',
  'payouts',
  'job_events',
  'job_assignments',
  'jobs',
  'providers',
  'licence_purchases',
  'licences',
  'sales',
  'listings',
  'transfers',
  'asset_versions',
  'asset_metadata',
  'assets',
  'refresh_tokens',
  'auth_nonces',
  'api_keys',
  'users',
];

/** Creates every table and index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops every table. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of tables) await sql.raw(`drop table if exists ${table}`).execute(db);
}
