/**
 * The `orders` table (migration 0009) as the coordinator and settler use it: one row per accepted order, its state
 * (`state.ts`) written through on every change.
 */
import type { JobOrder } from '@souk/protocol';
import type { Kysely } from 'kysely';
import { type Address, getAddress, type Hex } from 'viem';
import type { Database, SoukDb } from '../db/index.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { contentStream, readAll } from '../gateway/assetContent.ts';
import type { NodeServices } from '../services.ts';
import { type OrderState, TERMINAL_PHASES } from './state.ts';

/** An accepted order with everything the node keeps about it. */
export type OpenOrder = {
  /** EIP-712 hash of the order (lower-case): its id everywhere. */
  hash: Hex;
  order: JobOrder;
  /** The requester's EIP-712 signature of the order. */
  signature: Hex;
  /** What settlement will charge, wei of `order.currency` (≤ `maxPrice`). */
  amount: bigint;
  /** The upload row holding the input (an upload of the requester). */
  inputUpload: string;
  /** Input size, bytes. */
  inputSize: number;
  state: OrderState;
  /** CID of the agreed result bytes in the node's store. */
  resultCid: string | null;
  /** Why it ended failed, expired or unpaid. */
  reason: string | null;
};

type Row = {
  order_hash: string;
  requester: string;
  model_id: string;
  model_version: number;
  input_hash: string;
  input_cid: string;
  input_size: number;
  currency: string;
  max_price: string;
  amount: string;
  redundancy: number;
  verification?: number | undefined;
  deadline: string | number;
  nonce: string;
  requester_signature: string;
  state: unknown;
  result_cid: string | null;
  reason: string | null;
};

/** Turns a row into an {@link OpenOrder}. */
export function fromRow(row: Row): OpenOrder {
  return {
    hash: row.order_hash as Hex,
    order: {
      requester: getAddress(row.requester) as Address,
      modelId: BigInt(row.model_id),
      modelVersion: row.model_version,
      inputHash: row.input_hash as Hex,
      currency: getAddress(row.currency) as Address,
      maxPrice: BigInt(row.max_price),
      redundancy: row.redundancy,
      verification: row.verification ?? 0,
      deadline: BigInt(row.deadline),
      nonce: BigInt(row.nonce),
    },
    signature: row.requester_signature as Hex,
    amount: BigInt(row.amount),
    inputUpload: row.input_cid,
    inputSize: row.input_size,
    state: (typeof row.state === 'string' ? JSON.parse(row.state) : row.state) as OrderState,
    resultCid: row.result_cid,
    reason: row.reason,
  };
}

/** Every order not in a terminal phase, oldest first. */
export async function loadOpenOrders(db: SoukDb): Promise<OpenOrder[]> {
  const rows = await db
    .selectFrom('orders')
    .selectAll()
    .where('phase', 'not in', [...TERMINAL_PHASES])
    .orderBy('created_at')
    .execute();
  return rows.map((row) => fromRow(row as unknown as Row));
}

/** One order by hash, or undefined. */
export async function findOrder(db: Kysely<Database>, hash: string): Promise<OpenOrder | undefined> {
  const row = await db.selectFrom('orders').selectAll().where('order_hash', '=', hash.toLowerCase()).executeTakeFirst();
  return row ? fromRow(row as unknown as Row) : undefined;
}

/**
 * Largest input kept in the shared database with its order (`order_payloads`), bytes: every inline input (≤ 1 MiB)
 * and uploads up to this size. A larger input is read from its upload, i.e. from the storage of the node that
 * accepted it (or a storage all nodes share, `KUBO_API_URL`) — docs/deploy.md.
 */
