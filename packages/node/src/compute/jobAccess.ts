/**
 * Verifies EIP-712 job accesses (`@souk/provider`'s `jobs/jobAccess.ts`): the provider-side proof that a request to
 * the order gateway comes from an account assigned to the order. Checks, in order: shape, expiry (≤ 1 h ahead), the
 * signature (EOA or EIP-1271) under the ComputeEscrow's gateway domain, the single-use nonce; the order gateway
 * (`routes/orders/`) then checks that the signer holds a slot of the running order in the coordinator's state.
 */
import { jobAccessTypedData, MAX_ACCESS_REQUEST_TTL, normaliseJobAccess, type SignedJobAccess } from '@souk/protocol';
import type { Address } from 'viem';
import { UnauthorizedError } from '../errors.ts';
import type { NodeServices } from '../services.ts';

/**
 * Decodes the `X-Souk-Job-Access` header into its canonical form (`@souk/protocol`'s `normaliseJobAccess`:
 * `provider` EIP-55 checksummed, `nonce` and `signature` lower-case hex, `jobId` decimal without leading zeros). The
 * signature covers the fields' bytes, not their spelling, so the single-use nonce table must only ever see one
 * spelling per nonce.
 * @throws {UnauthorizedError} (401) when missing or malformed.
 */
export function decodeJobAccess(encoded: string | undefined): SignedJobAccess {
  if (!encoded)
    throw new UnauthorizedError('Send an EIP-712 JobAccess signed by an assigned provider in X-Souk-Job-Access.');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new UnauthorizedError('X-Souk-Job-Access is not base64url-encoded JSON.');
  }
  try {
    return normaliseJobAccess(value);
  } catch {
    throw new UnauthorizedError('Job access needs provider, jobId, nonce, expiry and signature.');
  }
}

/**
 * Decodes the header, checks that it names `jobId` (the order hash as a uint256), its expiry, the provider's EIP-712
 * signature, and uses its nonce (single use). The caller then checks the assignment in the coordinator's order state.
 * @returns The signing provider (checksummed).
 * @throws {UnauthorizedError} (401) bad, expired, replayed or mis-signed access.
 */
export async function verifyJobAccessSignature(
  { chain, db }: Pick<NodeServices, 'chain' | 'db'>,
  encoded: string | undefined,
  jobId: bigint,
  now = Math.floor(Date.now() / 1000),
): Promise<Address> {
  const access = decodeJobAccess(encoded);
  if (BigInt(access.jobId) !== jobId)
    throw new UnauthorizedError(`Job access is for job ${access.jobId}, not ${jobId}.`);
  if (access.expiry <= now) throw new UnauthorizedError('Job access has expired.');
  if (access.expiry > now + MAX_ACCESS_REQUEST_TTL) {
    throw new UnauthorizedError(`Job access expiry is more than ${MAX_ACCESS_REQUEST_TTL} s ahead.`);
  }
  const { computeEscrow } = chain.deployment.contracts;
  const valid = await chain.publicClient
    .verifyTypedData({
      address: access.provider,
      ...jobAccessTypedData(chain.deployment.chainId, computeEscrow, {
        provider: access.provider,
        jobId,
        nonce: access.nonce,
        expiry: BigInt(access.expiry),
      }),
      signature: access.signature,
    })
    .catch(() => false);
  if (!valid) throw new UnauthorizedError('Job access signature does not match the provider.');
  const inserted = await db
    .insertInto('job_access_nonces')
    .values({
      nonce: access.nonce,
      provider: access.provider.toLowerCase(),
      job_id: jobId.toString(),
      expires_at: new Date(access.expiry * 1000),
    })
    .onConflict((oc) => oc.column('nonce').doNothing())
    .returning('nonce')
    .executeTakeFirst();
  if (!inserted) throw new UnauthorizedError('Job access nonce was already used.');
  return access.provider;
}
