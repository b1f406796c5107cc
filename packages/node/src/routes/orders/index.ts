/**
 * Compute protocol v2 over HTTP: job orders (signed by the requester, or signed by the node for devnet accounts),
 * the order record with its result and the providers' signed attestations, the requester's escrow, and the order
 * gateway providers fetch model bundles (and large inputs) through. The work itself happens in `orders/`.
 */

import { Readable } from 'node:stream';
import { computeEscrowAbi } from '@souk/contracts';
import {
  type JobOrder,
  type JobOrderJson,
  jobOrderToJson,
  jobOrderTypedData,
  MAX_REDUNDANCY,
  verificationCode,
} from '@souk/protocol';
import { JOB_ACCESS_HEADER } from '@souk/provider';
import type { FastifyInstance } from 'fastify';
import { type Address, encodeFunctionData, type Hex, sha256, zeroAddress } from 'viem';
import { payingCalls, transact } from '../../chain/transact.ts';
import { verifyJobAccessSignature } from '../../compute/jobAccess.ts';
import { isDatasetReference, referencedDatasetStream } from '../../compute/trainingData.ts';
import { BadRequestError, ForbiddenError, NotFoundError, UnavailableError } from '../../errors.ts';
import { assetManifest, contentStream, manifestContent } from '../../gateway/assetContent.ts';
import {
  acceptOrder,
  assertDeadline,
  assertEscrowCurrency,
  assertOrderInput,
  assertOrderTerms,
  assertRunnable,
  availableEscrow,
  MAX_ORDER_INPUT_BYTES,
  withdrawalDelay,
} from '../../orders/accept.ts';
import { chainHead, orderModel } from '../../orders/model.ts';
import { attestationOf, TERMINAL_PHASES } from '../../orders/state.ts';
import { findOrder, findOrderResult, type OpenOrder, orderInput, requesterUpload } from '../../orders/store.ts';
import { address, bytes32, uintString } from '../../schemas.ts';
import { authenticated as auth, problem, transactionsResult, transactMode } from '../common.ts';

type SubmitBody = {
  order?: JobOrderJson;
  signature?: Hex;
  input?: string;
  uploadId?: string;
  assetId?: string;
  redundancy?: number;
  maxPriceWei?: string;
  currency?: Address;
  deadlineSeconds?: number;
};

const orderSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'requester',
    'modelId',
    'modelVersion',
    'inputHash',
    'currency',
    'maxPrice',
    'redundancy',
    'verification',
    'deadline',
    'nonce',
  ],
  description: 'EIP-712 JobOrder (domain "Souk ComputeEscrow" v1, verifyingContract = ComputeEscrow)',
  properties: {
    requester: address,
    modelId: uintString,
    modelVersion: { type: 'integer', minimum: 0, maximum: 4294967295 },
    inputHash: { ...bytes32, description: '0x + SHA-256 of the input bytes' },
    currency: { ...address, description: 'zero address: native' },
    maxPrice: { ...uintString, description: 'wei of currency' },
    redundancy: { type: 'integer', minimum: 1, maximum: MAX_REDUNDANCY },
    verification: {
      type: 'integer',
      minimum: 0,
      maximum: 255,
      description: "0 = exact, 1 = tolerance (must be the model's declared class)",
    },
    deadline: { ...uintString, description: 'last Unix second at which the order can be settled' },
    nonce: { ...uintString, description: 'unordered nonce (bit `nonce & 255` of word `nonce >> 8`)' },
  },
} as const;

const hashParams = {
  type: 'object',
  required: ['hash'],
  properties: { hash: { ...bytes32, description: 'the order hash' } },
} as const;

/** Most a `GET /orders/:hash?waitMs=` waits for the order to leave `running`, ms. */
const MAX_WAIT_MS = 60_000;
/** How often a node that does not run the order reads its stored phase while a `waitMs` request waits, ms. */
const STANDBY_POLL_MS = 200;

