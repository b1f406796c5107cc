/**
 * Read helpers the API calls, plus {@link setAssetMetadata} (the one write the API makes to indexed data). Every
 * helper takes the database first and one parameter object (`verbNoun(db, parameters)`). Rows come back as stored:
 * snake_case columns, amounts as decimal strings in wei, addresses lower-case, times as `Date`.
 */
import type { OrdersBucket } from '@souk/protocol';
import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import { InvalidCursorError, InvalidQueryError } from './errors.ts';
import type { AssetKind, Database } from './schema.ts';

type Db = Kysely<Database>;

/** Columns of `assets` returned by the list helpers (all but the search vector). */
const assetColumns = [
  'id',
  'kind',
  'creator',
  'owner',
  'royalty_bps',
  'manifest_uri',
  'version_count',
  'name',
  'description',
  'manifest_cid',
  'content_cid',
  'price_wei',
  'currency',
  'licence_currency',
  'licence_price_wei',
  'licence_duration',
  'licence_active',
  'created_block',
  'created_at',
  'updated_block',
] as const;

/** An asset as the list helpers return it. */
export type AssetRow = Omit<Selectable<Database['assets']>, 'search'>;

/** A page of results. */
export type Page<T> = {
  /** The items of this page. */
  items: T[];
  /** Opaque cursor of the next page; null on the last page. */
  nextCursor: string | null;
};

const DECIMAL = /^\d{1,78}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function checkLimit(limit: number, max = 100): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new InvalidQueryError(`limit must be an integer in 1..${max}, got ${limit}.`);
  }
  return limit;
}
function checkAmount(name: string, value: bigint | string): string {
  const text = value.toString();
  if (!DECIMAL.test(text)) throw new InvalidQueryError(`${name} must be a non-negative integer in wei, got "${text}".`);
  return text;
}
function checkAddress(name: string, value: string): string {
  if (!ADDRESS.test(value)) throw new InvalidQueryError(`${name} must be a 0x address, got "${value}".`);
  return value.toLowerCase();
}
function checkId(name: string, value: bigint | string | number): string {
  const text = value.toString();
  if (!DECIMAL.test(text)) throw new InvalidQueryError(`${name} must be a non-negative integer, got "${text}".`);
  return text;
}

function encodeCursor(sort: string, key: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify({ s: sort, k: key })).toString('base64url');
}
function decodeCursor(cursor: string, sort: string, idPattern: RegExp = DECIMAL): (string | number | null)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(cursor, 'not a cursor');
  }
  const { s, k } = (parsed ?? {}) as { s?: unknown; k?: unknown };
  if (s !== sort) throw new InvalidCursorError(cursor, `made for sort "${String(s)}", not "${sort}"`);
  if (!Array.isArray(k) || k.length !== 2) throw new InvalidCursorError(cursor, 'malformed key');
  const [first, id] = k as unknown[];
  if (typeof id !== 'string' || !idPattern.test(id)) throw new InvalidCursorError(cursor, 'malformed id');
  if (!(first === null || typeof first === 'number' || (typeof first === 'string' && DECIMAL.test(first)))) {
    throw new InvalidCursorError(cursor, 'malformed key');
  }
  return k as (string | number | null)[];
}

/** How long a cached read-model page may be served, milliseconds (bounds staleness when another process indexes). */
export const READ_CACHE_MS = 1000;
/** Pages kept per database (the oldest is dropped beyond). */
const READ_CACHE_ENTRIES = 1000;
/** Bumped after every write to the indexed tables; a page read under an older generation is not served. */
let readGeneration = 0;
type ReadEntry = { generation: number; at: number; value: Promise<unknown>; refresh?: ReadEntry };
const readCaches = new WeakMap<object, Map<string, ReadEntry>>();

/**
 * Drops every cached read-model page (all databases). Call after a committed write to the indexed tables: the indexer
 * calls it after each batch and rollback, {@link setAssetMetadata} after its write.
 */
export function invalidateReads(): void {
  readGeneration++;
}

/**
 * Serves a list page from a short-lived in-process cache of the read model, else runs the query. Concurrent misses
 * of one key share one query; a page is fresh for {@link READ_CACHE_MS}, then served once more per reader while one
 * refresh runs (so it is at most READ_CACHE_MS + one query old); it is never served after {@link invalidateReads}
 * (a query in flight then is not served either); failures are not cached. Callers must not mutate the value.
 *
 * @example
 * ```ts
 * import { cachedRead, listListings } from './db/queries.ts'
 * const page = await cachedRead(db, `listings:${JSON.stringify(q)}`, () => listListings(db, q))
 * ```
 * @param key What identifies the page (the helper and its parameters).
 * @returns What `run` resolves to (or resolved to, when cached).
 * @throws whatever `run` throws.
 */