export const MAX_SHARED_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * Inserts a newly accepted order (in the caller's transaction, when it is one).
 * @returns `false` when the requester already used this nonce for an order (nothing written).
 */
export async function insertOrder(db: Kysely<Database>, order: OpenOrder): Promise<boolean> {
  const o = order.order;
  const inserted = await db
    .insertInto('orders')
    .values({
      order_hash: order.hash,
      requester: o.requester.toLowerCase(),
      model_id: String(o.modelId),
      model_version: o.modelVersion,
      input_hash: o.inputHash,
      input_cid: order.inputUpload,
      input_size: order.inputSize,
      currency: o.currency.toLowerCase(),
      max_price: String(o.maxPrice),
      amount: String(order.amount),
      redundancy: o.redundancy,
      verification: o.verification,
      deadline: String(o.deadline),
      nonce: String(o.nonce),
      requester_signature: order.signature,
      phase: order.state.phase,
      state: JSON.stringify(order.state),
    })
    .onConflict((oc) => oc.doNothing())
    .returning('order_hash')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Writes an order's state, phase, result and reason.
 * @param stateJson - `JSON.stringify(order.state)`, when the caller has it already.
 */
export async function saveOrder(db: SoukDb, order: OpenOrder, stateJson = JSON.stringify(order.state)): Promise<void> {
  await db
    .updateTable('orders')
    .set({
      phase: order.state.phase,
      state: stateJson,
      result_hash: order.state.resultHash ?? null,
      result_cid: order.resultCid,
      settle_tx: order.state.settleTx ?? null,
      reason: order.reason,
      updated_at: new Date(),
    })
    .where('order_hash', '=', order.hash)
    .execute();
}

/**
 * Keeps an order's input bytes in the shared database (`order_payloads`), so whichever node coordinates the order
 * reads them without the accepting node's storage. Call in the transaction that inserts the order.
 * @param input - The input plaintext (at most {@link MAX_SHARED_INPUT_BYTES}; larger ones are not kept).
 * @returns Whether the bytes were kept.
 */
export async function saveOrderInput(db: Kysely<Database>, orderHash: Hex, input: Uint8Array): Promise<boolean> {
  if (input.length > MAX_SHARED_INPUT_BYTES) return false;
  await db
    .insertInto('order_payloads')
    .values({ order_hash: orderHash, input: Buffer.from(input), result: null })
    .onConflict((oc) => oc.column('order_hash').doUpdateSet({ input: Buffer.from(input) }))
    .execute();
  return true;
}

/**
 * Keeps an order's agreed result bytes in the shared database, so every node answers `GET /orders/:hash` with
 * them (the coordinator's blockstore is its own).
 * @param result - The agreed result bytes (at most `MAX_INLINE_RESULT_BYTES`: they came in a bus message).
 */
export async function saveOrderResult(db: Kysely<Database>, orderHash: Hex, result: Uint8Array): Promise<void> {
  await db
    .insertInto('order_payloads')
    .values({ order_hash: orderHash, input: null, result: Buffer.from(result) })
    .onConflict((oc) => oc.column('order_hash').doUpdateSet({ result: Buffer.from(result) }))
    .execute();
}

/** The agreed result bytes kept in the shared database, or undefined. */
export async function findOrderResult(db: Kysely<Database>, orderHash: Hex): Promise<Uint8Array | undefined> {
  const row = await db
    .selectFrom('order_payloads')
    .select('result')
    .where('order_hash', '=', orderHash.toLowerCase())
    .executeTakeFirst();
  return row?.result ? new Uint8Array(row.result) : undefined;
}

/**
 * The plaintext of an upload held by `requester` (an order's input must be the requester's own upload).
 * @throws {NotFoundError} (404) When there is no such upload.
 * @throws {ForbiddenError} (403) When it belongs to another account.
 */
export async function requesterUpload(
  services: Pick<NodeServices, 'db' | 'storage'>,
  uploadId: string,
  requester: string,
): Promise<Uint8Array> {
  const upload = await services.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirst();
  if (!upload) throw new NotFoundError(`No upload ${uploadId}.`);
  if (upload.uploader !== requester.toLowerCase()) throw new ForbiddenError('That upload belongs to another account.');
  return uploadPlaintext(services, upload);
}

/**
 * The input bytes of an order: the copy in the shared database (`saveOrderInput`) when there is one, else read from
 * its upload (an upload of the requester, checked at acceptance).
 * @throws {NotFoundError} When neither is there (the upload is gone, or in another node's storage).
 */
export async function orderInput(
  services: Pick<NodeServices, 'db' | 'storage'>,
  order: Pick<OpenOrder, 'hash' | 'inputUpload'>,
): Promise<Uint8Array> {
  const kept = await services.db
    .selectFrom('order_payloads')
    .select('input')
    .where('order_hash', '=', order.hash)
    .executeTakeFirst();
  if (kept?.input) return new Uint8Array(kept.input);
  const upload = await services.db
    .selectFrom('uploads')
    .selectAll()
    .where('id', '=', order.inputUpload)
    .executeTakeFirst();
  if (!upload) throw new NotFoundError(`The input upload of order ${order.hash} is gone.`);
  return uploadPlaintext(services, upload);
}

/** An upload row's verified plaintext. */
async function uploadPlaintext(
  services: Pick<NodeServices, 'db' | 'storage'>,
  upload: { id: string; content_cid: string; size: number | string; sha256: string; wrapped_key: string | null },
): Promise<Uint8Array> {
  return readAll(
    await contentStream(services, {
      cid: upload.content_cid,
      size: Number(upload.size),
      sha256: upload.sha256,
      encrypted: upload.wrapped_key !== null,
      uploadId: upload.id,
    }),
  );
}
