/**
 * Row types of the Souk database, as Kysely sees them. Conventions (both engines return the same JS types):
 * amounts and uint256 ids are `numeric(78,0)` read as decimal strings; block numbers are `int8` read as numbers;
 * addresses and hashes are lower-case `0x…` text; times are `timestamptz` read as `Date`.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A `timestamptz` column: read as `Date`, written as `Date` or an ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A nullable `timestamptz` column. */
export type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** A `timestamptz` column with a database default (`now()`). */
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A `numeric(78,0)` column: a uint256 as a decimal string. */
export type Numeric = string;
/** A `jsonb` column: read as a parsed value, written as a JSON string (`JSON.stringify`) — the same on both engines. */
export type Json = ColumnType<JsonValue, string, string>;
/** Any value JSON can hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Asset kinds, as `AgentNFT.AssetKind` names them (lower-case). */
export type AssetKind = 'model' | 'agent' | 'dataset';

/** `users`: accounts known to the API (created at first SIWE login). */
export interface UsersTable {
  address: string;
  username: string | null;
  email: string | null;
  created_at: GeneratedTimestamp;
}

/** `api_keys`: long-lived keys; only a hash of the key is stored. */
export interface ApiKeysTable {
  id: string;
  address: string;
  /** Hash of the key (the API decides the hash function). */
  hash: string;
  label: string | null;
  created_at: GeneratedTimestamp;
  revoked_at: NullableTimestamp;
}