export function cachedRead<T>(db: Db, key: string, run: () => Promise<T>): Promise<T> {
  let cache = readCaches.get(db);
  if (!cache) {
    cache = new Map();
    readCaches.set(db, cache);
  }
  const store = cache;
  const now = performance.now();
  const hit = store.get(key);
  if (hit && hit.generation === readGeneration) {
    if (now - hit.at < READ_CACHE_MS) return hit.value as Promise<T>;
    // Expired but not invalidated: serve it while one refresh runs, so a refresh never stalls the readers.
    if (hit.refresh) return hit.value as Promise<T>;
    const refresh = { generation: readGeneration, at: now, value: run() as Promise<unknown> };
    hit.refresh = refresh;
    refresh.value.then(
      () => {
        if (store.get(key) === hit) store.set(key, refresh);
      },
      () => {
        if (store.get(key) === hit) store.delete(key);
      },
    );
    return hit.value as Promise<T>;
  }
  const entry: ReadEntry = { generation: readGeneration, at: now, value: run() as Promise<unknown> };
  store.delete(key);
  store.set(key, entry);
  if (store.size > READ_CACHE_ENTRIES) store.delete(store.keys().next().value as string);
  entry.value.catch(() => {
    if (store.get(key) === entry) store.delete(key);
  });
  return entry.value as Promise<T>;
}

/** Sort orders of {@link listAssets}. */
export type AssetSort = 'newest' | 'oldest' | 'price_asc' | 'price_desc';

/** Parameters of {@link listAssets}. */
export type ListAssetsParameters = {
  /** Only assets of this kind. */
  kind?: AssetKind | undefined;
  /** Only assets minted by this account. */
  creator?: string | undefined;
  /** Only assets owned by this account. */
  owner?: string | undefined;
  /** Lowest asking price, wei (assets without a price are then excluded). */
  minPrice?: bigint | string | undefined;
  /** Highest asking price, wei (assets without a price are then excluded). */
  maxPrice?: bigint | string | undefined;
  /** Text search in name and description (full-text words, or a substring). */
  q?: string | undefined;
  /** Order. Price sorts put assets without a price last. @default 'newest' */
  sort?: AssetSort | undefined;
  /** Page size, 1..100. @default 20 */
  limit?: number | undefined;
  /** `nextCursor` of the previous page (same filters and sort). */
  cursor?: string | undefined;
};

/**
 * Lists assets with filters, a sort order and keyset pagination. The asking price (`price_wei`) is the active
 * listing's price, else the active licence terms' price.
 *
 * @example
 * ```ts
 * import { listAssets } from './db/queries.ts'
 * const page1 = await listAssets(db, { kind: 'model', sort: 'price_asc', limit: 20 })
 * const page2 = await listAssets(db, { kind: 'model', sort: 'price_asc', limit: 20, cursor: page1.nextCursor! })
 * ```
 * @returns A page of assets and the cursor of the next one.
 * @throws {InvalidQueryError} on a bad limit, address or amount.
 * @throws {InvalidCursorError} on a cursor that is malformed or made for another sort order.
 */
