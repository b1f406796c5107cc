/**
 * EIP-712 access requests: how a consumer proves, per download, that it is the account holding a licence.
 * The node checks the signature (EOA or EIP-1271 contract wallet), the expiry, the nonce (single use), and then
 * asks `Licenses.hasAccess` on-chain — the index alone is never trusted for access.
 */
import { licensesAbi } from '@souk/contracts';
import type { Address, Hex, PublicClient, TypedDataDomain } from 'viem';

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

/** An access request as sent in the `X-Souk-Access` header (base64url of its JSON) or `?access=` query. */
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

/** Decodes the header/query form; throws {@link AccessDeniedError} (401) when malformed. */
export function decodeAccessRequest(encoded: string): SignedAccessRequest {
  let value: Partial<SignedAccessRequest>;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new AccessDeniedError('X-Souk-Access is not base64url-encoded JSON.', 401);
  }
  const ok =
    typeof value.consumer === 'string' &&
    /^0x[0-9a-fA-F]{40}$/.test(value.consumer) &&
    typeof value.assetId === 'string' &&
    /^[0-9]{1,78}$/.test(value.assetId) &&
    typeof value.nonce === 'string' &&
    /^0x[0-9a-fA-F]{64}$/.test(value.nonce) &&
    Number.isSafeInteger(value.expiry) &&
    typeof value.signature === 'string' &&
    /^0x[0-9a-fA-F]+$/.test(value.signature);
  if (!ok) throw new AccessDeniedError('Access request needs consumer, assetId, nonce, expiry and signature.', 401);
  return value as SignedAccessRequest;
}

/**
 * Verifies a signed access request for `assetId` and returns the consumer.
 * @param consumeNonce Records the nonce; returns false if it was already used (replay).
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
