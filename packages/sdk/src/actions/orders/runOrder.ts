import {
  type JobOrder,
  jobOrderToJson,
  jobOrderTypedData,
  type VerificationSpec,
  verificationCode,
} from '@souk/protocol';
import { type Address, createPublicClient, http, type PublicClient, sha256, zeroAddress } from 'viem';
import type { SoukClient } from '../../clients/createSoukClient.ts';
import { SoukError } from '../../errors/base.ts';
import { JobFailedError } from '../../errors/jobs.ts';
import { uploadContent } from '../assets/uploadContent.ts';
import { getContracts } from '../chain/getContracts.ts';
import { getNodeInfo } from '../ops/getNodeInfo.ts';
import { getOrder, type Order } from './getOrder.ts';
import { isNodeUnreachable, type ReconnectedInfo, type ReconnectingInfo, reconnectDelayMs } from './reconnect.ts';
import { type VerifiedResult, verifyOrderResult } from './verifyOrderResult.ts';

/**
 * Who signs an order: a viem `LocalAccount` (`privateKeyToAccount`) or anything with its `signTypedData` (a wallet
 * client bound to an account: `{ address, signTypedData: (t) => walletClient.signTypedData(t) }`).
 */
export type OrderSigner = { address: Address; signTypedData: (typedData: never) => Promise<`0x${string}`> };

/** The node's chain, contracts and RPC URL, read once per client (they do not change while a node runs). */
const facts = new WeakMap<SoukClient, ReturnType<typeof readFacts>>();
async function readFacts(client: SoukClient) {
  const [{ chainId, contracts }, { rpcUrl }] = await Promise.all([getContracts(client), getNodeInfo(client)]);
  // One client of the node's RPC per SoukClient: it keeps its connection, and the provider checks it caches.
  const publicClient = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
  return { chainId, contracts, rpcUrl, publicClient };
}
function nodeFacts(client: SoukClient) {
  let hit = facts.get(client);
  if (!hit) {
    hit = readFacts(client);
    facts.set(client, hit);
    hit.catch(() => facts.delete(client));
  }
  return hit;
}

/** Parameters of {@link runOrder}. */
export type RunOrderParameters = {
  /** The model (or agent) asset. */
  assetId: bigint | string;
  /** The input bytes: sent inline up to 1 MiB, uploaded first (encrypted, `uploadContent`) when larger. */
  input: Uint8Array;
  /** Providers that must agree, 1…5. @default 2 */
  redundancy?: number | undefined;
  /** The most the job may cost, wei of `currency` (charged at settlement, from the escrow balance). */
  maxPriceWei: bigint;
  /** ERC-20 to pay in; absent: native. */
  currency?: Address | undefined;
  /** Seconds until the order's deadline (it can no longer be charged after it). @default 300 */
  deadlineSeconds?: number | undefined;
  /**
   * An account that signs the order (EIP-712, e.g. a wallet's or a local key's); absent: the node signs for a devnet
   * account it holds (and deposits any shortfall from it).
   */
  account?: OrderSigner | undefined;
  /**
   * Reads the ProviderRegistry to check each attesting provider is active: pass a client of your own RPC to verify
   * without trusting the node. @default a client of the node's advertised RPC URL
   */
  publicClient?: PublicClient | undefined;
  /** How long to wait for the result, ms. @default 120,000 */
  timeoutMs?: number | undefined;
  /** Called with the order each time the node reports it (accepted, then each change while it runs). */
  onUpdate?: ((order: Order) => void) | undefined;
  /**
   * Called before each retry while the node cannot be reached after it accepted the order (restarted, network
   * down): the order is followed until `timeoutMs` either way (the node resumes it from its database), with
   * exponential backoff ({@link reconnectDelayMs}).
   */
  onReconnecting?: ((info: ReconnectingInfo) => void) | undefined;
  /** Called once the node answers again after {@link RunOrderParameters.onReconnecting}. */
  onReconnected?: ((info: ReconnectedInfo) => void) | undefined;
};

/**
 * One long-poll of an accepted order, retried with backoff while the node cannot be reached (a restart, the network)
 * until `deadline` (epoch ms); any other error is final.
 */
