/**
 * Content bindings: the one asset whose manifest may release an upload's content (see `gateway/contentBinding.ts`
 * and docs/manifest.md, "Who may release the content"). Before this migration the node released an upload's content
 * for any asset whose manifest named it, so a copy minted from someone else's manifest reached its plaintext.
 *
 * Existing data dirs are backfilled from what the node already knows — its uploads and manifests and the indexed
 * mints and versions, in chain order — with the rule the indexer applies from now on
 * ({@link backfillContentBindings}). Content whose publisher's mint is not indexed yet stays unbound until the
 * indexer (or the gateway, for a mint) sees it.
 */
import { type Kysely, sql } from 'kysely';

const upStatements: string[] = [
  `create table content_bindings (
    upload_id text primary key references uploads (id),
    asset_id numeric(78,0) not null,
    version integer not null,
    publisher text not null,
    tx_hash text,
    source text not null check (source in ('node', 'indexer', 'gateway', 'backfill')),
    created_at timestamptz not null default now()
  )`,
  'create index content_bindings_asset_idx on content_bindings (asset_id)',
];

type Candidate = {
  asset_id: string;
  version: number;
  tx_hash: string;
  block_number: string | number;
  upload_id: string;
  uploader: string;
  creator: string;
  log_index: number | null;
};

/**
 * Binds every upload with no binding to the first indexed asset version (chain order: block, log index) that its
 * uploader published with it: version 0 when the uploader is the asset's creator, a later version when the uploader
 * owned the asset at that log (the last indexed `Transfer` before it). Copies — mints and versions by anyone else —
 * are never bound, whichever came first.
 *
 * @param db The database, migrated to at least 0004.
 * @returns The number of bindings written.
 */
// biome-ignore lint/suspicious/noExplicitAny: runs inside a migration (Kysely<unknown>) and on a SoukDb.
export async function backfillContentBindings(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<Candidate>`
    select v.asset_id::text as asset_id, v.version, v.tx_hash, v.block_number, m.upload_id, u.uploader,
      a.creator, e.log_index
    from asset_versions v
    join manifests m on v.uri = 'ipfs://' || m.cid
    join uploads u on u.id = m.upload_id
    join assets a on a.id = v.asset_id
    left join chain_events e on e.tx_hash = v.tx_hash and e.entity = 'asset:' || v.asset_id::text
      and e.event = (case when v.version = 0 then 'AssetMinted' else 'VersionPublished' end)
    where not exists (select 1 from content_bindings b where b.upload_id = m.upload_id)
    order by v.block_number, e.log_index nulls last, v.asset_id, v.version`.execute(db);
  let written = 0;
  for (const row of rows) {
    let publisher = row.creator;
    if (row.version > 0) {
      const { rows: owners } = await sql<{ to_address: string }>`
        select to_address from transfers
        where token_id = ${row.asset_id}::numeric
          and (block_number < ${row.block_number} or (block_number = ${row.block_number}
            and log_index < ${row.log_index ?? 2_147_483_647}))
        order by block_number desc, log_index desc limit 1`.execute(db);
      publisher = owners[0]?.to_address ?? '';
    }
    if (publisher !== row.uploader) continue;
    const { rows: inserted } = await sql<{ upload_id: string }>`
      insert into content_bindings (upload_id, asset_id, version, publisher, tx_hash, source)
      values (${row.upload_id}, ${row.asset_id}::numeric, ${row.version}, ${publisher}, ${row.tx_hash}, 'backfill')
      on conflict (upload_id) do nothing returning upload_id`.execute(db);
    written += inserted.length;
  }
  return written;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
  await backfillContentBindings(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table content_bindings').execute(db);
}
