/**
 * The storage gateway's EIP-712 proofs, signed per request and sent base64url(JSON) in a header:
 *
 * | type | header | signer | verifying contract | releases |
 * | --- | --- | --- | --- | --- |
 * | `AccessRequest {consumer, assetId, nonce, expiry}` | `x-souk-access` | a licence holder | Licenses | an asset's plaintext |
 * | `JobAccess {provider, jobId, nonce, expiry}` | `x-souk-job-access` | an assigned provider | ComputeEscrow | an order's model bundle and input (`jobId` = the order hash as a uint256) |
 *
 * Both share the domain name "Souk Gateway" v1; the verifying contract differs, so a job access can never be replayed
 * as a licence access request or the other way round. The node accepts each nonce once, and only when the expiry is
 * ahead of it by at most {@link MAX_ACCESS_REQUEST_TTL} seconds.
 *
 * A signature covers the fields' bytes, not their spelling: `0xAB…` and `0xab…` are the same nonce. The normalisers
 * ({@link normaliseAccessRequest}, {@link normaliseJobAccess}) bring every field to one canonical spelling, which is
 * what signers send and what the node looks nonces up by.
 */
import { type Address, getAddress, type Hex, type TypedDataDomain } from 'viem';
import { UINT256_MAX } from './constants.ts';