async function followOrder(
  client: SoukClient,
  orderHash: `0x${string}`,
  waitMs: number,
  deadline: number,
  { onReconnecting, onReconnected }: Pick<RunOrderParameters, 'onReconnecting' | 'onReconnected'>,
): Promise<Order> {
  let attempts = 0;
  let downSince = 0;
  for (;;) {
    try {
      const order = await getOrder(client, { orderHash, waitMs });
      if (attempts > 0) onReconnected?.({ orderHash, attempts, downMs: Date.now() - downSince });
      return order;
    } catch (error) {
      if (!isNodeUnreachable(error) || Date.now() >= deadline) throw error;
      if (attempts === 0) downSince = Date.now();
      attempts++;
      const delayMs = Math.min(reconnectDelayMs(attempts), Math.max(0, deadline - Date.now()));
      onReconnecting?.({ orderHash, attempt: attempts, delayMs, error });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Largest input `POST /orders` takes inline, bytes (the node's limit); larger inputs go by `uploadId`. */
export const MAX_INLINE_ORDER_INPUT_BYTES = 1024 * 1024;

/** The verified result of an order. */
export type RunOrderReturnType<TOutput = unknown> = VerifiedResult & {
  /** The result parsed as JSON (OCR lines, tensors…). */
  output: TOutput;
  /** The order as the node holds it (phase, attestations, later the settlement transaction). */
  order: Order;
};

/**
 * Runs a model through compute protocol v2: signs a job order (or has the node sign for a devnet account), posts it
 * with the input inline, waits for the r providers' agreement, and verifies the result itself
 * ({@link verifyOrderResult}: order hash, result hash, every attestation's signer, each signer active on-chain)
 * before returning. Payment happens later, when the node settles the order in a batch.
 * @throws {JobFailedError} The job cannot run on this input (nobody is charged or slashed).
 * @throws {SoukError} Expired or unpaid, or no result within `timeoutMs`.
 * @throws {ResultVerificationError} The result does not verify.
 * @throws {SoukApiError} 402 (escrow balance too low: deposit first), 400/422 (order refused).
 * @example
 * ```ts
 * const { output, providers } = await runOrder(client, { assetId: 1n, input: png, maxPriceWei: parseEther('0.001') })
 * ```
 */
export async function runOrder<TOutput = unknown>(
  client: SoukClient,
  parameters: RunOrderParameters,
): Promise<RunOrderReturnType<TOutput>> {
  const { assetId, input, redundancy = 2, maxPriceWei, currency = zeroAddress, deadlineSeconds = 300 } = parameters;
  // Inline up to the node's limit; a larger input is uploaded first (encrypted) and named by its upload id.
  const carried =
    input.length > MAX_INLINE_ORDER_INPUT_BYTES
      ? { uploadId: (await uploadContent(client, { data: input })).uploadId }
      : { input: Buffer.from(input).toString('base64') };
  let body: Record<string, unknown>;
  if (parameters.account) {
    const account = parameters.account;
    const [{ chainId, contracts }, escrow, asset, manifest] = await Promise.all([
      nodeFacts(client),
      client.json<{ nextNonce: string }>(`/api/v1/orders/escrow?currency=${currency}`),
      client.json<{ versions?: Array<{ version: number }> }>(`/api/v1/assets/${assetId}`),
      // The model's declared verification class (the node refuses an order that names another).
      client.json<{ runtime?: { verification?: VerificationSpec } }>(`/api/v1/assets/${assetId}/manifest`),
    ]);
    const computeEscrow = contracts.computeEscrow;
    const order: JobOrder = {
      requester: account.address,
      modelId: BigInt(assetId),
      modelVersion: (asset.versions ?? []).reduce((latest, v) => Math.max(latest, v.version), 0),
      inputHash: sha256(input),
      currency,
      maxPrice: maxPriceWei,
      redundancy,
      verification: verificationCode(manifest.runtime?.verification),
      deadline: BigInt(Math.floor(Date.now() / 1000) + deadlineSeconds),
      nonce: BigInt(escrow.nextNonce),
    };
    const signature = await account.signTypedData(jobOrderTypedData(chainId, computeEscrow, order) as never);
    body = { order: jobOrderToJson(order), signature, ...carried };
  } else {
    body = {
      assetId: String(assetId),
      maxPriceWei: String(maxPriceWei),
      redundancy,
      currency,
      deadlineSeconds,
      ...carried,
    };
  }
  const submitted = await client.json<Order>('/api/v1/orders', { method: 'POST', body });
  const deadline = Date.now() + (parameters.timeoutMs ?? 120_000);
  let order = submitted;
  parameters.onUpdate?.(order);
  while (order.phase === 'running' || order.phase === 'disputed') {
    const left = deadline - Date.now();
    if (left <= 0) throw new SoukError(`No result for order ${submitted.orderHash} within the timeout.`);
    order = await followOrder(client, submitted.orderHash, Math.min(left, 30_000), deadline, parameters);
    parameters.onUpdate?.(order);
  }
  if (order.phase === 'failed') {
    throw new JobFailedError({ orderHash: order.orderHash, reason: order.reason, reproducedByReferee: true });
  }
  if (order.phase === 'expired' || order.phase === 'unpaid') {
    throw new SoukError(`Order ${order.orderHash} ended ${order.phase}: ${order.reason ?? 'no result'}.`);
  }
  const facts = await nodeFacts(client);
  const { contracts } = facts;
  const publicClient = parameters.publicClient ?? facts.publicClient;
  const verified = await verifyOrderResult(order, { publicClient, registry: contracts.providerRegistry });
  return { ...verified, output: order.output as TOutput, order };
}