export async function listAssets(
  db: Db,
  { kind, creator, owner, minPrice, maxPrice, q, sort = 'newest', limit = 20, cursor }: ListAssetsParameters = {},
): Promise<Page<AssetRow>> {
  checkLimit(limit);
  let query = db.selectFrom('assets').select(assetColumns);
  if (kind) query = query.where('kind', '=', kind);
  if (creator) query = query.where('creator', '=', checkAddress('creator', creator));
  if (owner) query = query.where('owner', '=', checkAddress('owner', owner));
  if (minPrice !== undefined) query = query.where('price_wei', '>=', checkAmount('minPrice', minPrice));
  if (maxPrice !== undefined) query = query.where('price_wei', '<=', checkAmount('maxPrice', maxPrice));
  const text = q?.trim();
  if (text) {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        sql<SqlBool>`search @@ plainto_tsquery('simple', ${text})`,
        eb('name', 'ilike', pattern),
        eb('description', 'ilike', pattern),
      ]),
    );
  }

  const key = cursor ? decodeCursor(cursor, sort) : undefined;
  const next = (rows: AssetRow[]): Page<AssetRow> => {
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > limit && last
        ? encodeCursor(
            sort,
            sort === 'newest' || sort === 'oldest' ? [last.created_block, last.id] : [last.price_wei, last.id],
          )
        : null;
    return { items, nextCursor };
  };
  // Each sort is the key order of an index (migration 0005), and the cursor a row comparison on that key, so a
  // page is one index range scan of limit + 1 rows.
  switch (sort) {
    case 'newest':
    case 'oldest': {
      const op = sort === 'newest' ? '<' : '>';
      const direction = sort === 'newest' ? 'desc' : 'asc';
      if (key) {
        const [block, id] = key as [number, string];
        if (typeof block !== 'number') throw new InvalidCursorError(cursor as string, 'malformed block');
        query = query.where((eb) => eb(eb.refTuple('created_block', 'id'), op, eb.tuple(block, id)));
      }
      const rows = await query
        .orderBy('created_block', direction)
        .orderBy('id', direction)
        .limit(limit + 1)
        .execute();
      return next(rows as AssetRow[]);
    }
    case 'price_asc':
    case 'price_desc': {
      // Assets without a price come last (`nulls last`), ordered by id among themselves.
      const op = sort === 'price_asc' ? '>' : '<';
      const direction = sort === 'price_asc' ? 'asc' : 'desc';
      const byPrice = sql`price_wei ${sql.raw(direction)} nulls last`;
      const unpriced = (after: string | undefined, count: number) => {
        let q = query.where('price_wei', 'is', null);
        if (after !== undefined) q = q.where('id', op, after);
        return q.orderBy(byPrice).orderBy('id', direction).limit(count).execute() as Promise<AssetRow[]>;
      };
      if (!key)
        return next(
          (await query
            .orderBy(byPrice)
            .orderBy('id', direction)
            .limit(limit + 1)
            .execute()) as AssetRow[],
        );
      const [price, id] = key as [string | null, string];
      if (price === null) return next(await unpriced(id, limit + 1));
      // After a priced row: the rest of the priced rows (a row comparison excludes nulls), then the unpriced ones.
      const priced = (await query
        .where((eb) => eb(eb.refTuple('price_wei', 'id'), op, eb.tuple(price, id)))
        .orderBy(byPrice)
        .orderBy('id', direction)
        .limit(limit + 1)
        .execute()) as AssetRow[];
      const filtersNulls = minPrice !== undefined || maxPrice !== undefined;
      if (priced.length > limit || filtersNulls) return next(priced);
      return next([...priced, ...(await unpriced(undefined, limit + 1 - priced.length))]);
    }
    default:
      throw new InvalidQueryError(`Unknown sort "${String(sort)}".`);
  }
}

/** An asset with its versions and its listing. */
export type AssetDetail = AssetRow & {
  /** Every version, oldest first (version 0 is the mint). */
  versions: { version: number; uri: string; block_number: number; tx_hash: string; created_at: Date }[];
  /** The listing (active or not), if it was ever listed. */
  listing: Selectable<Database['listings']> | null;
};

/**
 * One asset with its versions and listing.
 *
 * @example
 * ```ts
 * import { getAsset } from './db/queries.ts'
 * const asset = await getAsset(db, { id: 1n })
 * ```
 * @returns The asset, or undefined when no such token was indexed.
 */
export async function getAsset(
  db: Db,
  { id }: { /** Token id. */ id: bigint | string },
): Promise<AssetDetail | undefined> {
  const key = checkId('id', id);
  const asset = (await db.selectFrom('assets').select(assetColumns).where('id', '=', key).executeTakeFirst()) as
    | AssetRow
    | undefined;
  if (!asset) return undefined;
  const versions = await db
    .selectFrom('asset_versions')
    .select(['version', 'uri', 'block_number', 'tx_hash', 'created_at'])
    .where('asset_id', '=', key)
    .orderBy('version')
    .execute();
  const listing = (await db.selectFrom('listings').selectAll().where('token_id', '=', key).executeTakeFirst()) ?? null;
  return { ...asset, versions, listing } as AssetDetail;
}

/** Parameters of {@link listListings}. */
export type ListListingsParameters = {
  /** Only active listings (not sold, cancelled or stale). @default true */
  active?: boolean | undefined;
  /** Only listings of this seller. */
  seller?: string | undefined;
  /** Page size, 1..100. @default 20 */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
};

/** A listing with its asset's name and kind. */
export type ListingRow = {
  token_id: string;
  seller: string;
  currency: string;
  price: string;
  active: boolean;
  listed_block: number;
  listed_at: Date;
  updated_block: number;
  kind: AssetKind;
  name: string | null;
};

/**
 * Listings, most recently listed first, with keyset pagination.
 *
 * @example
 * ```ts
 * import { listListings } from './db/queries.ts'
 * const { items, nextCursor } = await listListings(db, { limit: 50 })
 * ```
 * @throws {InvalidCursorError} on a malformed cursor.
 */