/** `auth_nonces`: SIWE nonces, single use. */
export interface AuthNoncesTable {
  nonce: string;
  address: string | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

/** `refresh_tokens`: refresh tokens of SIWE sessions; only a hash is stored. */
export interface RefreshTokensTable {
  id: string;
  address: string;
  hash: string;
  /** The sign-in this token descends from (migration 0007): reusing a rotated token revokes the family. */
  family_id: string;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

/** `assets`: one row per AgentNFT token, derived from AgentNFT, Marketplace and Licenses events. */
export interface AssetsTable {
  /** Token id. */
  id: Numeric;
  kind: AssetKind;
  creator: string;
  owner: string;
  royalty_bps: number;
  /** Manifest URI of the latest version. */
  manifest_uri: string;
  /** Number of versions (≥ 1). */
  version_count: number;
  /** From the manifest, filled by the API ({@link setAssetMetadata}); null until then. */
  name: string | null;
  description: string | null;
  manifest_cid: string | null;
  content_cid: string | null;
  /** Asking price: the active listing's price, else the active licence terms' price, else null. */
  price_wei: Numeric | null;
  /** Currency of `price_wei` (`0x000…0` = native). */
  currency: string | null;
  /** Licence terms, if any were set. */
  licence_currency: string | null;
  licence_price_wei: Numeric | null;
  /** Seconds per licence; `0` = perpetual. Decimal string (uint64). */
  licence_duration: Numeric | null;
  licence_active: Generated<boolean>;
  created_block: number;
  created_at: Timestamp;
  updated_block: number;
  /** Generated full-text vector of name + description (`simple` configuration). */
  search: ColumnType<string, never, never>;
}

/** `asset_metadata`: off-chain manifest fields set by the API; survives reorgs, copied into `assets`. */
export interface AssetMetadataTable {
  asset_id: Numeric;
  name: string | null;
  description: string | null;
  manifest_cid: string | null;
  content_cid: string | null;
  updated_at: GeneratedTimestamp;
}

/** `asset_versions`: version 0 is the mint. */
export interface AssetVersionsTable {
  asset_id: Numeric;
  version: number;
  uri: string;
  block_number: number;
  tx_hash: string;
  created_at: Timestamp;
}

/** `transfers`: ERC-721 Transfer events of AgentNFT (event rows). */
export interface TransfersTable {
  tx_hash: string;
  log_index: number;
  token_id: Numeric;
  from_address: string;
  to_address: string;
  block_number: number;
  timestamp: Timestamp;
}

/** `listings`: the Marketplace listing of each token (one per token; `active` false once sold/cancelled/stale). */
export interface ListingsTable {
  token_id: Numeric;
  seller: string;
  currency: string;
  price: Numeric;
  active: boolean;
  listed_block: number;
  listed_at: Timestamp;
  updated_block: number;
}

/** `sales`: Marketplace `Sold` events (event rows). */
export interface SalesTable {
  tx_hash: string;
  log_index: number;
  token_id: Numeric;
  seller: string;
  buyer: string;
  currency: string;
  price: Numeric;
  royalty_receiver: string;
  royalty: Numeric;
  fee: Numeric;
  block_number: number;
  timestamp: Timestamp;
}

/** `licences`: current licence of each (asset, licensee); `expires_at` null = perpetual. */
export interface LicencesTable {
  asset_id: Numeric;
  licensee: string;
  expires_at: NullableTimestamp;
  currency: string;
  /** Price of the latest purchase, wei. */
  price: Numeric;
  purchases: number;
  first_block: number;
  updated_block: number;
}

/** `licence_purchases`: Licenses `LicensePurchased` events (event rows). */
export interface LicencePurchasesTable {
  tx_hash: string;
  log_index: number;
  asset_id: Numeric;
  buyer: string;
  licensee: string;
  currency: string;
  price: Numeric;
  royalty: Numeric;
  fee: Numeric;
  expires_at: NullableTimestamp;
  block_number: number;
  timestamp: Timestamp;
}

/** `providers`: ProviderRegistry records. */
export interface ProvidersTable {
  address: string;
  stake: Numeric;
  unbonding: Numeric;
  unbondable_at: NullableTimestamp;
  completed: Generated<number>;
  failed: Generated<number>;
  /** Times slashed. */
  slashed: Generated<number>;
  /** SOUK wei taken by slashing, in all. */
  slashed_amount: Generated<Numeric>;
  /** SOUK wei of `stake` locked by open assignments (`ProviderRegistry.lockedStake`); free = stake − locked. */
  locked_stake: Generated<Numeric>;
  metadata_uri: string;
  registered_block: number;
  updated_block: number;
}

/** `chain_events`: every decoded log of the Souk contracts (the source the state tables are rebuilt from). */
export interface ChainEventsTable {
  tx_hash: string;
  log_index: number;
  block_number: number;
  block_hash: string;
  /** Contract key: `agentNft`, `marketplace`, `licenses`, `providerRegistry`, `computeEscrow`. */
  contract: string;
  address: string;
  event: string;
  /** State entity the event changes (`asset:1`, `provider:0x…`, `licence:1:0x…`), null for parameters. */
  entity: string | null;
  /** Decoded arguments; uint as decimal strings, addresses lower-case. */
  args: Json;
  /** The raw log's topics (hex), kept so state can be rebuilt by decoding the logs again. */
  topics: ColumnType<string[], string, string>;
  /** The raw log's data (hex). */
  data: string;
  timestamp: Timestamp;
}

/** `indexer_checkpoints`: last block fully applied, per indexer. */
export interface IndexerCheckpointsTable {
  name: string;
  block_number: number;
  block_hash: string | null;
  updated_at: GeneratedTimestamp;
}

/** `blocks`: recently indexed blocks (those with events, and each batch's last), for reorg detection. */
export interface BlocksTable {
  number: number;
  hash: string;
  timestamp: Timestamp;
}

/** `uploads` (migration 0002): content stored through the gateway; the asset key wrapped under the master key. */
export interface UploadsTable {
  id: string;
  uploader: string;
  content_cid: string;
  /** Plaintext bytes. */
  size: ColumnType<number, number, number>;
  sha256: string;
  wrapped_key: string | null;
  encryption: ColumnType<JsonValue | null, string | null, string | null>;
  created_at: GeneratedTimestamp;
}

/** `manifests` (migration 0002): manifests this node wrote, by CID. */
export interface ManifestsTable {
  cid: string;
  upload_id: string;
  kind: AssetKind;
  name: string;
  description: string | null;
  created_by: string;
  created_at: GeneratedTimestamp;
  /**
   * A derived model's lineage royalty split (migration 0015), JSON `[{ account, bps, assetId, role }]`: its content
   * binds only to an asset minted through `LineageRoyalties.mintDerived` with these accounts and shares. Null: none.
   */
  royalties: ColumnType<string | null, string | null | undefined, string | null>;
  /** The training order a trained model's lineage names (migration 0018), lower-case; null for other manifests. */
  training_order: ColumnType<string | null, string | null | undefined, string | null>;
}

/**
 * `model_lineages` (migration 0018): a model version whose content bound to a manifest with a lineage, until its
 * `Lineages.record` transaction is mined (`chain_tx`).
 */
export interface ModelLineagesTable {
  asset_id: Numeric;
  version: number;
  manifest_cid: string;
  /** The mined `Lineages.record` transaction; null while pending. */
  chain_tx: ColumnType<string | null, string | null | undefined, string | null>;
  /** Failed sends so far (the leader gives up after a few; the error stays in `last_error`). */
  attempts: ColumnType<number, number | undefined, number>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: number | string;
}

/** Who recorded a content binding: the node after submitting the publish, the indexer, the gateway, or migration 0004. */
export type ContentBindingSource = 'node' | 'indexer' | 'gateway' | 'backfill';

/**
 * `content_bindings` (migration 0004): the one asset whose manifest may release an upload's content — the asset its
 * publisher (the uploader) minted or versioned with it first. See `gateway/contentBinding.ts` and docs/manifest.md.
 */
export interface ContentBindingsTable {
  upload_id: string;
  asset_id: Numeric;
  /** The version that first carried the content (0: the mint). */
  version: number;
  /** The uploader, lower-case; the asset's creator (version 0) or its owner when it published the version. */
  publisher: string;
  /** The publishing transaction, when known. */
  tx_hash: string | null;
  source: ContentBindingSource;
  created_at: GeneratedTimestamp;
}

/** `access_nonces` (migration 0002): used EIP-712 access-request nonces (replay protection). */
export interface AccessNoncesTable {
  nonce: string;
  consumer: string;
  asset_id: Numeric;
  expires_at: Timestamp;
  used_at: GeneratedTimestamp;
}

/** `job_access_nonces` (migration 0003): used EIP-712 job-access nonces. */
export interface JobAccessNoncesTable {
  nonce: string;
  provider: string;
  job_id: Numeric;
  expires_at: Timestamp;
  used_at: GeneratedTimestamp;
}

/**
 * `orders` (migration 0009): signed job orders of compute protocol v2 and the coordinator's state of each
 * (`orders/state.ts`). Amounts are wei of `currency` (decimal); `deadline` Unix seconds.
 */
export interface OrdersTable {
  order_hash: string;
  requester: string;
  model_id: Numeric;
  model_version: number;
  input_hash: string;
  input_cid: string;
  input_size: number;
  currency: string;
  max_price: Numeric;
  amount: Numeric;
  redundancy: number;
  /** `JobOrder.verification`: 0 exact, 1 tolerance (migration 0011). */
  verification: Generated<number>;
  deadline: ColumnType<string, string | number, string | number>;
  nonce: Numeric;
  requester_signature: string;
  phase: string;
  state: ColumnType<JsonValue, string, string>;
  result_hash: string | null;
  result_cid: string | null;
  settle_tx: string | null;
  reason: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/**
 * `order_payloads` (migration 0012): an order's input and agreed result bytes, shared by every node of a scale-out
 * market (their blockstores are their own).
 */
export interface OrderPayloadsTable {
  order_hash: string;
  /** The input bytes (absent for inputs larger than `MAX_SHARED_INPUT_BYTES`: read from the upload). */
  input: Uint8Array | null;
  /** The agreed result bytes, once agreed. */
  result: Uint8Array | null;
}

/** `model_evaluations` (migration 0013): a verified evaluation of a model, one row per agreed evaluation order. */
export interface ModelEvaluationsTable {
  order_hash: string;
  /** Decimal string (numeric). */
  model_id: string;
  model_version: number;
  /** SHA-256 (hex) of the dataset evaluated on. */
  dataset_sha256: string;
  samples: number;
  classes: number;
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  /** JSON `number[][]`, `[actual][predicted]`. */
  confusion: string;
  /** JSON array of the attesting providers (lower case). */
  providers: string;
  result_hash: string;
  /** Unix ms. */
  created_at: number | string;
  /** The `Evaluations.record` transaction, once mined (migration 0016); null before. */
  chain_tx: ColumnType<string | null, string | null | undefined, string | null>;
}

/** `round_runs` (migration 0017): a federated run a requester declared. */
export interface RoundRunsTable {
  id: string;
  /** Lower case. */
  requester: string;
  recipe_id: string;
  shards: number;
  rounds: number;
  /** JSON array of each shard's SHA-256 (hex), fixed by round 0's updates; null before. */
  shard_hashes: ColumnType<string | null, string | null | undefined, string | null>;
  /** Unix ms. */
  created_at: number | string;
}

/** `round_entries` (migration 0017): a round the node verified and aggregated. */
export interface RoundEntriesTable {
  run_id: string;
  round: number;
  /** JSON array of the update orders' hashes, in shard order. */
  orders: string;
  /** The FedAvg aggregate (`@souk/protocol`'s `encodeWeights` layout). */
  aggregate: Uint8Array;
  aggregate_hash: string;
  loss: number;
  accuracy: number;
  samples: number;
  /** Unix ms. */
  created_at: number | string;
}

/** `order_settlements`: one row per `ComputeEscrow` `JobSettled` / `DisputeSettled` log. */
export interface OrderSettlementsTable {
  tx_hash: string;
  log_index: number;
  order_hash: string;
  /** `batch` (`settleBatch`'s `JobSettled`) or `dispute` (`settleDispute`'s `DisputeSettled`). */
  kind: 'batch' | 'dispute';
  /** Who paid (`JobSettled` only; a dispute's requester is in its `JobSettled`, when anyone was charged). */
  requester: string | null;
  model_id: Numeric | null;
  currency: string | null;
  /** Wei of `currency` charged (`JobSettled` only). */
  amount: Numeric | null;
  result_hash: string;
  /** Providers paid, lower-case addresses (JSON array). */
  paid: ColumnType<string[], string, string>;
  /** Providers slashed, lower-case addresses (JSON array; empty for a batch). */
  slashed: ColumnType<string[], string, string>;
  block_number: number;
  timestamp: Timestamp;
}

/** `escrow_movements`: one row per `ComputeEscrow` deposit / withdrawal log. */
export interface EscrowMovementsTable {
  tx_hash: string;
  log_index: number;
  kind: 'deposit' | 'withdrawal_requested' | 'withdrawal_cancelled' | 'withdrawal';
  currency: string;
  /** Whose balance. */
  account: string;
  /** The payer of a deposit (`depositFor`) or the receiver of a withdrawal. */
  counterparty: string | null;
  /** Wei of `currency` (null for a cancellation). */
  amount: Numeric | null;
  /** When a requested withdrawal unlocks. */
  unlock_at: NullableTimestamp;
  block_number: number;
  timestamp: Timestamp;
}

/** The whole database, for `Kysely<Database>`. */
export interface Database {
  order_settlements: OrderSettlementsTable;
  escrow_movements: EscrowMovementsTable;
  orders: OrdersTable;
  order_payloads: OrderPayloadsTable;
  model_evaluations: ModelEvaluationsTable;
  job_access_nonces: JobAccessNoncesTable;
  uploads: UploadsTable;
  manifests: ManifestsTable;
  model_lineages: ModelLineagesTable;
  round_runs: RoundRunsTable;
  round_entries: RoundEntriesTable;
  content_bindings: ContentBindingsTable;
  access_nonces: AccessNoncesTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  auth_nonces: AuthNoncesTable;
  refresh_tokens: RefreshTokensTable;
  assets: AssetsTable;
  asset_metadata: AssetMetadataTable;
  asset_versions: AssetVersionsTable;
  transfers: TransfersTable;
  listings: ListingsTable;
  sales: SalesTable;
  licences: LicencesTable;
  licence_purchases: LicencePurchasesTable;
  providers: ProvidersTable;
  chain_events: ChainEventsTable;
  indexer_checkpoints: IndexerCheckpointsTable;
  blocks: BlocksTable;
}

/** A selected `assets` row. */
export type Asset = Selectable<AssetsTable>;
/** A new `assets` row. */
export type NewAsset = Insertable<AssetsTable>;
/** An `assets` update. */
export type AssetUpdate = Updateable<AssetsTable>;
/** A selected `providers` row. */
export type Provider = Selectable<ProvidersTable>;
/** A selected `listings` row. */
export type Listing = Selectable<ListingsTable>;
/** A selected `licences` row. */
export type Licence = Selectable<LicencesTable>;