/** EIP-712 types of a licence access request. */
export const accessRequestTypes = {
  AccessRequest: [
    { name: 'consumer', type: 'address' },
    { name: 'assetId', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const;

/** EIP-712 types of a job access. */
export const jobAccessTypes = {
  JobAccess: [
    { name: 'provider', type: 'address' },
    { name: 'jobId', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const;

/** Header carrying a {@link SignedAccessRequest} (never the query string, which ends up in request logs). */
export const ACCESS_REQUEST_HEADER = 'x-souk-access';

/** Header carrying a {@link SignedJobAccess}. */
export const JOB_ACCESS_HEADER = 'x-souk-job-access';

/** Longest validity of an access request or job access the node accepts: expiry ≤ now + this, seconds. */
export const MAX_ACCESS_REQUEST_TTL = 3600;

/** The JSON of an access request, as base64url-encoded in the `x-souk-access` header. */
export type SignedAccessRequest = {
  /** The licence holder (the signer), EIP-55 checksummed. */
  consumer: Address;
  /** Asset id (AgentNFT token id), decimal string. */
  assetId: string;
  /** 32 random bytes, lower-case hex; single use. */
  nonce: Hex;
  /** Last valid second, Unix seconds. */
  expiry: number;
  /** EIP-712 signature (65-byte ECDSA, or an EIP-1271 wallet's bytes), lower-case hex. */
  signature: Hex;
};

/** The JSON of a job access, as base64url-encoded in the `x-souk-job-access` header. */
export type SignedJobAccess = {
  /** The assigned provider (the signer), EIP-55 checksummed. */
  provider: Address;
  /** Job id, decimal string. */
  jobId: string;
  /** 32 random bytes, lower-case hex; single use. */
  nonce: Hex;
  /** Last valid second, Unix seconds. */
  expiry: number;
  /** EIP-712 signature, lower-case hex. */
  signature: Hex;
};

/**
 * The EIP-712 domain of access requests: name "Souk Gateway", version "1", the chain, Licenses as verifier.
 * @param chainId EIP-155 chain id.
 * @param licenses The Licenses contract.
 */
export function accessRequestDomain(chainId: number, licenses: Address): TypedDataDomain {
  return { name: 'Souk Gateway', version: '1', chainId, verifyingContract: licenses };
}

/**
 * The EIP-712 domain of job accesses: name "Souk Gateway", version "1", the chain, the ComputeEscrow as verifier
 * (the contract that pays for the order the access is about).
 * @param chainId EIP-155 chain id.
 * @param computeEscrow The ComputeEscrow contract.
 */
export function jobAccessDomain(chainId: number, computeEscrow: Address): TypedDataDomain {
  return { name: 'Souk Gateway', version: '1', chainId, verifyingContract: computeEscrow };
}

/**
 * The typed data a licence holder signs for one download (pass to viem's `signTypedData` / `verifyTypedData`).
 * @param chainId EIP-155 chain id.
 * @param licenses The Licenses contract.
 * @param message Consumer, asset id, nonce and expiry (Unix seconds).
 */
export function accessRequestTypedData(
  chainId: number,
  licenses: Address,
  message: { consumer: Address; assetId: bigint; nonce: Hex; expiry: bigint },
) {
  return {
    domain: accessRequestDomain(chainId, licenses),
    types: accessRequestTypes,
    primaryType: 'AccessRequest' as const,
    message,
  };
}

/**
 * The typed data an assigned provider signs for one gateway request (pass to `signTypedData` / `verifyTypedData`).
 * @param chainId EIP-155 chain id.
 * @param computeEscrow The ComputeEscrow contract.
 * @param message Provider, job id (the order's EIP-712 hash as a uint256), nonce and expiry (Unix seconds).
 */
export function jobAccessTypedData(
  chainId: number,
  computeEscrow: Address,
  message: { provider: Address; jobId: bigint; nonce: Hex; expiry: bigint },
) {
  return {
    domain: jobAccessDomain(chainId, computeEscrow),
    types: jobAccessTypes,
    primaryType: 'JobAccess' as const,
    message,
  };
}

/**
 * Checks the fields of a signed gateway proof and returns their canonical spelling: signer EIP-55 checksummed,
 * id a decimal string without leading zeros, nonce and signature lower-case hex.
 */
function normaliseSigned(value: unknown, signer: string, id: string): Record<string, unknown> {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const [who, n, nonce, expiry, signature] = [v[signer], v[id], v.nonce, v.expiry, v.signature];
  const ok =
    typeof who === 'string' &&
    /^0x[0-9a-fA-F]{40}$/.test(who) &&
    typeof n === 'string' &&
    /^[0-9]{1,78}$/.test(n) &&
    BigInt(n) <= UINT256_MAX &&
    typeof nonce === 'string' &&
    /^0x[0-9a-fA-F]{64}$/.test(nonce) &&
    typeof expiry === 'number' &&
    Number.isSafeInteger(expiry) &&
    expiry >= 0 &&
    typeof signature === 'string' &&
    /^0x[0-9a-fA-F]+$/.test(signature);
  if (!ok) {
    throw new TypeError(
      `needs ${signer} (address), ${id} (uint256 as a decimal string), nonce (bytes32), expiry (Unix seconds) and signature (hex)`,
    );
  }
  return {
    [signer]: getAddress(who.toLowerCase()),
    [id]: BigInt(n).toString(),
    nonce: nonce.toLowerCase(),
    expiry,
    signature: signature.toLowerCase(),
  };
}

/**
 * The canonical spelling of an access request (see the module notes); run before every nonce lookup or insert.
 * @param request The decoded header JSON (any value).
 * @returns `consumer` checksummed, `assetId` decimal without leading zeros, `nonce` and `signature` lower-case.
 * @throws {TypeError} When a field is missing or not of its EIP-712 type (address, uint256, bytes32, uint64).
 * @example
 * ```ts
 * import { normaliseAccessRequest } from '@souk/protocol'
 * normaliseAccessRequest({ consumer: '0xF39F…', assetId: '007', nonce: '0xAB…', expiry: 1700000000, signature: '0x…' })
 * // { consumer: '0xf39F…' (EIP-55), assetId: '7', nonce: '0xab…', … }
 * ```
 */
export function normaliseAccessRequest(request: unknown): SignedAccessRequest {
  return normaliseSigned(request, 'consumer', 'assetId') as SignedAccessRequest;
}

/**
 * The canonical spelling of a job access (see the module notes); run before every nonce lookup or insert.
 * @param access The decoded header JSON (any value).
 * @returns `provider` checksummed, `jobId` decimal without leading zeros, `nonce` and `signature` lower-case.
 * @throws {TypeError} When a field is missing or not of its EIP-712 type (address, uint256, bytes32, uint64).
 */
export function normaliseJobAccess(access: unknown): SignedJobAccess {
  return normaliseSigned(access, 'provider', 'jobId') as SignedJobAccess;
}