export async function listListings(
  db: Db,
  { active = true, seller, limit = 20, cursor }: ListListingsParameters = {},
): Promise<Page<ListingRow>> {
  checkLimit(limit);
  let query = db
    .selectFrom('listings')
    .innerJoin('assets', 'assets.id', 'listings.token_id')
    .select([
      'listings.token_id',
      'listings.seller',
      'listings.currency',
      'listings.price',
      'listings.active',
      'listings.listed_block',
      'listings.listed_at',
      'listings.updated_block',
      'assets.kind',
      'assets.name',
    ]);
  if (active !== undefined) query = query.where('listings.active', '=', active);
  if (seller) query = query.where('listings.seller', '=', checkAddress('seller', seller));
  if (cursor) {
    const [block, id] = decodeCursor(cursor, 'listings') as [number, string];
    if (typeof block !== 'number') throw new InvalidCursorError(cursor, 'malformed block');
    query = query.where((eb) =>
      eb(eb.refTuple('listings.listed_block', 'listings.token_id'), '<', eb.tuple(block, id)),
    );
  }
  const rows = await query
    .orderBy('listings.listed_block', 'desc')
    .orderBy('listings.token_id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit) as ListingRow[];
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor('listings', [last.listed_block, last.token_id]) : null,
  };
}

/**
 * Assets an account owns now, newest first.
 *
 * @example
 * ```ts
 * import { assetsOfOwner } from './db/queries.ts'
 * const mine = await assetsOfOwner(db, { address: '0xf39f…2266' })
 * ```
 * @throws {InvalidQueryError} on a malformed address.
 */
export async function assetsOfOwner(db: Db, { address }: { /** The owner. */ address: string }): Promise<AssetRow[]> {
  return (await db
    .selectFrom('assets')
    .select(assetColumns)
    .where('owner', '=', checkAddress('address', address))
    .orderBy('created_block', 'desc')
    .orderBy('id', 'desc')
    .execute()) as AssetRow[];
}

/** A licence with its asset's name and kind, and whether it is in force now. */
export type LicenceRow = {
  asset_id: string;
  licensee: string;
  /** Null = perpetual. */
  expires_at: Date | null;
  currency: string;
  price: string;
  purchases: number;
  first_block: number;
  updated_block: number;
  kind: AssetKind;
  name: string | null;
  active: boolean;
};

/**
 * Licences an account holds (in force or expired), most recently bought first.
 *
 * @example
 * ```ts
 * import { licencesOf } from './db/queries.ts'
 * const active = (await licencesOf(db, { address })).filter((l) => l.active)
 * ```
 * @param parameters.activeOnly Only licences in force now. @default false
 * @throws {InvalidQueryError} on a malformed address.
 */
export async function licencesOf(
  db: Db,
  {
    address,
    activeOnly = false,
  }: {
    /** The licensee. */
    address: string;
    /** Only licences in force now. @default false */
    activeOnly?: boolean | undefined;
  },
): Promise<LicenceRow[]> {
  let query = db
    .selectFrom('licences')
    .innerJoin('assets', 'assets.id', 'licences.asset_id')
    .select([
      'licences.asset_id',
      'licences.licensee',
      'licences.expires_at',
      'licences.currency',
      'licences.price',
      'licences.purchases',
      'licences.first_block',
      'licences.updated_block',
      'assets.kind',
      'assets.name',
      sql<boolean>`(licences.expires_at is null or licences.expires_at > now())`.as('active'),
    ])
    .where('licences.licensee', '=', checkAddress('address', address));
  if (activeOnly) {
    query = query.where((eb) =>
      eb.or([eb('licences.expires_at', 'is', null), eb('licences.expires_at', '>', sql<Date>`now()`)]),
    );
  }
  return (await query.orderBy('licences.updated_block', 'desc').orderBy('licences.asset_id').execute()) as LicenceRow[];
}

/** Time bucket of the analytics helpers. */
export type Bucket = 'hour' | 'day';

/** `date_trunc` in UTC whatever the session time zone. */
const bucketOf = (bucket: Bucket, column: string) => {
  if (bucket !== 'hour' && bucket !== 'day') throw new InvalidQueryError(`Unknown bucket "${String(bucket)}".`);
  return sql<Date>`(date_trunc(${bucket}, ${sql.ref(column)} at time zone 'UTC') at time zone 'UTC')`;
};

/** One bucket of {@link ordersOverTime}: the wire's `OrdersBucket` (`@souk/protocol`), with the bucket as a Date. */
export type OrderBucketRow = Omit<OrdersBucket, 'bucket'> & {
  /** Start of the bucket (UTC). */
  bucket: Date;
};

/**
 * Compute protocol v2: orders settled on-chain per time bucket of their settlement and currency, oldest first, with
 * the volume charged, the disputes and the slashings, from the indexed `ComputeEscrow` events (so every node of a
 * market reports the same, whoever accepted the order), and the acceptance → settlement time of the orders whose
 * acceptance the shared database recorded.
 * @throws {InvalidQueryError} on an unknown bucket.
 */
