/**
 * Accepting a job order (compute protocol v2, `POST /api/v1/orders`): every check runs before anything is written
 * or any provider hears of it, so a refused order leaves nothing behind; an accepted order is a row (with its
 * input stored) before the node answers, so an acknowledged order survives a crash.
 *
 * Checks, in order: the order's canonical form; the caller is its requester; the requester's EIP-712 signature
 * (EOA or EIP-1271 wallet); redundancy 1…5 and a known verification class (the model's declared one, checked with the
 * model); a deadline that leaves working and
 * settlement time and does not outlive the escrow's withdrawal delay; the nonce unused (on-chain and here) with no
 * on-chain invalidation of it taking effect before the deadline; the model
 * (bound, runnable, the version signed is the current one); the input (its SHA-256 is the order's `inputHash`, and the
 * model can take it; a batch order's container: well formed, `maxPrice` a multiple of its inputs, each input one the
 * model can take, `batch.ts`; a dataset reference: a training recipe, a dataset the requester may train on,
 * `compute/trainingData.ts`); the escrow balance (balance − pending withdrawal − what the requester's open orders
 * already reserve ≥ the price).
 *
 * Every node of a market accepts (docs/deploy.md "Orders on every node"): the leader hands the stored order to its
 * coordinator at once; a standby stores it in the shared database — the order, and its input in `order_payloads` —
 * in the state the coordinator's crash recovery loads, and tells the leader over the job bus
 * (`<prefix>.orders.accepted`); the leader also sweeps for stored orders it does not hold. The reservation check is
 * race-free across nodes: on PostgreSQL the balance check and the insert run in one transaction holding
 * `pg_advisory_xact_lock` keyed by the requester, so two nodes accepting orders of one requester at once take turns;
 * PGlite belongs to one process, where an in-process lock per requester does the same.
 */
import { createHash } from 'node:crypto';
import { computeEscrowAbi } from '@souk/contracts';
import {
  decodeEvaluation,
  hashJobOrder,
  isBatch,
  isEvaluation,
  type JobOrder,
  type JobOrderJson,
  jobOrderTypedData,
  MAX_REDUNDANCY,
  normaliseJobOrder,
  type OrderAccepted,
  orderSubjects,
  Verification,
  verificationCode,
  verificationName,
} from '@souk/protocol';
import { type Kysely, sql } from 'kysely';
import { type Address, type Hex, recoverTypedDataAddress } from 'viem';
import { assertInputBytes } from '../compute/inputCheck.ts';
import { assertDeclaredInputs } from '../compute/manifestInputCheck.ts';
import { assertTrainingDataset, isDatasetReference } from '../compute/trainingData.ts';
import type { Database } from '../db/index.ts';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InsufficientEscrowError,
  InvalidOrderError,
  UnauthorizedError,
} from '../errors.ts';
import { createKeyedLock, type KeyedLock } from '../lib/keyedLock.ts';
import type { NodeServices } from '../services.ts';
import type { Manifest } from '../storage/manifest.ts';
import { assertBatchInputs } from './batch.ts';
import type { OrderCoordinator } from './coordinator.ts';
import { type ChainHead, chainHead, orderModel } from './model.ts';
import { initialState } from './state.ts';
import { insertOrder, type OpenOrder, requesterUpload, saveOrderInput } from './store.ts';

/** Largest inline input of `POST /orders`, bytes (larger inputs: upload first, then pass `uploadId`). */
export const MAX_ORDER_INPUT_BYTES = 1024 * 1024;

/** Limits of acceptance. */
export type AcceptLimits = {
  /** Seconds a deadline must leave at acceptance (working plus settlement time). @default 30 */
  minDeadlineSeconds: number;
};

