/**
 * How each Souk event changes the database, and how derived state is rebuilt from the stored events.
 *
 * Two kinds of tables:
 * - **event tables** (`chain_events`, `transfers`, `sales`, `licence_purchases`, `order_settlements`,
 *   `escrow_movements`) hold one
 *   row per log, keyed by `(tx_hash, log_index)` and inserted with `on conflict do nothing`;
 * - **state tables** (`assets`, `asset_versions`, `listings`, `licences`, `providers`) are a pure fold of the
 *   events of one *entity* (`asset:<id>`, `licence:<id>:<account>`, `provider:<account>`, see {@link entityOf}) in
 *   chain order, without reading the chain.
 *
 * So after a reorg the indexer deletes the event rows above the common ancestor and rebuilds just the entities those
 * events touched by replaying their remaining events ({@link rebuildEntities}); {@link rebuildState} does the same for
 * everything.
 */
import { UINT64_MAX } from '@souk/protocol';
import { type Insertable, type Kysely, sql, type Updateable } from 'kysely';
import { type Hex, type Log, zeroAddress } from 'viem';
import type { AssetKind, Database } from '../db/schema.ts';
import { bindPublishedContent } from '../gateway/contentBinding.ts';
import { argsToJson, decodeSoukLog, entityOf, type IndexedContract, type SoukEvent } from './events.ts';

type Db = Kysely<Database>;
type EventOf<contract extends IndexedContract> = Extract<SoukEvent, { contract: contract }>;
/** Columns every event row shares. */
type Meta = { tx_hash: string; log_index: number; block_number: number; timestamp: Date };

const KINDS: readonly AssetKind[] = ['model', 'agent', 'dataset'];
/** `type(uint64).max`: a perpetual licence. */
const PERPETUAL = UINT64_MAX;
/** 9999-12-31T23:59:59Z: later Unix times are clamped (timestamptz and JS dates stop around there). */
const MAX_TIME = 253_402_300_799n;

const lower = (value: string) => value.toLowerCase();
/** Unix seconds → Date, clamped to year 9999. */
export const toDate = (seconds: bigint): Date => new Date(Number(seconds > MAX_TIME ? MAX_TIME : seconds) * 1000);
/** A licence's `expiresAt` → Date, or null when perpetual. */
const expiryDate = (expiresAt: bigint): Date | null => (expiresAt >= PERPETUAL ? null : toDate(expiresAt));
const json = (value: unknown) => JSON.stringify(argsToJson(value));

/**
 * Records an event in `chain_events` and, if it was not there yet, applies it. Re-processing a log already stored
 * changes nothing, which makes re-indexing a range idempotent.
 *
 * @param db A transaction (the batch's).
 * @param event The decoded event.
 * @param log The raw log (kept so the event can be decoded again on rebuild).
 * @returns Whether the event was new (and applied).
 */
export async function recordEvent(db: Db, event: SoukEvent, log: Pick<Log, 'topics' | 'data'>): Promise<boolean> {
  const inserted = await db
    .insertInto('chain_events')
    .values({
      tx_hash: event.transactionHash,
      log_index: event.logIndex,
      block_number: Number(event.blockNumber),
      block_hash: event.blockHash,
      contract: event.contract,
      address: event.address,
      event: event.eventName,
      entity: entityOf(event),
      args: json(event.args),
      topics: JSON.stringify(log.topics.map((topic) => topic?.toLowerCase() ?? null)),
      data: log.data,
      timestamp: event.timestamp,
    })
    .onConflict((oc) => oc.columns(['tx_hash', 'log_index']).doNothing())
    .returning('tx_hash')
    .executeTakeFirst();
  if (!inserted) return false;
  await applyEvent(db, event);
  return true;
}

/**
 * Applies one event to the event and state tables. Events of parameters, approvals and payment credits change no
 * derived state (they stay in `chain_events` only).
 *
 * @param db A transaction.
 * @param event The decoded event, applied after every earlier event of its entity.
 */
export async function applyEvent(db: Db, event: SoukEvent): Promise<void> {
  const meta: Meta = {
    tx_hash: event.transactionHash,
    log_index: event.logIndex,
    block_number: Number(event.blockNumber),
    timestamp: event.timestamp,
  };
  switch (event.contract) {
    case 'agentNft':
      return applyAgentNft(db, event, meta);
    case 'marketplace':
      return applyMarketplace(db, event, meta);
    case 'licenses':
      return applyLicenses(db, event, meta);
    case 'providerRegistry':
      return applyProviderRegistry(db, event, meta);
    case 'computeEscrow':
      return applyComputeEscrow(db, event, meta);
    case 'lineageRoyalties':
      return applyLineageRoyalties(db, event, meta);
  }
}