export async function ordersOverTime(
  db: Db,
  {
    bucket,
    since,
  }: { /** Bucket size. */ bucket: Bucket /** Only settlements at or after. */; since?: Date | undefined },
): Promise<OrderBucketRow[]> {
  const sinceFilter = since ? sql`and s.timestamp >= ${since}` : sql``;
  const rows = await sql<{
    bucket: Date;
    currency: string;
    settled: string;
    volume: string;
    disputed: string;
    slashed: string;
    p50: number | null;
    p95: number | null;
  }>`
    with charged as (
      select order_hash, currency, amount, timestamp from order_settlements s where kind = 'batch' ${sinceFilter}
    ),
    disputes as (
      select order_hash, jsonb_array_length(slashed) as slashed from order_settlements s
      where kind = 'dispute' ${sinceFilter}
    )
    select ${bucketOf(bucket, 'c.timestamp')} as bucket, c.currency,
      count(*) as settled, coalesce(sum(c.amount), 0) as volume,
      count(d.order_hash) as disputed, coalesce(sum(d.slashed), 0) as slashed,
      percentile_cont(0.5) within group (order by extract(epoch from c.timestamp - o.created_at)) as p50,
      percentile_cont(0.95) within group (order by extract(epoch from c.timestamp - o.created_at)) as p95
    from charged c
    left join disputes d on d.order_hash = c.order_hash
    left join orders o on o.order_hash = c.order_hash
    group by 1, 2 order by 1, 2`.execute(db);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.rows.map((row) => ({
    bucket: new Date(row.bucket),
    currency: row.currency,
    settled: Number(row.settled),
    volume: String(row.volume),
    disputed: Number(row.disputed),
    slashed: Number(row.slashed),
    latencyP50: num(row.p50),
    latencyP95: num(row.p95),
  }));
}

/** One bucket of {@link marketVolume}. */
export type VolumeRow = {
  /** Start of the bucket (UTC). */
  bucket: Date;
  /** Payment currency (`0x000…0` = native). */
  currency: string;
  /** NFT sales in the bucket. */
  sales: number;
  /** Their total price, wei. */
  sales_volume: string;
  /** Licence purchases in the bucket. */
  licences: number;
  /** Their total price, wei. */
  licence_volume: string;
};

/**
 * Trading volume (NFT sales and licence purchases) per time bucket and currency, oldest first.
 *
 * @example
 * ```ts
 * import { marketVolume } from './db/queries.ts'
 * const daily = await marketVolume(db, { bucket: 'day', since: new Date(Date.now() - 30 * 86_400_000) })
 * ```
 * @throws {InvalidQueryError} on an unknown bucket.
 */
export async function marketVolume(
  db: Db,
  {
    bucket,
    since,
    until,
  }: {
    /** Bucket size. */
    bucket: Bucket;
    /** Only trades at or after this time. */
    since?: Date | undefined;
    /** Only trades before this time. */
    until?: Date | undefined;
  },
): Promise<VolumeRow[]> {
  // The time range is applied in each branch, so each is a range scan of its timestamp index.
  const range = (table: 'sales' | 'licence_purchases') => {
    let q = db.selectFrom(table).select(['timestamp', 'currency', 'price']);
    if (since) q = q.where('timestamp', '>=', since);
    if (until) q = q.where('timestamp', '<', until);
    return q;
  };
  const trades = range('sales')
    .select(sql<string>`'sale'`.as('source'))
    .unionAll(range('licence_purchases').select(sql<string>`'licence'`.as('source')));
  const query = db
    .selectFrom(trades.as('t'))
    .select([
      bucketOf(bucket, 't.timestamp').as('bucket'),
      't.currency',
      sql<number>`count(*) filter (where t.source = 'sale')`.as('sales'),
      sql<string>`coalesce(sum(t.price) filter (where t.source = 'sale'), 0)`.as('sales_volume'),
      sql<number>`count(*) filter (where t.source = 'licence')`.as('licences'),
      sql<string>`coalesce(sum(t.price) filter (where t.source = 'licence'), 0)`.as('licence_volume'),
    ]);
  const rows = await query.groupBy(['bucket', 't.currency']).orderBy('bucket').orderBy('t.currency').execute();
  return rows.map((row) => ({ ...row, sales: Number(row.sales), licences: Number(row.licences) })) as VolumeRow[];
}

/** One row of {@link topAssets}. */
export type TopAssetRow = {
  id: string;
  kind: AssetKind;
  name: string | null;
  creator: string;
  owner: string;
  sales: number;
  sales_volume: string;
  licences: number;
  licence_volume: string;
  /** sales_volume + licence_volume, wei. */
  volume: string;
};

/**
 * Assets with the most trading volume (sales + licences) in one currency.
 *
 * @example
 * ```ts
 * import { topAssets } from './db/queries.ts'
 * const top = await topAssets(db, { limit: 10 })
 * ```
 */