/** The order as the API shows it to its requester. */
export function orderView(order: OpenOrder, chainId: number, computeEscrow: string, result?: Uint8Array | undefined) {
  const agreed = order.state.resultHash !== undefined && !['running', 'disputed'].includes(order.state.phase);
  let output: unknown = null;
  if (result) {
    try {
      output = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(result));
    } catch {
      output = null;
    }
  }
  return {
    orderHash: order.hash,
    chainId,
    computeEscrow,
    order: jobOrderToJson(order.order),
    requesterSignature: order.signature,
    phase: order.state.phase,
    amount: String(order.amount),
    resultHash: agreed ? (order.state.resultHash ?? null) : null,
    result: agreed && result ? Buffer.from(result).toString('base64') : null,
    output: agreed ? output : null,
    // Each slot's signature of the agreed hash: its own reveal, or (tolerance) its attestation of the representative.
    attestations: agreed
      ? order.state.slots.flatMap((s) => {
          const signature = attestationOf(s, order.state.resultHash);
          return signature ? [{ provider: s.provider, resultHash: order.state.resultHash, signature }] : [];
        })
      : [],
    providers: order.state.slots.map((s) => ({
      address: s.provider,
      received: s.received,
      committed: s.commitment !== undefined,
      revealed: s.resultHash !== undefined,
    })),
    audit: order.state.audit,
    resolvedBy: order.state.refereeHash !== undefined && order.state.audit !== 'passed' ? 'referee' : 'agreement',
    settleTx: order.state.settleTx ?? null,
    reason: order.reason,
  };
}

const attestationSchema = {
  type: 'object',
  properties: { provider: { type: 'string' }, resultHash: { type: 'string' }, signature: { type: 'string' } },
} as const;

const orderResponse = {
  type: 'object',
  properties: {
    orderHash: { type: 'string' },
    chainId: { type: 'integer' },
    computeEscrow: { type: 'string' },
    order: { type: 'object', additionalProperties: true },
    requesterSignature: { type: 'string' },
    phase: {
      type: 'string',
      enum: ['running', 'agreed', 'disputed', 'ready', 'settling', 'settled', 'failed', 'expired', 'unpaid'],
    },
    amount: { type: 'string', description: 'wei charged at settlement' },
    resultHash: { type: ['string', 'null'] },
    result: { type: ['string', 'null'], description: 'result bytes, base64 (once agreed)' },
    output: { description: 'the result parsed as JSON, when it is UTF-8 JSON' },
    attestations: { type: 'array', items: attestationSchema },
    providers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          address: { type: 'string' },
          received: { type: 'boolean' },
          committed: { type: 'boolean' },
          revealed: { type: 'boolean' },
        },
      },
    },
    audit: { type: 'string' },
    resolvedBy: {
      type: 'string',
      enum: ['agreement', 'referee'],
      description: 'agreement: r attestations agree; referee: providers disagreed and the referee decided',
    },
    settleTx: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
    deposit: { type: ['string', 'null'], description: 'devnet path: the deposit transaction the node sent first' },
  },
} as const;

/** The problems `POST /orders` answers with (RFC 9457), also those of the routes that hand orders to it. */
export const submitOrderProblems = {
  400: problem,
  401: problem,
  402: problem,
  403: problem,
  404: problem,
  409: problem,
  422: problem,
  503: problem,
} as const;

