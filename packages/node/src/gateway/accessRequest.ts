/**
 * EIP-712 access requests: how a consumer proves, per download, that it is the account holding a licence.
 * The node checks the signature (EOA or EIP-1271 contract wallet), the expiry, the nonce (single use), and then
 * asks `Licenses.hasAccess` on-chain — the index alone is never trusted for access.
 *
 * Every signed field is brought to one canonical spelling ({@link normaliseAccessRequest}) before anything is
 * looked up or stored: the signature covers the field's bytes, not its spelling, so `0xAB…` and `0xab…` are the
 * same nonce and must hit the same single-use row.
 */
import { licensesAbi } from '@souk/contracts';
import {
  accessRequestTypedData,
  normaliseAccessRequest as canonicalAccessRequest,
  MAX_ACCESS_REQUEST_TTL,
  type SignedAccessRequest,
} from '@souk/protocol';
import type { Address, Hex, PublicClient } from 'viem';

/**
 * A request URL with the value of every `access` query parameter replaced by `[Redacted]`, for request logs: the
 * content route refuses access requests in the query string, but a client that sends one must not leak a still
 * usable signature into the logs.
 * @param url - Path and query, as in `request.url`.
 * @example redactAccessQuery('/api/v1/assets/1/content?access=eyJ…&x=1') // '/api/v1/assets/1/content?access=[Redacted]&x=1'
 */
export function redactAccessQuery(url: string): string {
  return url.replace(/([?&]access=)[^&#]*/gi, '$1[Redacted]');
}

/** Why an access request was refused. */
export class AccessDeniedError extends Error {
  override name = 'AccessDeniedError' as const;
  /** 401: the request itself is bad (signature, expiry, replay); 403: valid request but no licence. */
  readonly status: 401 | 403;
  constructor(message: string, status: 401 | 403) {
    super(message);
    this.status = status;
  }
}

/**
 * The canonical spelling of an access request (`@souk/protocol`'s `normaliseAccessRequest`), refusing a malformed one
 * as the gateway does: run before every nonce lookup or insert.
 * @throws {AccessDeniedError} (401) when a field is not of its EIP-712 type (address, uint256, bytes32, uint64).
 */
export function normaliseAccessRequest(request: unknown): SignedAccessRequest {
  try {
    return canonicalAccessRequest(request);
  } catch {
    throw new AccessDeniedError('Access request needs consumer, assetId, nonce, expiry and signature.', 401);
  }
}

/**
 * Decodes the `X-Souk-Access` header into its canonical form ({@link normaliseAccessRequest}).
 * @throws {AccessDeniedError} (401) when malformed.
 */
export function decodeAccessRequest(encoded: string): SignedAccessRequest {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new AccessDeniedError('X-Souk-Access is not base64url-encoded JSON.', 401);
  }
  return normaliseAccessRequest(value);
}

/**
 * Verifies a signed access request for `assetId` and returns the consumer. The request is normalised first
 * ({@link normaliseAccessRequest}), so `consumeNonce` always sees the lower-case nonce and checksummed consumer.
 * Order: asset, expiry (> `now`, ≤ `now` + {@link MAX_ACCESS_REQUEST_TTL} s), EIP-712 signature under
 * `@souk/protocol`'s `accessRequestDomain`, single-use nonce, then `Licenses.hasAccess` on-chain.
 * @param parameters.now Unix seconds (injectable clock). @default the system clock
 * @param parameters.consumeNonce Records the nonce; returns false if it was already used (replay).
 * @returns The consumer, checksummed.
 * @throws {AccessDeniedError} 401 for a bad, expired or replayed request; 403 when the consumer has no access.
 */
export async function verifyAccessRequest({
  request,
  assetId,
  publicClient,
  chainId,
  licenses,
  consumeNonce,
  now = Math.floor(Date.now() / 1000),
}: {
  request: SignedAccessRequest;
  assetId: bigint;
  publicClient: PublicClient;
  chainId: number;
  licenses: Address;
  consumeNonce: (nonce: Hex, consumer: Address, expiry: number) => Promise<boolean>;
  now?: number;
}): Promise<Address> {
  request = normaliseAccessRequest(request);
  if (BigInt(request.assetId) !== assetId) {
    throw new AccessDeniedError(`Access request is for asset ${request.assetId}, not ${assetId}.`, 401);
  }
  if (request.expiry <= now) throw new AccessDeniedError('Access request has expired.', 401);
  if (request.expiry > now + MAX_ACCESS_REQUEST_TTL) {
    throw new AccessDeniedError(`Access request expiry is more than ${MAX_ACCESS_REQUEST_TTL} s ahead.`, 401);
  }
  const valid = await publicClient
    .verifyTypedData({
      address: request.consumer,
      ...accessRequestTypedData(chainId, licenses, {
        consumer: request.consumer,
        assetId,
        nonce: request.nonce,
        expiry: BigInt(request.expiry),
      }),
      signature: request.signature,
    })
    .catch(() => false);
  if (!valid) throw new AccessDeniedError('Access request signature does not match the consumer.', 401);
  if (!(await consumeNonce(request.nonce, request.consumer, request.expiry))) {
    throw new AccessDeniedError('Access request nonce was already used.', 401);
  }
  const allowed = await publicClient.readContract({
    address: licenses,
    abi: licensesAbi,
    functionName: 'hasAccess',
    args: [request.consumer, assetId],
  });
  if (!allowed) throw new AccessDeniedError(`${request.consumer} holds no valid licence for asset ${assetId}.`, 403);
  return request.consumer;
}