/** What `POST /orders` carries. */
export type AcceptOrderParameters = {
  /** The signed order; absent on the devnet path (see `devOrder`). */
  order: JobOrderJson;
  /** The requester's signature of the order. */
  signature: Hex;
  /** The input bytes (inline), or */
  input?: Uint8Array | undefined;
  /** an upload of the requester holding them. */
  uploadId?: string | undefined;
  /** The chain head read earlier in the same request (the devnet path reads it to build the order). */
  head?: ChainHead | undefined;
  /**
   * Set by the devnet path only (never from a request field): it ran `assertOrderInput` on these bytes and this
   * version's manifest before its deposit, so acceptance does not read them twice.
   */
  inputChecked?: boolean | undefined;
};

const ZERO = '0x0000000000000000000000000000000000000000' as Address;

/**
 * Serialises acceptance per requester inside one node (so its concurrent requests queue here instead of holding
 * database connections while they wait for the requester's advisory lock), by database handle: two nodes in one
 * process (tests) still take turns only through the database, as two processes do.
 */
const perRequester = new WeakMap<object, KeyedLock>();
function requesterQueue(db: object): KeyedLock {
  let lock = perRequester.get(db);
  if (!lock) {
    lock = createKeyedLock();
    perRequester.set(db, lock);
  }
  return lock;
}

/**
 * Runs `fn` while no other acceptance of `requester`'s orders runs on any node of the market: on PostgreSQL inside
 * one transaction that first takes `pg_advisory_xact_lock(hashtextextended('souk:orders:requester:<address>', 0))`
 * (released at commit or rollback, so a node that dies mid-way frees it with its session); on PGlite (one process)
 * without a transaction — the caller's in-process lock is enough, and a transaction would hold PGlite's only
 * connection through the chain reads.
 * @param fn Gets the handle to read and write with (the transaction on PostgreSQL).
 * @returns What `fn` returns, after the commit; an error from `fn` rolls everything back.
 * @throws Whatever `fn` throws, and database errors.
 * @example
 * ```ts
 * import { withRequesterLock } from './accept.ts'
 * const stored = await withRequesterLock(services.db, order.requester, async (tx) => {
 *   const { available } = await availableEscrow({ chain: services.chain, db: tx }, order.requester, order.currency)
 *   if (available < order.maxPrice) throw new InsufficientEscrowError('…')
 *   return insertOrder(tx, row)
 * })
 * ```
 */
export async function withRequesterLock<T>(
  db: Pick<NodeServices, 'db'>['db'],
  requester: Address,
  fn: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (db.engine !== 'postgres') return fn(db);
  return db.transaction().execute(async (trx) => {
    const key = `souk:orders:requester:${requester.toLowerCase()}`;
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
    return fn(trx);
  });
}

/**
 * Escrow the requester can still commit: balance − pending withdrawal − what the requester's open orders (accepted
 * by any node: they share the database) reserve, wei.
 * @param services The chain, and the database (or the acceptance transaction) to sum the open orders in.
 */
export async function availableEscrow(
  services: Pick<NodeServices, 'chain'> & { db: Kysely<Database> },
  requester: Address,
  currency: Address,
): Promise<{ balance: bigint; pending: bigint; reserved: bigint; available: bigint }> {
  const { chain, db } = services;
  const address = chain.deployment.contracts.computeEscrow as Address;
  const [balance, withdrawal, reservedRow] = await Promise.all([
    chain.publicClient.readContract({
      address,
      abi: computeEscrowAbi,
      functionName: 'balanceOf',
      args: [currency, requester],
    }) as Promise<bigint>,
    chain.publicClient.readContract({
      address,
      abi: computeEscrowAbi,
      functionName: 'pendingWithdrawal',
      args: [currency, requester],
    }) as Promise<readonly [bigint, bigint]>,
    db
      .selectFrom('orders')
      .select((eb) => eb.fn.sum<string>('amount').as('total'))
      .where('requester', '=', requester.toLowerCase())
      .where('currency', '=', currency.toLowerCase())
      .where('phase', 'not in', ['settled', 'failed', 'expired', 'unpaid'])
      .executeTakeFirst(),
  ]);
  const pending = withdrawal[0];
  const reserved = BigInt(reservedRow?.total ?? 0);
  const committed = pending + reserved;
  return { balance, pending, reserved, available: balance > committed ? balance - committed : 0n };
}