export async function topAssets(
  db: Db,
  {
    limit = 10,
    currency = '0x0000000000000000000000000000000000000000',
    since,
  }: {
    /** How many, 1..100. @default 10 */
    limit?: number | undefined;
    /** Currency to rank by. @default native (`0x000…0`) */
    currency?: string | undefined;
    /** Only trades at or after this time. */
    since?: Date | undefined;
  } = {},
): Promise<TopAssetRow[]> {
  checkLimit(limit);
  const cur = checkAddress('currency', currency);
  const sinceFilter = since ? sql`and timestamp >= ${since}` : sql``;
  const rows = await sql<TopAssetRow>`
    with s as (
      select token_id as id, count(*) as sales, sum(price) as volume from sales
      where currency = ${cur} ${sinceFilter} group by token_id
    ), l as (
      select asset_id as id, count(*) as licences, sum(price) as volume from licence_purchases
      where currency = ${cur} ${sinceFilter} group by asset_id
    )
    , v as (
      select coalesce(s.id, l.id) as id,
        coalesce(s.sales, 0) as sales, coalesce(s.volume, 0) as sales_volume,
        coalesce(l.licences, 0) as licences, coalesce(l.volume, 0) as licence_volume,
        coalesce(s.volume, 0) + coalesce(l.volume, 0) as volume
      from s full join l on l.id = s.id
      order by volume desc, id asc
      limit ${limit}
    )
    select a.id, a.kind, a.name, a.creator, a.owner, v.sales, v.sales_volume, v.licences, v.licence_volume, v.volume
    from v join assets a on a.id = v.id
    order by v.volume desc, a.id asc`.execute(db);
  return rows.rows.map((row) => ({ ...row, sales: Number(row.sales), licences: Number(row.licences) }));
}

/** One bucket of {@link licencesOverTime}. */
export type LicenceBucketRow = {
  bucket: Date;
  currency: string;
  /** Purchases in the bucket. */
  purchases: number;
  /** Distinct licensees in the bucket. */
  licensees: number;
  /** Total paid, wei. */
  volume: string;
};

/**
 * Licence purchases per time bucket and currency, oldest first; optionally for one asset.
 *
 * @example
 * ```ts
 * import { licencesOverTime } from './db/queries.ts'
 * const series = await licencesOverTime(db, { bucket: 'day', assetId: 3n })
 * ```
 * @throws {InvalidQueryError} on an unknown bucket or a malformed asset id.
 */
export async function licencesOverTime(
  db: Db,
  {
    bucket,
    assetId,
    since,
  }: {
    /** Bucket size. */
    bucket: Bucket;
    /** Only this asset's licences. */
    assetId?: bigint | string | undefined;
    /** Only purchases at or after this time. */
    since?: Date | undefined;
  },
): Promise<LicenceBucketRow[]> {
  let query = db
    .selectFrom('licence_purchases')
    .select([
      bucketOf(bucket, 'timestamp').as('bucket'),
      'currency',
      sql<number>`count(*)`.as('purchases'),
      sql<number>`count(distinct licensee)`.as('licensees'),
      sql<string>`sum(price)`.as('volume'),
    ]);
  if (assetId !== undefined) query = query.where('asset_id', '=', checkId('assetId', assetId));
  if (since) query = query.where('timestamp', '>=', since);
  const rows = await query.groupBy(['bucket', 'currency']).orderBy('bucket').orderBy('currency').execute();
  return rows.map((row) => ({
    ...row,
    purchases: Number(row.purchases),
    licensees: Number(row.licensees),
  })) as LicenceBucketRow[];
}

/** A provider as {@link listProviders} returns it: its indexed row and what it was paid. */
export type ProviderListRow = Selectable<Database['providers']> & {
  /** Its share of the orders settled on-chain, wei (decimal string; every currency summed, as the node prices in one). */
  earned: string;
  /** Orders it was paid for (`ComputeEscrow.JobSettled` naming it). */
  paid_jobs: number;
};

/** What {@link providerOrderTotals} returns per provider. */
export type ProviderOrderTotals = {
  /** Orders settled on-chain that paid it. */
  paid: number;
  /** Disputes settled against it (slashed on its own signed attestation). */
  slashed: number;
  /** Its share of the paid orders, wei of their currency (all currencies summed). */
  earned: bigint;
};

/**
 * Per-provider totals of the settled orders, from the indexed ComputeEscrow events: orders paid, disputes lost, and
 * the wei earned — per order `amount * providerBps / 10_000 / r` (`ComputeEscrow._split`, integer division in that
 * order), with the revenue split in force at that settlement (the latest `RevenueSplitSet` before it).
 * @param addresses Lower-case provider addresses; none: every provider that appears in a settlement.
 * @returns Map from lower-case address to its totals (providers without settlements are absent).
 */
