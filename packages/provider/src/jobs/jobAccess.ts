/**
 * EIP-712 job access: how a provider proves, per request, that it is the account assigned to a paid job, so the
 * node's storage gateway releases the job's model bundle and input to it (and accepts its result). The node checks
 * the signature, the expiry, the single-use nonce, and then `ComputeMarket.getAssignment(jobId, provider).assigned`
 * on-chain with the job still running — the index alone is never trusted.
 *
 * Domain: name "Souk Gateway", version "1", the chain id, verifyingContract = ComputeMarket (so a job access can
 * never be replayed as a licence `AccessRequest`, whose verifying contract is Licenses).
 *
 * The node brings every field to one spelling before it looks up or records the nonce (`provider` checksummed,
 * `nonce` and `signature` lower-case hex, `jobId` decimal without leading zeros): re-casing the hex of a used access
 * does not make it new. {@link signJobAccess} already sends that form.
 */
import { randomBytes } from 'node:crypto';
import type { Address, Hex, LocalAccount, TypedDataDomain } from 'viem';

/** EIP-712 types of a job access. */
export const jobAccessTypes = {
  JobAccess: [
    { name: 'provider', type: 'address' },
    { name: 'jobId', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const;

/** The `X-Souk-Job-Access` header: base64url of this JSON. */
export type SignedJobAccess = {
  provider: Address;
  /** Decimal string. */
  jobId: string;
  nonce: Hex;
  /** Unix seconds. */
  expiry: number;
  signature: Hex;
};

/** Header carrying a {@link SignedJobAccess}. */
export const JOB_ACCESS_HEADER = 'x-souk-job-access';

/**
 * The EIP-712 domain of job accesses.
 * @param chainId - EIP-155 chain id.
 * @param computeMarket - ComputeMarket address (the verifying contract).
 */
export function jobAccessDomain(chainId: number, computeMarket: Address): TypedDataDomain {
  return { name: 'Souk Gateway', version: '1', chainId, verifyingContract: computeMarket };
}

/**
 * Signs a job access for one request and encodes it for the header.
 * @param parameters - The provider's account, the job, the chain and ComputeMarket; `ttlSeconds` (default 300).
 * @returns base64url(JSON) for `X-Souk-Job-Access`.
 */
export async function signJobAccess({
  account,
  jobId,
  chainId,
  computeMarket,
  ttlSeconds = 300,
}: {
  account: LocalAccount;
  jobId: bigint;
  chainId: number;
  computeMarket: Address;
  ttlSeconds?: number | undefined;
}): Promise<string> {
  const nonce = `0x${randomBytes(32).toString('hex')}` as Hex;
  const expiry = Math.floor(Date.now() / 1000) + ttlSeconds;
  const signature = await account.signTypedData({
    domain: jobAccessDomain(chainId, computeMarket),
    types: jobAccessTypes,
    primaryType: 'JobAccess',
    message: { provider: account.address, jobId, nonce, expiry: BigInt(expiry) },
  });
  const access: SignedJobAccess = { provider: account.address, jobId: String(jobId), nonce, expiry, signature };
  return Buffer.from(JSON.stringify(access)).toString('base64url');
}
