/**
 * Verifies EIP-712 job accesses (`@souk/provider`'s `jobs/jobAccess.ts`): the provider-side proof that a request to
 * the job gateway comes from an account assigned to the job. Checks, in order: shape, expiry (≤ 1 h ahead), the
 * signature (EOA or EIP-1271), the single-use nonce, then on-chain that the job is `Assigned` (still running, not
 * committed by everyone) and `getAssignment(jobId, provider).assigned`.
 */
import { computeMarketAbi } from '@souk/contracts';
import {
  JobStatus,
  jobAccessTypedData,
  MAX_ACCESS_REQUEST_TTL,
  normaliseJobAccess,
  type SignedJobAccess,
} from '@souk/protocol';
import type { Address } from 'viem';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { NodeServices } from '../services.ts';

/** `@souk/protocol`'s `JobStatus`, re-exported only until `coordinator.ts` imports it from there. */
export { JobStatus as JobStatusCode } from '@souk/protocol';

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
 * Verifies a job access for `jobId` and returns the provider.
 * @throws {UnauthorizedError} (401) bad, expired, replayed or mis-signed access.
 * @throws {ForbiddenError} (403) the signer is not assigned to the job, or the job is not running.
 */
export async function verifyJobAccess(
  { chain, db }: Pick<NodeServices, 'chain' | 'db'>,
  encoded: string | undefined,
  jobId: bigint,
  now = Math.floor(Date.now() / 1000),
): Promise<Address> {
  const provider = await verifyJobAccessSignature({ chain, db }, encoded, jobId, now);
  const { computeMarket } = chain.deployment.contracts;
  const [job, assignment] = await Promise.all([
    chain.publicClient.readContract({
      address: computeMarket,
      abi: computeMarketAbi,
      functionName: 'getJob',
      args: [jobId],
    }),
    chain.publicClient.readContract({
      address: computeMarket,
      abi: computeMarketAbi,
      functionName: 'getAssignment',
      args: [jobId, provider],
    }),
  ]);
  if (job.status !== JobStatus.Assigned) {
    throw new ForbiddenError(`Job ${jobId} is not running (status ${job.status}); its content is no longer released.`);
  }
  if (!assignment.assigned) throw new ForbiddenError(`${provider} is not assigned to job ${jobId}.`);
  return provider;
}

/**
 * The signature half of {@link verifyJobAccess}: decodes the header, checks that it names `jobId`, its expiry, the
 * provider's EIP-712 signature, and uses its nonce (single use). The caller then checks the assignment — on-chain
 * for ComputeMarket jobs, in the coordinator's order state for protocol-v2 orders (`jobId` = the order hash as a
 * uint256).
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
  const { computeMarket } = chain.deployment.contracts;
  const valid = await chain.publicClient
    .verifyTypedData({
      address: access.provider,
      ...jobAccessTypedData(chain.deployment.chainId, computeMarket, {
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