export async function providerOrderTotals(
  db: Db,
  addresses?: readonly string[],
): Promise<Map<string, ProviderOrderTotals>> {
  const totals = new Map<string, ProviderOrderTotals>();
  if (addresses && addresses.length === 0) return totals;
  const wanted = addresses ? new Set(addresses.map((a) => checkAddress('address', a).toLowerCase())) : undefined;
  const splits = await db
    .selectFrom('chain_events')
    .select(['block_number', 'log_index', 'args'])
    .where('contract', '=', 'computeEscrow')
    .where('event', '=', 'RevenueSplitSet')
    .orderBy('block_number')
    .orderBy('log_index')
    .execute();
  let settlements = db
    .selectFrom('order_settlements')
    .select(['kind', 'amount', 'paid', 'slashed', 'block_number', 'log_index']);
  if (wanted) {
    // Only the settlements naming one of these providers (a jsonb containment test per row, not a JS filter).
    const list = [...wanted];
    settlements = settlements.where(
      sql<boolean>`(jsonb_exists_any(paid, ${list}::text[]) or jsonb_exists_any(slashed, ${list}::text[]))`,
    );
  }
  const rows = await settlements.orderBy('block_number').orderBy('log_index').execute();
  let split = 0;
  let providerBps = 0n;
  const entry = (address: string) => {
    let t = totals.get(address);
    if (!t) {
      t = { paid: 0, slashed: 0, earned: 0n };
      totals.set(address, t);
    }
    return t;
  };
  for (const row of rows) {
    while (
      split < splits.length &&
      (splits[split].block_number < row.block_number ||
        (splits[split].block_number === row.block_number && splits[split].log_index < row.log_index))
    ) {
      providerBps = BigInt((splits[split].args as { providerBps?: string }).providerBps ?? '0');
      split++;
    }
    for (const address of row.slashed) if (!wanted || wanted.has(address)) entry(address).slashed++;
    if (row.kind !== 'batch' || row.amount === null || row.paid.length === 0) continue;
    const each = (BigInt(row.amount) * providerBps) / 10_000n / BigInt(row.paid.length);
    for (const address of row.paid) {
      if (wanted && !wanted.has(address)) continue;
      const t = entry(address);
      t.paid++;
      t.earned += each;
    }
  }
  return totals;
}

/**
 * Registered providers in registration order (block, then address), keyset-paginated over the index
 * `providers (registered_block, address)`; the earnings are summed for the page's providers only.
 *
 * @example
 * ```ts
 * import { listProviders } from './db/queries.ts'
 * const { items, nextCursor } = await listProviders(db, { limit: 100 })
 * ```
 * @throws {InvalidQueryError} on a bad limit or address. @throws {InvalidCursorError} on a bad cursor.
 */
export async function listProviders(
  db: Db,
  {
    addresses,
    limit = 100,
    cursor,
  }: {
    /** Only these providers (lower- or mixed-case 0x addresses). */
    addresses?: readonly string[] | undefined;
    /** Page size, 1..500. @default 100 */
    limit?: number | undefined;
    /** `nextCursor` of the previous page. */
    cursor?: string | undefined;
  } = {},
): Promise<Page<ProviderListRow>> {
  checkLimit(limit, 500);
  let query = db.selectFrom('providers').selectAll();
  if (addresses) {
    if (addresses.length === 0) return { items: [], nextCursor: null };
    query = query.where(
      'address',
      'in',
      addresses.map((a) => checkAddress('address', a)),
    );
  }
  if (cursor) {
    const [block, address] = decodeCursor(cursor, 'providers', /^0x[0-9a-f]{40}$/) as [number, string];
    if (typeof block !== 'number') throw new InvalidCursorError(cursor, 'malformed block');
    query = query.where((eb) => eb(eb.refTuple('registered_block', 'address'), '>', eb.tuple(block, address)));
  }
  const rows = await query
    .orderBy('registered_block')
    .orderBy('address')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const earned = await providerOrderTotals(
    db,
    page.map((p) => p.address),
  );
  const last = page.at(-1);
  return {
    items: page.map((p) => ({
      ...p,
      earned: String(earned.get(p.address)?.earned ?? 0n),
      paid_jobs: earned.get(p.address)?.paid ?? 0,
    })),
    nextCursor:
      rows.length > limit && last ? encodeCursor('providers', [Number(last.registered_block), last.address]) : null,
  };
}

/** What {@link providerStats} returns. */
export type ProviderStats = {
  totals: {
    /** Registered providers. */
    providers: number;
    /** Providers with stake ≥ the current minimum stake. */
    active: number;
    /** SOUK wei bonded (stake), and waiting to unbond. */
    stake: string;
    unbonding: string;
    /** SOUK wei of that stake locked (`ProviderRegistry.lockStake`). */
    locked: string;
    /** Orders paid (per paid provider, summed) and disputes lost, all providers. */
    completed: number;
    failed: number;
    /** Times slashed, and SOUK wei taken. */
    slashes: number;
    slashed_amount: string;
    /** The minimum stake in force, SOUK wei. */
    min_stake: string;
  };
  /** Providers by paid orders (then stake), with their success rate (null before any result). */
  providers: ProviderRow[];
};

