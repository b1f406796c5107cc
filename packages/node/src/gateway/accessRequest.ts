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
import { type Address, getAddress, type Hex, type PublicClient, type TypedDataDomain } from 'viem';

/** EIP-712 types of a Souk access request. */
export const accessRequestTypes = {
  AccessRequest: [
    { name: 'consumer', type: 'address' },
    { name: 'assetId', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const;

/** Longest validity of an access request, seconds. */
export const MAX_ACCESS_REQUEST_TTL = 3600;

/** The only place an access request is accepted (never the query string, which ends up in request logs). */
export const ACCESS_REQUEST_HEADER = 'x-souk-access';

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

/** An access request as sent in the `X-Souk-Access` header (base64url of its JSON). */
export type SignedAccessRequest = {
  consumer: Address;
  /** Decimal string. */
  assetId: string;
  nonce: Hex;
  /** Unix seconds. */
  expiry: number;
  signature: Hex;
};

/** The EIP-712 domain: name "Souk Gateway", version "1", the chain, and the Licenses contract as verifier. */
export function accessRequestDomain(chainId: number, licenses: Address): TypedDataDomain {
  return { name: 'Souk Gateway', version: '1', chainId, verifyingContract: licenses };
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

const UINT256_MAX = (1n << 256n) - 1n;

/**
 * The canonical spelling of an access request, so that a signature can be used once whatever the case of its hex:
 * `consumer` EIP-55 checksummed, `nonce` and `signature` lower-case hex, `assetId` a decimal string without
 * leading zeros. Run before every nonce lookup or insert.
 * @throws {AccessDeniedError} (401) when a field is not of its EIP-712 type (address, uint256, bytes32, uint64).
 */
export function normaliseAccessRequest(request: SignedAccessRequest): SignedAccessRequest {
  const ok =
    typeof request.consumer === 'string' &&
    /^0x[0-9a-fA-F]{40}$/.test(request.consumer) &&
    typeof request.assetId === 'string' &&
    /^[0-9]{1,78}$/.test(request.assetId) &&
    BigInt(request.assetId) <= UINT256_MAX &&
    typeof request.nonce === 'string' &&
    /^0x[0-9a-fA-F]{64}$/.test(request.nonce) &&
    Number.isSafeInteger(request.expiry) &&
    request.expiry >= 0 &&
    typeof request.signature === 'string' &&
    /^0x[0-9a-fA-F]+$/.test(request.signature);
  if (!ok) throw new AccessDeniedError('Access request needs consumer, assetId, nonce, expiry and signature.', 401);
  return {
    consumer: getAddress(request.consumer.toLowerCase()),
    assetId: BigInt(request.assetId).toString(),
    nonce: request.nonce.toLowerCase() as Hex,
    expiry: request.expiry,
    signature: request.signature.toLowerCase() as Hex,
  };
}

/**
 * Decodes the `X-Souk-Access` header into its canonical form ({@link normaliseAccessRequest}).
 * @throws {AccessDeniedError} (401) when malformed.
 */
export function decodeAccessRequest(encoded: string): SignedAccessRequest {
  let value: Partial<SignedAccessRequest>;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new AccessDeniedError('X-Souk-Access is not base64url-encoded JSON.', 401);
  }
  if (typeof value !== 'object' || value === null) {
    throw new AccessDeniedError('Access request needs consumer, assetId, nonce, expiry and signature.', 401);
  }
  return normaliseAccessRequest(value as SignedAccessRequest);
}

/**
 * Verifies a signed access request for `assetId` and returns the consumer. The request is normalised first
 * ({@link normaliseAccessRequest}), so `consumeNonce` always sees the lower-case nonce and checksummed consumer.
 * Order: asset, expiry (> `now`, ≤ `now` + {@link MAX_ACCESS_REQUEST_TTL} s), EIP-712 signature under
 * {@link accessRequestDomain}, single-use nonce, then `Licenses.hasAccess` on-chain.
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
      domain: accessRequestDomain(chainId, licenses),
      types: accessRequestTypes,
      primaryType: 'AccessRequest',
      message: { consumer: request.consumer, assetId, nonce: request.nonce, expiry: BigInt(request.expiry) },
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