// ───────────────────────────── assets ─────────────────────────────

async function applyAgentNft(db: Db, event: EventOf<'agentNft'>, meta: Meta): Promise<void> {
  switch (event.eventName) {
    case 'AssetMinted': {
      const { tokenId, creator, owner, kind, royaltyBps, uri } = event.args;
      const id = tokenId.toString();
      await db
        .insertInto('asset_versions')
        .values({
          asset_id: id,
          version: 0,
          uri,
          block_number: meta.block_number,
          tx_hash: meta.tx_hash,
          created_at: meta.timestamp,
        })
        .onConflict((oc) => oc.columns(['asset_id', 'version']).doNothing())
        .execute();
      await db
        .insertInto('assets')
        .values({
          id,
          kind: KINDS[kind] ?? 'model',
          creator: lower(creator),
          owner: lower(owner),
          royalty_bps: royaltyBps,
          manifest_uri: uri,
          version_count: 1,
          created_block: meta.block_number,
          created_at: meta.timestamp,
          updated_block: meta.block_number,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      await copyMetadata(db, id);
      // The content of a manifest this node wrote is bound to the first asset its uploader minted with it.
      await bindPublishedContent(db, {
        assetId: id,
        version: 0,
        uri,
        publisher: creator,
        txHash: meta.tx_hash,
        source: 'indexer',
      });
      return;
    }
    case 'VersionPublished': {
      const { tokenId, version, uri } = event.args;
      const id = tokenId.toString();
      await db
        .insertInto('asset_versions')
        .values({
          asset_id: id,
          version: Number(version),
          uri,
          block_number: meta.block_number,
          tx_hash: meta.tx_hash,
          created_at: meta.timestamp,
        })
        .onConflict((oc) => oc.columns(['asset_id', 'version']).doNothing())
        .execute();
      await db
        .updateTable('assets')
        .set({ version_count: Number(version) + 1, manifest_uri: uri, updated_block: meta.block_number })
        .where('id', '=', id)
        .execute();
      // publishVersion is owner-only: the owner at this log published it (bound when that is the uploader).
      const asset = await db.selectFrom('assets').select('owner').where('id', '=', id).executeTakeFirst();
      if (asset) {
        await bindPublishedContent(db, {
          assetId: id,
          version: Number(version),
          uri,
          publisher: asset.owner,
          txHash: meta.tx_hash,
          source: 'indexer',
        });
      }
      return;
    }
    case 'Transfer': {
      const { from, to, tokenId } = event.args;
      const id = tokenId.toString();
      await db
        .insertInto('transfers')
        .values({ ...meta, token_id: id, from_address: lower(from), to_address: lower(to) })
        .onConflict((oc) => oc.columns(['tx_hash', 'log_index']).doNothing())
        .execute();
      if (from === zeroAddress) return; // a mint: AssetMinted (next log) creates the row with its owner
      // A transfer makes the listing stale for ever and lapses the licence terms (both snapshot the transfer count).
      await db
        .updateTable('assets')
        .set({ owner: lower(to), licence_active: false, updated_block: meta.block_number })
        .where('id', '=', id)
        .execute();
      await db
        .updateTable('listings')
        .set({ active: false, updated_block: meta.block_number })
        .where('token_id', '=', id)
        .where('active', '=', true)
        .execute();
      await refreshAskingPrice(db, id);
      return;
    }
    default:
      return;
  }
}

/** Copies the API-provided manifest fields of `asset_metadata` onto the asset (if any were set). */
async function copyMetadata(db: Db, id: string): Promise<void> {
  const metadata = await db.selectFrom('asset_metadata').selectAll().where('asset_id', '=', id).executeTakeFirst();
  if (!metadata) return;
  await db
    .updateTable('assets')
    .set({
      name: metadata.name,
      description: metadata.description,
      manifest_cid: metadata.manifest_cid,
      content_cid: metadata.content_cid,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Sets the asset's asking price: the active listing's, else the active licence terms', else none.
 */
async function refreshAskingPrice(db: Db, id: string): Promise<void> {
  const asset = await db
    .selectFrom('assets')
    .select(['licence_active', 'licence_price_wei', 'licence_currency'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!asset) return;
  const listing = await db
    .selectFrom('listings')
    .select(['price', 'currency'])
    .where('token_id', '=', id)
    .where('active', '=', true)
    .executeTakeFirst();
  const [price_wei, currency] = listing
    ? [listing.price, listing.currency]
    : asset.licence_active
      ? [asset.licence_price_wei, asset.licence_currency]
      : [null, null];
  await db.updateTable('assets').set({ price_wei, currency }).where('id', '=', id).execute();
}

/**
 * LineageRoyalties: `DerivedMinted` names who minted a derived model through its RoyaltySplit (the token's creator),
 * so the content of a manifest that records lineage royalties binds here, with the split it was minted with — never
 * at its `AssetMinted`, whose creator is the split.
 */
async function applyLineageRoyalties(db: Db, event: EventOf<'lineageRoyalties'>, meta: Meta): Promise<void> {
  const { tokenId, creator, accounts, bps } = event.args;
  const version = await db
    .selectFrom('asset_versions')
    .select('uri')
    .where('asset_id', '=', tokenId.toString())
    .where('version', '=', 0)
    .executeTakeFirst();
  if (!version) return;
  await bindPublishedContent(db, {
    assetId: tokenId,
    version: 0,
    uri: version.uri,
    publisher: creator,
    txHash: meta.tx_hash,
    source: 'indexer',
    split: { accounts, bps },
  });
}

async function applyMarketplace(db: Db, event: EventOf<'marketplace'>, meta: Meta): Promise<void> {
  switch (event.eventName) {
    case 'Listed': {
      const { tokenId, seller, currency, price } = event.args;
      const id = tokenId.toString();
      const row = {
        seller: lower(seller),
        currency: lower(currency),
        price: price.toString(),
        active: true,
        listed_block: meta.block_number,
        listed_at: meta.timestamp,
        updated_block: meta.block_number,
      };
      await db
        .insertInto('listings')
        .values({ token_id: id, ...row })
        .onConflict((oc) => oc.column('token_id').doUpdateSet(row))
        .execute();
      await touchAsset(db, id, meta);
      return refreshAskingPrice(db, id);
    }
    case 'PriceUpdated': {
      const id = event.args.tokenId.toString();
      await db
        .updateTable('listings')
        .set({ price: event.args.price.toString(), updated_block: meta.block_number })
        .where('token_id', '=', id)
        .execute();
      await touchAsset(db, id, meta);
      return refreshAskingPrice(db, id);
    }
    case 'Cancelled': {
      const id = event.args.tokenId.toString();
      await db
        .updateTable('listings')
        .set({ active: false, updated_block: meta.block_number })
        .where('token_id', '=', id)
        .execute();
      await touchAsset(db, id, meta);
      return refreshAskingPrice(db, id);
    }
    case 'Sold': {
      const { tokenId, seller, buyer, currency, price, royaltyReceiver, royalty, protocolFee } = event.args;
      const id = tokenId.toString();
      await db
        .insertInto('sales')
        .values({
          ...meta,
          token_id: id,
          seller: lower(seller),
          buyer: lower(buyer),
          currency: lower(currency),
          price: price.toString(),
          royalty_receiver: lower(royaltyReceiver),
          royalty: royalty.toString(),
          fee: protocolFee.toString(),
        })
        .onConflict((oc) => oc.columns(['tx_hash', 'log_index']).doNothing())
        .execute();
      await db
        .updateTable('listings')
        .set({ active: false, updated_block: meta.block_number })
        .where('token_id', '=', id)
        .execute();
      await touchAsset(db, id, meta);
      return refreshAskingPrice(db, id);
    }
    default:
      return;
  }
}

async function touchAsset(db: Db, id: string, meta: Meta): Promise<void> {
  await db.updateTable('assets').set({ updated_block: meta.block_number }).where('id', '=', id).execute();
}

// ───────────────────────────── licences ─────────────────────────────

async function applyLicenses(db: Db, event: EventOf<'licenses'>, meta: Meta): Promise<void> {
  switch (event.eventName) {
    case 'TermsSet': {
      const { assetId, currency, price, duration } = event.args;
      const id = assetId.toString();
      await db
        .updateTable('assets')
        .set({
          licence_currency: lower(currency),
          licence_price_wei: price.toString(),
          licence_duration: duration.toString(),
          licence_active: true,
          updated_block: meta.block_number,
        })
        .where('id', '=', id)
        .execute();
      return refreshAskingPrice(db, id);
    }
    case 'LicensingClosed': {
      const id = event.args.assetId.toString();
      await db
        .updateTable('assets')
        .set({ licence_active: false, updated_block: meta.block_number })
        .where('id', '=', id)
        .execute();
      return refreshAskingPrice(db, id);
    }
    case 'LicensePurchased': {
      const { assetId, buyer, licensee, currency, price, royalty, protocolFee, expiresAt } = event.args;
      const id = assetId.toString();
      const expires_at = expiryDate(expiresAt);
      await db
        .insertInto('licence_purchases')
        .values({
          ...meta,
          asset_id: id,
          buyer: lower(buyer),
          licensee: lower(licensee),
          currency: lower(currency),
          price: price.toString(),
          royalty: royalty.toString(),
          fee: protocolFee.toString(),
          expires_at,
        })
        .onConflict((oc) => oc.columns(['tx_hash', 'log_index']).doNothing())
        .execute();
      await db
        .insertInto('licences')
        .values({
          asset_id: id,
          licensee: lower(licensee),
          expires_at,
          currency: lower(currency),
          price: price.toString(),
          purchases: 1,
          first_block: meta.block_number,
          updated_block: meta.block_number,
        })
        .onConflict((oc) =>
          oc.columns(['asset_id', 'licensee']).doUpdateSet((eb) => ({
            expires_at: eb.ref('excluded.expires_at'),
            currency: eb.ref('excluded.currency'),
            price: eb.ref('excluded.price'),
            purchases: eb('licences.purchases', '+', 1),
            updated_block: eb.ref('excluded.updated_block'),
          })),
        )
        .execute();
      return;
    }
    default:
      return;
  }
}

// ───────────────────────────── providers ─────────────────────────────

async function applyProviderRegistry(db: Db, event: EventOf<'providerRegistry'>, meta: Meta): Promise<void> {
  if (!('provider' in event.args)) return; // governance parameters
  const address = lower(event.args.provider);
  if (event.eventName === 'ProviderRegistered') {
    await db
      .insertInto('providers')
      .values({
        address,
        stake: event.args.stake.toString(),
        unbonding: '0',
        metadata_uri: event.args.metadataURI,
        registered_block: meta.block_number,
        updated_block: meta.block_number,
      })
      .onConflict((oc) => oc.column('address').doNothing())
      .execute();
    return;
  }
  const provider = await db.selectFrom('providers').selectAll().where('address', '=', address).executeTakeFirst();
  if (!provider) return; // e.g. a slash of an account that never registered
  const stake = BigInt(provider.stake);
  const unbonding = BigInt(provider.unbonding);
  const update = (set: Omit<Updateable<Database['providers']>, 'address'>) =>
    db
      .updateTable('providers')
      .set({ ...set, updated_block: meta.block_number })
      .where('address', '=', address)
      .execute();
  switch (event.eventName) {
    case 'MetadataUpdated':
      await update({ metadata_uri: event.args.metadataURI });
      return;
    case 'StakeIncreased':
      await update({ stake: event.args.stake.toString() });
      return;
    case 'UnbondRequested':
      await update({
        stake: (stake - event.args.amount).toString(),
        unbonding: (unbonding + event.args.amount).toString(),
        unbondable_at: toDate(event.args.unbondableAt),
      });
      return;
    case 'Withdrawn':
      await update({ unbonding: (unbonding - event.args.amount).toString() });
      return;
    case 'Slashed': {
      // The registry takes from stake first, then from unbonding funds.
      const taken = event.args.slashed;
      const fromStake = taken < stake ? taken : stake;
      const stakeAfter = stake - fromStake;
      // The fault settles the lock that backed it (by the amount requested), and locked never exceeds stake.
      let locked = BigInt(provider.locked_stake);
      if (locked !== 0n) {
        locked = event.args.requested < locked ? locked - event.args.requested : 0n;
        if (locked > stakeAfter) locked = stakeAfter;
      }
      await update({
        stake: stakeAfter.toString(),
        unbonding: (unbonding - (taken - fromStake)).toString(),
        slashed: provider.slashed + 1,
        slashed_amount: (BigInt(provider.slashed_amount) + taken).toString(),
        locked_stake: locked.toString(),
      });
      return;
    }
    case 'StakeLocked':
    case 'StakeUnlocked':
      // Both carry the provider's new total lock.
      await update({ locked_stake: event.args.locked.toString() });
      return;
    default:
      // `ReputationUpdated` (a REPORTER_ROLE holder's counters) is not folded in: no contract holds that role, and the
      // result counters are the ComputeEscrow settlements' (`countResults`).
      return;
  }
}

// ───────────────────────────── rebuild ─────────────────────────────

/** Deletes the state rows of one entity (not its event rows). */
async function clearEntity(db: Db, entity: string): Promise<void> {
  const [kind, key, account] = entity.split(':');
  switch (kind) {
    case 'asset':
      await db.deleteFrom('content_bindings').where('asset_id', '=', key).execute(); // re-derived by the replay
      await db.deleteFrom('listings').where('token_id', '=', key).execute();
      await db.deleteFrom('asset_versions').where('asset_id', '=', key).execute();
      await db.deleteFrom('assets').where('id', '=', key).execute();
      return;
    case 'licence':
      await db.deleteFrom('licences').where('asset_id', '=', key).where('licensee', '=', account).execute();
      return;
    case 'provider':
      await db.deleteFrom('providers').where('address', '=', key).execute();
      return;
  }
}

/** Re-decodes a stored `chain_events` row into the event it was. */
function storedEvent(row: Database['chain_events'] & { topics: string[]; timestamp: Date }): SoukEvent {
  const event = decodeSoukLog(
    {
      address: row.address as Hex,
      topics: row.topics as unknown as [Hex, ...Hex[]],
      data: row.data as Hex,
      blockNumber: BigInt(row.block_number),
      blockHash: row.block_hash as Hex,
      transactionHash: row.tx_hash as Hex,
      logIndex: row.log_index,
      transactionIndex: 0,
      removed: false,
    },
    row.contract as IndexedContract,
    row.timestamp,
  );
  if (!event) throw new Error(`Stored event ${row.tx_hash}:${row.log_index} no longer decodes.`);
  return event;
}

/**
 * Rebuilds the state rows of the given entities from their events in `chain_events` (in chain order). An entity
 * with no events left disappears.
 *
 * @param db A transaction.
 * @param entities Entity keys as {@link entityOf} returns them.
 */
export async function rebuildEntities(db: Db, entities: Iterable<string>): Promise<void> {
  for (const entity of entities) {
    await clearEntity(db, entity);
    const rows = await db
      .selectFrom('chain_events')
      .selectAll()
      .where('entity', '=', entity)
      .orderBy('block_number')
      .orderBy('log_index')
      .execute();
    for (const row of rows) await applyEvent(db, storedEvent(row as never));
    if (entity.startsWith('provider:')) await recountResults(db, [entity.slice('provider:'.length)]);
  }
}

/**
 * Rebuilds every state table from `chain_events` (the event tables are kept). Same result as indexing the chain
 * again; useful after a change of the derivation rules.
 *
 * @example
 * ```ts
 * import { rebuildState } from './indexer/apply.ts'
 * await db.transaction().execute((trx) => rebuildState(trx))
 * ```
 * @param db A transaction.
 */
export async function rebuildState(db: Db): Promise<void> {
  for (const table of ['content_bindings', 'listings', 'asset_versions', 'assets', 'licences', 'providers'] as const) {
    await db.deleteFrom(table).execute();
  }
  const rows = await db
    .selectFrom('chain_events')
    .selectAll()
    .where('entity', 'is not', null)
    .orderBy('block_number')
    .orderBy('log_index')
    .execute();
  for (const row of rows) await applyEvent(db, storedEvent(row as never));
  await recountResults(db);
}

/**
 * `ComputeEscrow` (compute protocol v2): settlements and escrow movements, each one row of an event table.
 * Governance parameters, nonce invalidations and skipped batch entries change no table (they stay in `chain_events`).
 */
async function applyComputeEscrow(db: Db, event: EventOf<'computeEscrow'>, meta: Meta): Promise<void> {
  const addresses = (list: readonly string[]) => JSON.stringify(list.map(lower));
  const settlement = (row: Omit<Parameters<typeof insertSettlement>[1], keyof Meta>) =>
    insertSettlement(db, { ...meta, ...row });
  const movement = (row: Omit<Parameters<typeof insertMovement>[1], keyof Meta>) =>
    insertMovement(db, { ...meta, ...row });
  switch (event.eventName) {
    case 'JobSettled':
      await settlement({
        order_hash: lower(event.args.orderHash),
        kind: 'batch',
        requester: lower(event.args.requester),
        model_id: event.args.modelId.toString(),
        currency: lower(event.args.currency),
        amount: event.args.amount.toString(),
        result_hash: lower(event.args.resultHash),
        paid: addresses(event.args.providers),
        slashed: '[]',
      });
      return countResults(db, event.args.providers, 'completed');
    case 'DisputeSettled':
      await settlement({
        order_hash: lower(event.args.orderHash),
        kind: 'dispute',
        requester: null,
        model_id: null,
        currency: null,
        amount: null,
        result_hash: lower(event.args.correctResultHash),
        paid: addresses(event.args.paid),
        slashed: addresses(event.args.slashed),
      });
      return countResults(db, event.args.slashed, 'failed');
    case 'Deposited':
      return movement({
        kind: 'deposit',
        currency: lower(event.args.currency),
        account: lower(event.args.account),
        counterparty: lower(event.args.from),
        amount: event.args.amount.toString(),
        unlock_at: null,
      });
    case 'WithdrawalRequested':
      return movement({
        kind: 'withdrawal_requested',
        currency: lower(event.args.currency),
        account: lower(event.args.account),
        counterparty: null,
        amount: event.args.amount.toString(),
        unlock_at: toDate(event.args.unlockAt),
      });
    case 'WithdrawalCancelled':
      return movement({
        kind: 'withdrawal_cancelled',
        currency: lower(event.args.currency),
        account: lower(event.args.account),
        counterparty: null,
        amount: null,
        unlock_at: null,
      });
    case 'Withdrawn':
      return movement({
        kind: 'withdrawal',
        currency: lower(event.args.currency),
        account: lower(event.args.account),
        counterparty: lower(event.args.to),
        amount: event.args.amount.toString(),
        unlock_at: null,
      });
    default:
      return;
  }
}

/**
 * A provider's result counters (`providers.completed` / `failed`, the scheduler's reputation inputs): one more paid
 * order for each provider a `JobSettled` pays, one more failure for each provider a `DisputeSettled` slashes (on its
 * own signed attestation). A fold of the ComputeEscrow events: {@link recountResults} recomputes them after a reorg.
 */
async function countResults(db: Db, providers: readonly string[], column: 'completed' | 'failed'): Promise<void> {
  if (providers.length === 0) return;
  await db
    .updateTable('providers')
    .set((eb) => ({ [column]: eb(column, '+', 1) }))
    .where('address', 'in', providers.map(lower))
    .execute();
}

/**
 * Recomputes the result counters of providers from the stored settlements (`order_settlements`): after a provider's
 * row is rebuilt from its registry events, or after a full rebuild.
 * @param addresses Lower-case addresses; none: every provider.
 */
export async function recountResults(db: Db, addresses?: readonly string[]): Promise<void> {
  if (addresses && addresses.length === 0) return;
  // Migrations older than the escrow's tables (0010) rebuild entities too: there is nothing to count from yet.
  const { rows } = await sql<{ t: string | null }>`select to_regclass('order_settlements')::text as t`.execute(db);
  if (!rows[0]?.t) return;
  let query = db.updateTable('providers').set({
    completed: sql<number>`(select count(*) from order_settlements s where s.kind = 'batch' and jsonb_exists(s.paid, providers.address))`,
    failed: sql<number>`(select count(*) from order_settlements s where s.kind = 'dispute' and jsonb_exists(s.slashed, providers.address))`,
  });
  if (addresses) query = query.where('address', 'in', addresses);
  await query.execute();
}

function insertSettlement(db: Db, row: Insertable<Database['order_settlements']>) {
  return db
    .insertInto('order_settlements')
    .values(row)
    .onConflict((oc) => oc.columns(['tx_hash', 'log_index']).doNothing())
    .execute()
    .then(() => undefined);
}

function insertMovement(db: Db, row: Insertable<Database['escrow_movements']>) {
  return db
    .insertInto('escrow_movements')
    .values(row)
    .onConflict((oc) => oc.columns(['tx_hash', 'log_index']).doNothing())
    .execute()
    .then(() => undefined);
}