/** A provider in {@link providerStats}'s leaderboard. */
export type ProviderRow = Selectable<Database['providers']> & {
  /** Stake ≥ the minimum stake. */
  active: boolean;
  /** completed / (completed + failed); null before any result. */
  success_rate: number | null;
  /** Settled orders it attested (paid or slashed). */
  assignments: number;
};

/**
 * Provider totals and a leaderboard.
 *
 * @example
 * ```ts
 * import { providerStats } from './db/queries.ts'
 * const { totals, providers } = await providerStats(db, { limit: 20 })
 * ```
 */
export async function providerStats(
  db: Db,
  { limit = 20 }: { /** Providers in the leaderboard, 1..100. @default 20 */ limit?: number | undefined } = {},
): Promise<ProviderStats> {
  checkLimit(limit);
  const minStakeRow = await db
    .selectFrom('chain_events')
    .select('args')
    .where('contract', '=', 'providerRegistry')
    .where('event', '=', 'MinStakeSet')
    .orderBy('block_number', 'desc')
    .orderBy('log_index', 'desc')
    .limit(1)
    .executeTakeFirst();
  const minStake = String((minStakeRow?.args as { minStake?: string } | undefined)?.minStake ?? '0');
  const totals = await db
    .selectFrom('providers')
    .select([
      sql<number>`count(*)`.as('providers'),
      sql<number>`count(*) filter (where stake >= ${minStake}::numeric and stake > 0)`.as('active'),
      sql<string>`coalesce(sum(stake), 0)`.as('stake'),
      sql<string>`coalesce(sum(unbonding), 0)`.as('unbonding'),
      sql<string>`coalesce(sum(locked_stake), 0)`.as('locked'),
      sql<number>`coalesce(sum(completed), 0)`.as('completed'),
      sql<number>`coalesce(sum(failed), 0)`.as('failed'),
      sql<number>`coalesce(sum(slashed), 0)`.as('slashes'),
      sql<string>`coalesce(sum(slashed_amount), 0)`.as('slashed_amount'),
    ])
    .executeTakeFirstOrThrow();
  const providers = await db
    .selectFrom('providers')
    .selectAll('providers')
    .select([
      sql<boolean>`(stake >= ${minStake}::numeric and stake > 0)`.as('active'),
      sql<
        number | null
      >`case when completed + failed = 0 then null else completed::float8 / (completed + failed) end`.as(
        'success_rate',
      ),
      sql<number>`completed + failed`.as('assignments'),
    ])
    .orderBy('completed', 'desc')
    .orderBy('stake', 'desc')
    .orderBy('address')
    .limit(limit)
    .execute();
  return {
    totals: {
      providers: Number(totals.providers),
      active: Number(totals.active),
      stake: String(totals.stake),
      unbonding: String(totals.unbonding),
      locked: String(totals.locked),
      completed: Number(totals.completed),
      failed: Number(totals.failed),
      slashes: Number(totals.slashes),
      slashed_amount: String(totals.slashed_amount),
      min_stake: minStake,
    },
    providers: providers.map((p) => ({
      ...p,
      completed: Number(p.completed),
      failed: Number(p.failed),
      assignments: Number(p.assignments ?? 0),
    })) as ProviderRow[],
  };
}

/** Manifest fields of an asset, read by the API from the manifest (the indexer does not fetch manifests). */
export type AssetMetadata = {
  name: string | null;
  description: string | null;
  manifestCid: string | null;
  contentCid: string | null;
};

/**
 * Stores an asset's manifest fields. They are kept in `asset_metadata` (which reorgs never touch) and copied onto
 * the asset now if it is indexed, or when the indexer indexes its mint. Call it from the indexer's `onEvent` for
 * `AssetMinted`/`VersionPublished`, or right after a publish.
 *
 * @example
 * ```ts
 * import { setAssetMetadata } from './db/queries.ts'
 * await setAssetMetadata(db, 1n, { name: 'tiny-llm', description: 'A small model', manifestCid: 'bafk…', contentCid: 'bafk…' })
 * ```
 * @returns Whether the asset is already indexed (and was updated now).
 * @throws {InvalidQueryError} on a malformed token id.
 */
export async function setAssetMetadata(db: Db, tokenId: bigint | string, metadata: AssetMetadata): Promise<boolean> {
  const id = checkId('tokenId', tokenId);
  const values = {
    name: metadata.name,
    description: metadata.description,
    manifest_cid: metadata.manifestCid,
    content_cid: metadata.contentCid,
  };
  const indexed = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('asset_metadata')
      .values({ asset_id: id, ...values })
      .onConflict((oc) => oc.column('asset_id').doUpdateSet({ ...values, updated_at: new Date() }))
      .execute();
    const updated = await trx.updateTable('assets').set(values).where('id', '=', id).executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  });
  invalidateReads();
  return indexed;
}
