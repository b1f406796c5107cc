/**
 * EIP-712 job access (types, domain and header in `@souk/protocol`'s `access.ts`): how a provider proves, per request, that it is the account assigned to a paid job, so the
 * node's order gateway releases the order's model bundle and input to it. The node checks the signature, the expiry,
 * the single-use nonce, and then that the signer holds a slot of the order (`jobId` = the order's EIP-712 hash as a
 * uint256) while it runs.
 *
 * The node brings every field to one spelling before it looks up or records the nonce (`provider` checksummed,
 * `nonce` and `signature` lower-case hex, `jobId` decimal without leading zeros): re-casing the hex of a used access
 * does not make it new. {@link signJobAccess} already sends that form (lower-case random nonce, viem's checksummed
 * address and lower-case signature).
 */
import { randomBytes } from 'node:crypto';
import { jobAccessTypedData, type SignedJobAccess } from '@souk/protocol';
import type { Address, Hex, LocalAccount } from 'viem';

/**
 * Signs a job access for one request and encodes it for the header.
 * @param parameters - The provider's account, the job (order hash as a uint256), the chain and the ComputeEscrow; `ttlSeconds` (default 300).
 * @returns base64url(JSON) for `X-Souk-Job-Access`.
 */
export async function signJobAccess({
  account,
  jobId,
  chainId,
  computeEscrow,
  ttlSeconds = 300,
}: {
  account: LocalAccount;
  jobId: bigint;
  chainId: number;
  computeEscrow: Address;
  ttlSeconds?: number | undefined;
}): Promise<string> {
  const nonce = `0x${randomBytes(32).toString('hex')}` as Hex;
  const expiry = Math.floor(Date.now() / 1000) + ttlSeconds;
  const signature = await account.signTypedData(
    jobAccessTypedData(chainId, computeEscrow, { provider: account.address, jobId, nonce, expiry: BigInt(expiry) }),
  );
  const access: SignedJobAccess = { provider: account.address, jobId: String(jobId), nonce, expiry, signature };
  return Buffer.from(JSON.stringify(access)).toString('base64url');
}