/**
 * Checks and stores an order, then hands it to the coordinator: this node's, or (a standby: `coordinator`
 * undefined) the leader's, through the shared database and a `<prefix>.orders.accepted` message on `services.bus`.
 * @param coordinator This node's coordinator, when it leads; undefined on a standby.
 * @param caller The signed-in account (must be the order's requester).
 * @returns The stored order (phase `running`).
 * @throws {BadRequestError} 400: malformed order, no input, both inputs, input too large.
 * @throws {UnauthorizedError} 401: the signature is not the requester's.
 * @throws {ForbiddenError} 403: the caller is not the requester; the upload is someone else's.
 * @throws {NotFoundError} 404: no such model or upload.
 * @throws {ConflictError} 409: the nonce was used, or an invalidation of it (`requestNonceInvalidation`) takes effect
 * before the order's deadline.
 * @throws {InsufficientEscrowError} 402: the escrow balance cannot cover the order.
 * @throws {InvalidOrderError} 422: redundancy, verification class, deadline or model version not acceptable.
 * @throws {InvalidJobInputError} 422: the input hash differs, or the model cannot take the input.
 */
export async function acceptOrder(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage' | 'bus'>,
  coordinator: OrderCoordinator | undefined,
  caller: Address,
  parameters: AcceptOrderParameters,
  limits: AcceptLimits = { minDeadlineSeconds: 30 },
): Promise<OpenOrder> {
  const { chain, db, storage } = services;
  let order: JobOrder;
  try {
    order = normaliseJobOrder(parameters.order);
  } catch (error) {
    throw new BadRequestError(`Invalid order: ${(error as Error).message}.`);
  }
  if (order.requester.toLowerCase() !== caller.toLowerCase()) {
    throw new ForbiddenError(`The order's requester is ${order.requester}, not the signed-in ${caller}.`);
  }
  const escrow = chain.deployment.contracts.computeEscrow as Address;
  const chainId = chain.deployment.chainId;
  const typedData = jobOrderTypedData(chainId, escrow, order);
  // An EOA's signature is checked locally; only when it does not recover to the requester is the chain asked (an
  // EIP-1271 contract wallet, or an EIP-6492 wrapped signature of one not deployed yet).
  const recovered = await recoverTypedDataAddress({ ...typedData, signature: parameters.signature }).catch(
    () => undefined,
  );
  const valid =
    recovered?.toLowerCase() === order.requester.toLowerCase() ||
    (await chain.publicClient
      .verifyTypedData({ address: order.requester, ...typedData, signature: parameters.signature })
      .catch(() => false));
  if (!valid)
    throw new UnauthorizedError(
      'The order signature is not the requester’s (EIP-712 JobOrder, domain "Souk ComputeEscrow" v1).',
    );
  assertOrderTerms(order);
  if (order.currency !== ZERO && !(await currencyAllowed(services, order.currency))) {
    throw new InvalidOrderError(`Currency ${order.currency} is not allowed by the ComputeEscrow.`);
  }
  // The model is read alongside the chain's facts (one round trip instead of two); its errors still come after theirs.
  // The chain's now from one read of the latest and pending blocks (the devnet path hands over its own).
  const head = parameters.head ?? chainHead(services);
  const model = orderModel(services, order.modelId);
  model.catch(() => {}); // awaited below; a refusal before that must not leave an unhandled rejection
  const [now, delay, nonceUsed, [pendingMask, invalidAt]] = await Promise.all([
    head.now,
    withdrawalDelay(services),
    chain.publicClient.readContract({
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'nonceUsed',
      args: [order.requester, order.nonce],
    }) as Promise<boolean>,
    chain.publicClient.readContract({
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'pendingNonceInvalidation',
      args: [order.requester, order.nonce >> 8n],
    }) as Promise<readonly [bigint, bigint]>,
  ]);
  assertDeadline(order, now, delay, limits);
  if (nonceUsed) throw new ConflictError(`Nonce ${order.nonce} of ${order.requester} is already used on-chain.`);
  // A pending invalidation that takes effect while the order can still settle would cancel it after its result was
  // handed out: refuse the order (one taking effect after the deadline changes nothing).
  if (((pendingMask >> (order.nonce & 255n)) & 1n) === 1n && invalidAt <= order.deadline) {
    throw new ConflictError(
      `Nonce ${order.nonce} of ${order.requester} is being invalidated on-chain (from ${invalidAt}, before the deadline ${order.deadline}).`,
    );
  }

  const { manifest, version: current } = await model;
  assertRunnable(order.modelId, manifest);
  if (order.modelVersion !== current) {
    throw new InvalidOrderError(
      `Model ${order.modelId} is at version ${current}; the order names version ${order.modelVersion}.`,
    );
  }
  const declared = verificationCode(manifest.runtime?.verification);
  if (order.verification !== declared) {
    throw new InvalidOrderError(
      `Model ${order.modelId} declares the ${verificationName(declared)} verification class (${declared}); the order asks for ${verificationName(order.verification)} (${order.verification}).`,
    );
  }

  const { bytes, uploadId } = await orderInputBytes(services, order, parameters);
  if (sha256Hex(bytes) !== order.inputHash) {
    throw new BadRequestError(
      `The input's SHA-256 is ${sha256Hex(bytes)}, not the order's inputHash ${order.inputHash}.`,
    );
  }
  // The devnet path ran these on the same bytes and manifest before its deposit (and the version check above holds
  // the manifest to the one it read); every other caller runs them here.
  if (!parameters.inputChecked) await assertOrderInput(services, { order, manifest, input: bytes });

  const hash = hashJobOrder(chainId, escrow, order).toLowerCase() as Hex;
  const accepted = await requesterQueue(db)(order.requester.toLowerCase(), () =>
    withRequesterLock(db, order.requester, async (tx) => {
      const { available } = await availableEscrow({ chain, db: tx }, order.requester, order.currency);
      if (available < order.maxPrice) {
        throw new InsufficientEscrowError(
          `The escrow balance available to ${order.requester} is ${available} wei; the order needs ${order.maxPrice}. Deposit first (POST /api/v1/orders/escrow/deposit; souk run tops the escrow up itself).`,
        );
      }
      let upload = uploadId;
      if (!upload) {
        const stored = await storage.gateway.upload({ source: [bytes], encrypt: true });
        upload = crypto.randomUUID();
        await tx
          .insertInto('uploads')
          .values({
            id: upload,
            uploader: order.requester.toLowerCase(),
            content_cid: stored.contentCid,
            size: stored.size,
            sha256: stored.sha256,
            wrapped_key: stored.wrappedKey,
            encryption: stored.encryption ? JSON.stringify(stored.encryption) : null,
          })
          .execute();
      }
      const row: OpenOrder = {
        hash,
        order,
        signature: parameters.signature.toLowerCase() as Hex,
        amount: order.maxPrice,
        inputUpload: upload,
        inputSize: bytes.length,
        state: isEvaluation(bytes)
          ? { ...initialState(), evaluation: { datasetSha256: sha256Hex(decodeEvaluation(bytes)).slice(2) } }
          : initialState(),
        resultCid: null,
        reason: null,
      };
      if (!(await insertOrder(tx, row))) {
        throw new ConflictError(`Order ${hash} (nonce ${order.nonce} of ${order.requester}) was already submitted.`);
      }
      // Scale-out: whichever node coordinates it (now, or after a failover) reads the input from the shared database.
      if (db.engine === 'postgres') await saveOrderInput(tx, hash, bytes);
      return row;
    }),
  );
  if (coordinator) await coordinator.submit(accepted, bytes);
  else await announceAccepted(services, hash);
  return accepted;
}