export default async function orderRoutes(app: FastifyInstance) {
  const { db, chain } = app.souk;
  const escrow = chain.deployment.contracts.computeEscrow as Address | undefined;
  const coordinator = () => {
    const c = app.souk.orders;
    if (!c || !escrow)
      throw new UnavailableError('This node does not coordinate compute orders (no operator key or no ComputeEscrow).');
    return c;
  };
  /** The ComputeEscrow, for routes that need no coordinator (escrow reads, deposits). */
  const escrowAddress = () => {
    if (!escrow) throw new UnavailableError('The deployment has no ComputeEscrow.');
    return escrow;
  };
  /**
   * Where an order accepted here goes: this node's coordinator when it leads; undefined on a standby of a
   * scale-out market (PostgreSQL: the leader adopts orders from the shared database). A node on PGlite without a
   * coordinator has nobody to hand an order to.
   */
  const acceptingCoordinator = () => {
    escrowAddress();
    const c = app.souk.orders;
    if (!c && db.engine !== 'postgres') {
      throw new UnavailableError(
        'This node does not coordinate compute orders (no operator key), and no other node shares its database.',
      );
    }
    return c;
  };

  /** The last nonce handed out per requester by this process (concurrent devnet orders must not share one). */
  const issued = new Map<string, bigint>();
  /**
   * Next unused nonce of a requester, as far as this node knows: sequential nonces share one bitmap word on-chain
   * (one storage slot per 256 orders), so settling them costs least.
   */
  async function nextNonce(requester: Address): Promise<bigint> {
    const row = await db
      .selectFrom('orders')
      .select((eb) => eb.fn.max('nonce').as('nonce'))
      .where('requester', '=', requester.toLowerCase())
      .executeTakeFirst();
    let nonce = row?.nonce === null || row?.nonce === undefined ? 0n : BigInt(row.nonce) + 1n;
    for (;;) {
      const [used, [pendingMask]] = (await Promise.all([
        chain.publicClient.readContract({
          address: escrow as Address,
          abi: computeEscrowAbi,
          functionName: 'nonceUsed',
          args: [requester, nonce],
        }),
        chain.publicClient.readContract({
          address: escrow as Address,
          abi: computeEscrowAbi,
          functionName: 'pendingNonceInvalidation',
          args: [requester, nonce >> 8n],
        }),
      ])) as [boolean, readonly [bigint, bigint]];
      // A nonce the requester asked to invalidate would be refused (409): skip it too.
      if (!used && ((pendingMask >> (nonce & 255n)) & 1n) === 0n) break;
      nonce += 1n;
    }
    // No await from here on: two concurrent callers cannot both take the same value.
    const key = requester.toLowerCase();
    const last = issued.get(key);
    if (last !== undefined && nonce <= last) nonce = last + 1n;
    issued.set(key, nonce);
    return nonce;
  }

  app.post<{ Body: SubmitBody }>(
    '/',
    {
      preHandler: app.requireAccount,
      bodyLimit: Math.ceil((MAX_ORDER_INPUT_BYTES * 4) / 3) + 64 * 1024,
      schema: {
        tags: ['orders'],
        summary:
          'Submit a job order (compute protocol v2): signed by the requester, or by the node for devnet accounts',
        description:
          'With `order` + `signature`: an EIP-712 JobOrder signed by the signed-in requester. Without them (devnet ' +
          'accounts whose key the node holds): `assetId`, `maxPriceWei` and optional `redundancy`, `currency`, ' +
          '`deadlineSeconds`; the node fills in the version, input hash, nonce and deadline, deposits any shortfall ' +
          'into the escrow from the account, and signs. The input goes inline (`input`, base64, at most 1 MiB) or as ' +
          'an `uploadId`. Answers 202 once the order is stored; follow it with GET /orders/{hash}?waitMs=.',
        security: auth,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            order: orderSchema,
            signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130,}$' },
            input: {
              type: 'string',
              contentEncoding: 'base64',
              maxLength: Math.ceil((MAX_ORDER_INPUT_BYTES * 4) / 3) + 4,
            },
            uploadId: { type: 'string', format: 'uuid' },
            assetId: uintString,
            redundancy: { type: 'integer', minimum: 1, maximum: MAX_REDUNDANCY, default: 2 },
            maxPriceWei: uintString,
            currency: address,
            deadlineSeconds: { type: 'integer', minimum: 30, maximum: 7 * 24 * 3600, default: 300 },
          },
        },
        response: { 202: orderResponse, ...submitOrderProblems },
      },
    },
    async (request, reply) => {
      const caller = request.account as Address;
      const body = request.body;
      const orders = acceptingCoordinator();
      const input = body.input !== undefined ? decodeBase64(body.input) : undefined;
      let order = body.order;
      let signature = body.signature;
      let deposit: Hex | null = null;
      let devChecked = false;
      const head = !order || !signature ? chainHead(app.souk) : undefined;
      if (!order || !signature) {
        if (order || signature) throw new BadRequestError('Send `order` and `signature` together.');
        const dev = await devOrder(caller, body, input, head);
        order = dev.order;
        signature = dev.signature;
        deposit = dev.deposit;
        devChecked = true;
      }
      const accepted = await acceptOrder(app.souk, orders, caller, {
        order,
        signature,
        input,
        uploadId: body.uploadId,
        // The devnet path read the chain head a moment ago to build the order: acceptance reuses it. A deposit
        // in between mined a block, so then the head is read again.
        head: deposit === null ? head : undefined,
        inputChecked: devChecked,
      });
      const current = orders?.get(accepted.hash) ?? accepted;
      return reply.status(202).send({ ...orderView(current, chain.deployment.chainId, escrow as string), deposit });
    },
  );

  /** The devnet path: the node builds and signs the order for an account whose key it holds. */
  async function devOrder(
    caller: Address,
    body: SubmitBody,
    input: Uint8Array | undefined,
    head = chainHead(app.souk),
  ) {
    const wallet = chain.walletFor(caller);
    if (!wallet) {
      throw new BadRequestError('Send a signed `order` and `signature`: the node holds no key for this account.');
    }
    if (!body.assetId || !body.maxPriceWei) throw new BadRequestError('Name `assetId` and `maxPriceWei`.');
    const modelId = BigInt(body.assetId);
    const { version, manifest } = await orderModel(app.souk, modelId); // 404 / 403 before any deposit
    assertRunnable(modelId, manifest);
    let bytes = input;
    if (!bytes && body.uploadId) bytes = await requesterUpload(app.souk, body.uploadId, caller);
    if (!bytes) throw new BadRequestError('Send the input inline (`input`, base64) or as `uploadId`.');
    const currency = (body.currency ?? zeroAddress) as Address;
    // The order's own currency check (the signed path refuses it alike, with this code), before the deposit below:
    // `transact` would refuse the approve + deposit whole on an RPC with eth_simulateV1, but not on one without.
    await assertEscrowCurrency(app.souk, currency);
    const maxPrice = BigInt(body.maxPriceWei);
    // Independent reads, in one round trip: the chain's now, the next free nonce, the escrow the account can commit.
    const [now, nonce, { available }, delay] = await Promise.all([
      head.now,
      nextNonce(wallet.account.address),
      availableEscrow(app.souk, wallet.account.address, currency),
      withdrawalDelay(app.souk),
    ]);
    const order: JobOrder = {
      requester: wallet.account.address,
      modelId,
      modelVersion: version,
      inputHash: sha256(bytes),
      currency,
      maxPrice,
      redundancy: body.redundancy ?? 2,
      verification: verificationCode(manifest.runtime?.verification),
      deadline: BigInt(now + (body.deadlineSeconds ?? 300)),
      nonce,
    };
    // Every check acceptance makes of the order's terms, window and input runs before the deposit below: a refused
    // order escrows nothing (regression: devnet-deposit-before-input-checks in orders.test.ts).
    assertOrderTerms(order);
    assertDeadline(order, now, delay);
    await assertOrderInput(app.souk, { order, manifest, input: bytes });
    let deposit: Hex | null = null;
    if (available < maxPrice) {
      // Deposit ten jobs' worth at once, so the next runs need no transaction.
      const amount = maxPrice * 10n - available;
      const data = encodeFunctionData({ abi: computeEscrowAbi, functionName: 'deposit', args: [currency, amount] });
      const sent = await transact(chain, caller, payingCalls(currency, amount, escrow as Address, data), 'submit');
      deposit = sent.transactionHashes.at(-1) ?? null;
    }
    const signature = await wallet.signTypedData(jobOrderTypedData(chain.deployment.chainId, escrow as Address, order));
    return { order: jobOrderToJson(order), signature, deposit };
  }

  app.get<{ Params: { hash: string }; Querystring: { waitMs?: number } }>(
    '/:hash',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['orders'],
        summary:
          'An order (its requester only): phase, providers, and once agreed the result with the signed attestations',
        description:
          "`waitMs` holds the request until the order's phase changes (or the time passes); a terminal order answers at once. " +
          'Check the attestations yourself: each is an EIP-712 ResultAttestation(orderHash, resultHash) by an ' +
          'active provider (the SDK does it before returning).',
        security: auth,
        params: hashParams,
        querystring: {
          type: 'object',
          properties: { waitMs: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS } },
        },
        response: { 200: orderResponse, 401: problem, 403: problem, 404: problem },
      },
    },
    async (request) => {
      const hash = request.params.hash.toLowerCase() as Hex;
      const live = () => app.souk.orders?.get(hash);
      let order = live() ?? (await findOrder(db, hash));
      if (!order) throw new NotFoundError(`No order ${hash} on this node.`);
      if (order.order.requester.toLowerCase() !== (request.account as string).toLowerCase()) {
        throw new ForbiddenError('Only the order’s requester may read it.');
      }
      const waitMs = request.query.waitMs ?? 0;
      if (waitMs > 0 && !TERMINAL_PHASES.includes(order.state.phase)) {
        await waitForPhaseChange(hash, order.state.phase, waitMs, request.raw);
        order = live() ?? (await findOrder(db, hash)) ?? order;
      }
      const result = order.resultCid ? await resultBytes(hash, order.resultCid) : undefined;
      return { ...orderView(order, chain.deployment.chainId, escrow as string, result), deposit: null };
    },
  );

  /**
   * The agreed result bytes: from this node's store (the coordinator put them there), else from the shared
   * database (a standby, or a node that led before a failover: `order_payloads`).
   */
  async function resultBytes(hash: Hex, cid: string): Promise<Uint8Array | undefined> {
    const local = await app.souk.storage.store.getRaw(cid).catch(() => undefined);
    return local ?? (await findOrderResult(db, hash));
  }

  /**
   * Resolves when the order leaves phase `from`, the time passes or the client goes away. The coordinator's events
   * tell when this node runs the order; otherwise (a standby: the leader runs it and writes every change to the
   * shared database) the stored phase is polled every {@link STANDBY_POLL_MS}.
   */
  function waitForPhaseChange(hash: Hex, from: string, waitMs: number, raw: NodeJS.EventEmitter): Promise<void> {
    return new Promise((resolve) => {
      let poll: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        clearTimeout(poll);
        app.souk.events.off('order', onOrder);
        raw.off('close', done);
        resolve();
      };
      const onOrder = (event: { orderHash: string; phase: string }) => {
        if (event.orderHash === hash && event.phase !== from) done();
      };
      const timer = setTimeout(done, waitMs);
      app.souk.events.on('order', onOrder);
      raw.once('close', done);
      const check = async () => {
        const current = app.souk.orders?.get(hash);
        const phase = current ? current.state.phase : await storedPhase(hash).catch(() => from);
        if (phase !== from) return done();
        poll = setTimeout(() => void check(), STANDBY_POLL_MS);
      };
      const current = app.souk.orders?.get(hash);
      if (current) {
        if (current.state.phase !== from) done();
      } else void check();
    });
  }

  /** The stored phase of an order (undefined when there is none). */
  async function storedPhase(hash: Hex): Promise<string | undefined> {
    const row = await db.selectFrom('orders').select('phase').where('order_hash', '=', hash).executeTakeFirst();
    return row?.phase;
  }

  app.get<{ Querystring: { currency?: string } }>(
    '/escrow',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['orders'],
        summary: 'The caller’s escrow: balance, pending withdrawal, what open orders reserve, what is available (wei)',
        security: auth,
        querystring: { type: 'object', properties: { currency: address } },
        response: {
          200: {
            type: 'object',
            properties: {
              currency: { type: 'string' },
              balance: { type: 'string' },
              pendingWithdrawal: { type: 'string' },
              reserved: { type: 'string' },
              available: { type: 'string' },
              nextNonce: { type: 'string' },
            },
          },
          401: problem,
          503: problem,
        },
      },
    },
    async (request) => {
      escrowAddress();
      const caller = request.account as Address;
      const currency = (request.query.currency ?? zeroAddress) as Address;
      const e = await availableEscrow(app.souk, caller, currency);
      return {
        currency,
        balance: String(e.balance),
        pendingWithdrawal: String(e.pending),
        reserved: String(e.reserved),
        available: String(e.available),
        nextNonce: String(await nextNonce(caller)),
      };
    },
  );

  app.post<{ Body: { amountWei: string; currency?: Address; mode?: 'submit' | 'unsigned' } }>(
    '/escrow/deposit',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['orders'],
        summary: 'Deposit into the ComputeEscrow (sent for devnet accounts, else unsigned transactions)',
        security: auth,
        body: {
          type: 'object',
          required: ['amountWei'],
          additionalProperties: false,
          properties: { amountWei: uintString, currency: address, mode: transactMode },
        },
        response: { 201: transactionsResult, 400: problem, 401: problem, 422: problem, 503: problem },
      },
    },
    async (request, reply) => {
      escrowAddress();
      const currency = (request.body.currency ?? zeroAddress) as Address;
      // A cheap pre-check (cached read), not the guard: `transact` simulates approve + deposit whole and sends
      // nothing if the escrow refuses. It covers what `transact` cannot: unsigned mode, and RPCs without
      // eth_simulateV1 (where the approve would be sent before the deposit's revert shows).
      await assertEscrowCurrency(app.souk, currency);
      const amount = BigInt(request.body.amountWei);
      const data = encodeFunctionData({ abi: computeEscrowAbi, functionName: 'deposit', args: [currency, amount] });
      const sent = await transact(
        chain,
        request.account as Address,
        payingCalls(currency, amount, escrow as Address, data),
        request.body.mode,
      );
      return reply.status(201).send({ transactionHashes: sent.transactionHashes, transactions: sent.transactions });
    },
  );

  // ── the order gateway (providers holding a slot of a running order) ──
  const PARTS = {
    model: 'the model bundle',
    input: 'the input',
    dataset: 'the licensed dataset a training order references (its input is a SOUKDSR1 dataset reference)',
  } as const;
  for (const part of ['model', 'input', 'dataset'] as const) {
    app.get<{ Params: { hash: string } }>(
      `/:hash/${part}`,
      {
        schema: {
          tags: ['orders'],
          summary: `Order-authorised download of ${PARTS[part]} (providers holding a slot)`,
          description:
            'Needs `X-Souk-Job-Access`: an EIP-712 JobAccess whose `jobId` is the order hash as a uint256, signed ' +
            'by a provider that holds a slot of the order while it runs.' +
            (part === 'dataset'
              ? ' The plaintext goes only to those providers (compute-to-data): the requester never receives it.'
              : ''),
          params: hashParams,
          response: { 401: problem, 403: problem, 404: problem, 409: problem, 503: problem },
        },
      },
      async (request, reply) => {
        const hash = request.params.hash.toLowerCase() as Hex;
        const provider = await verifyJobAccessSignature(
          app.souk,
          request.headers[JOB_ACCESS_HEADER] as string | undefined,
          BigInt(hash),
        );
        const order = coordinator().get(hash);
        if (!order || TERMINAL_PHASES.includes(order.state.phase) || order.state.phase !== 'running') {
          throw new ForbiddenError(`Order ${hash} is not running; its content is no longer released.`);
        }
        if (!order.state.slots.some((s) => s.provider === provider.toLowerCase())) {
          throw new ForbiddenError(`${provider} holds no slot of order ${hash}.`);
        }
        if (part === 'dataset') {
          const input = await orderInput(app.souk, order);
          if (!isDatasetReference(input)) throw new NotFoundError(`Order ${hash} references no dataset.`);
          const dataset = await referencedDatasetStream(app.souk, input);
          return reply
            .header('x-content-sha256', dataset.sha256)
            .header('content-length', dataset.size)
            .type('application/octet-stream')
            .send(Readable.from(dataset.stream));
        }
        if (part === 'input') {
          const bytes = await orderInput(app.souk, order);
          return reply
            .header('x-content-sha256', order.order.inputHash.slice(2))
            .type('application/octet-stream')
            .send(Buffer.from(bytes));
        }
        const { manifest, uploadId } = await assetManifest(app.souk, order.order.modelId);
        const stream = await contentStream(app.souk, manifestContent(manifest, uploadId));
        return reply
          .header('x-content-sha256', manifest.content.sha256)
          .header('content-length', manifest.content.size)
          .type('application/octet-stream')
          .send(Readable.from(stream));
      },
    );
  }
}

/** Strict base64 (RFC 4648 §4) to bytes. @throws {BadRequestError} For anything else. */
function decodeBase64(value: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw new BadRequestError('`input` must be standard base64 (RFC 4648 §4, padded).');
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}