/**
 * The order's own terms: redundancy 1…`MAX_REDUNDANCY` and a verification class this node runs. Pure: the devnet
 * path runs it before its deposit, acceptance again on the signed order.
 * @throws {InvalidOrderError} 422: redundancy out of range, or a verification class other than exact (0) or
 *   tolerance (1).
 */
export function assertOrderTerms(order: Pick<JobOrder, 'redundancy' | 'verification'>): void {
  if (order.redundancy < 1 || order.redundancy > MAX_REDUNDANCY) {
    throw new InvalidOrderError(`Redundancy must be 1…${MAX_REDUNDANCY}, got ${order.redundancy}.`);
  }
  if (order.verification !== Verification.Exact && order.verification !== Verification.Tolerance) {
    throw new InvalidOrderError(
      `Verification class ${order.verification} is not supported (0 = exact, 1 = tolerance).`,
    );
  }
}

/**
 * The deadline window: at least `limits.minDeadlineSeconds` after the chain's now, and no further away than the
 * escrow's withdrawal delay (else the requester could withdraw the balance before the order settles).
 * @param now - The chain's now, unix seconds.
 * @param delay - `ComputeEscrow.withdrawalDelay()`, seconds.
 * @throws {InvalidOrderError} 422 outside the window.
 */
export function assertDeadline(
  order: Pick<JobOrder, 'deadline'>,
  now: number,
  delay: bigint,
  limits: AcceptLimits = { minDeadlineSeconds: 30 },
): void {
  const deadline = Number(order.deadline);
  if (deadline < now + limits.minDeadlineSeconds) {
    throw new InvalidOrderError(
      `The deadline ${deadline} must be at least ${limits.minDeadlineSeconds} s after the chain's now (${now}).`,
    );
  }
  if (deadline > now + Number(delay)) {
    throw new InvalidOrderError(
      `The deadline ${deadline} is more than the escrow's withdrawal delay (${delay} s) away: the balance could be withdrawn before it settles.`,
    );
  }
}

/**
 * `ComputeEscrow.withdrawalDelay()`, seconds (a governed parameter: read at most every 10 s per node).
 * @param services - The node's chain.
 */
export function withdrawalDelay(services: Pick<NodeServices, 'chain'>): Promise<bigint> {
  const { chain } = services;
  return governed(
    services,
    'withdrawalDelay',
    () =>
      chain.publicClient.readContract({
        address: chain.deployment.contracts.computeEscrow as Address,
        abi: computeEscrowAbi,
        functionName: 'withdrawalDelay',
      }) as Promise<bigint>,
  );
}

/**
 * Refuses an asset that cannot be run: a dataset, or an asset that declares no runtime.
 * @throws {BadRequestError} 400.
 */
export function assertRunnable(assetId: bigint, manifest: Manifest): void {
  if (manifest.kind === 'dataset') throw new BadRequestError(`Asset ${assetId} is a dataset: it cannot be run.`);
  if (!manifest.runtime) throw new BadRequestError(`Asset ${assetId} declares no runtime: it cannot be run.`);
}

/**
 * Checks that the model can take the order's input, by what the input is: a batch container (each input, and
 * `maxPrice` a multiple of their count; `batch.ts`), a dataset reference (a training recipe and a dataset the
 * requester may train on; `compute/trainingData.ts`), an evaluation container (a labelled dataset), or the model's
 * declared tensors. Reads storage (a referenced dataset) but writes nothing: the devnet path runs it before its
 * deposit, so a refused input escrows nothing.
 * @param parameters.order - The order (its requester, model and price).
 * @param parameters.manifest - The model's manifest at the order's version.
 * @param parameters.input - The input bytes (their hash already checked against the order, or about to be built
 *   from them).
 * @throws {InvalidJobInputError} 422: the model cannot take the input. {ForbiddenError} 403: no training licence.
 *   {ConflictError} 409: a referenced dataset's content changed.
 */
export async function assertOrderInput(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  { order, manifest, input }: { order: JobOrder; manifest: Manifest; input: Uint8Array },
): Promise<void> {
  if (isBatch(input)) {
    await assertBatchInputs(services, { order, manifest, container: input });
  } else if (isDatasetReference(input)) {
    await assertTrainingDataset(services, { order, manifest, input });
  } else if (isEvaluation(input)) {
    // An evaluation order: its input is a labelled dataset, not the model's declared tensors.
    await assertInputBytes(services, { assetId: order.modelId, manifest, input });
  } else {
    assertDeclaredInputs({ assetId: order.modelId, manifest, input });
    await assertInputBytes(services, { assetId: order.modelId, manifest, input });
  }
}

/**
 * Tells the leader that a standby stored an order. A failed publish is not the requester's problem: the order is
 * stored, and the leader's sweep (`OrderCoordinatorOptions.sweepMs`) adopts it a little later.
 */
async function announceAccepted(services: Pick<NodeServices, 'bus'>, orderHash: Hex): Promise<void> {
  const { bus } = services;
  if (!bus) return;
  await bus
    .publish(orderSubjects(bus.subjects.prefix).accepted, { kind: 'accepted', orderHash } satisfies OrderAccepted, {
      id: `accepted:${orderHash}`,
    })
    .catch(() => {});
}

/** Governed parameters change rarely (through the timelock): read at most every 10 s per node. */
const governedCache = new Map<string, { at: number; value: Promise<unknown> }>();
function governed<T>(services: Pick<NodeServices, 'chain'>, name: string, read: () => Promise<T>): Promise<T> {
  const key = `${services.chain.deployment.chainId}:${services.chain.deployment.contracts.computeEscrow}:${name}`;
  const hit = governedCache.get(key);
  if (hit && Date.now() - hit.at < 10_000) return hit.value as Promise<T>;
  const value = read();
  governedCache.set(key, { at: Date.now(), value });
  value.catch(() => governedCache.delete(key));
  return value;
}

/**
 * Refuses a currency the ComputeEscrow does not take, before anything is sent: a deposit in an ERC-20 first sends
 * `approve` to the currency's address, which succeeds for any address (an account without code too). `transact`
 * simulates the approve and the deposit whole and sends neither when the deposit would revert; this cached check
 * answers earlier, with the order API's code, and also where `transact` cannot (unsigned transactions, an RPC
 * without `eth_simulateV1`).
 * @param services - The node's chain.
 * @param currency - `address(0)` for native, else the ERC-20.
 * @throws {InvalidOrderError} 422 when the currency is not on the escrow's allow-list.
 */
export async function assertEscrowCurrency(services: Pick<NodeServices, 'chain'>, currency: Address): Promise<void> {
  if (currency !== ZERO && !(await currencyAllowed(services, currency))) {
    throw new InvalidOrderError(`Currency ${currency} is not allowed by the ComputeEscrow.`);
  }
}

async function currencyAllowed(services: Pick<NodeServices, 'chain'>, currency: Address): Promise<boolean> {
  return governed(services, `currency:${currency}`, () => readCurrencyAllowed(services, currency));
}

async function readCurrencyAllowed(services: Pick<NodeServices, 'chain'>, currency: Address): Promise<boolean> {
  return (await services.chain.publicClient.readContract({
    address: services.chain.deployment.contracts.computeEscrow as Address,
    abi: computeEscrowAbi,
    functionName: 'isCurrencyAllowed',
    args: [currency],
  })) as boolean;
}

async function orderInputBytes(
  services: Pick<NodeServices, 'db' | 'storage'>,
  order: JobOrder,
  { input, uploadId }: AcceptOrderParameters,
): Promise<{ bytes: Uint8Array; uploadId?: string | undefined }> {
  if ((input === undefined) === (uploadId === undefined)) {
    throw new BadRequestError('Send the input inline (`input`, base64) or as `uploadId`, exactly one.');
  }
  if (input) {
    if (input.length > MAX_ORDER_INPUT_BYTES) {
      throw new BadRequestError(`Inline inputs are at most ${MAX_ORDER_INPUT_BYTES} bytes; upload larger ones first.`);
    }
    return { bytes: input };
  }
  const bytes = await requesterUpload(services, uploadId as string, order.requester);
  return { bytes, uploadId };
}

/** `0x` + SHA-256 of bytes, hex (node:crypto: several times faster than a pure-JS hash on inputs of tens of KB). */
function sha256Hex(bytes: Uint8Array): Hex {
  return `0x${createHash('sha256').update(bytes).digest('hex')}` as Hex;
}
