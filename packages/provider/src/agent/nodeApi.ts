/**
 * The provider's side of the node's order gateway: job-authorised downloads of an order's model bundle and input.
 * Every request carries a fresh EIP-712 job access (`jobs/jobAccess.ts`).
 */
import { createHash } from 'node:crypto';
import { JOB_ACCESS_HEADER } from '@souk/protocol';
import type { Address, LocalAccount } from 'viem';
import { NodeRequestError } from '../errors.ts';
import { signJobAccess } from '../jobs/jobAccess.ts';

/** Parameters shared by every call. */
export type NodeApiContext = {
  account: LocalAccount;
  chainId: number;
  /** The ComputeEscrow: the verifying contract of job accesses. */
  computeEscrow: Address;
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function fail(response: Response, what: string): Promise<never> {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const problem = (await response.json()) as { detail?: string };
    if (problem.detail) detail = `${response.status}: ${problem.detail}`;
  } catch {}
  throw new NodeRequestError(`The node refused ${what}.`, { details: detail });
}

/**
 * GETs job-authorised content (a fresh EIP-712 job access for `jobId`, the order hash as a uint256) and checks its
 * SHA-256: the one download path of the order gateway.
 * @param what - What is fetched, for messages (`the model of job 7`).
 * @throws {NodeRequestError} When the node refuses or the bytes do not match.
 */
export async function downloadVerified(
  context: NodeApiContext,
  url: string,
  jobId: bigint,
  what: string,
  expectedSha256: string,
): Promise<Uint8Array> {
  const access = await signJobAccess({ ...context, jobId });
  const response = await fetch(url, { headers: { [JOB_ACCESS_HEADER]: access } });
  if (!response.ok) await fail(response, what);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = sha256(bytes);
  if (digest !== expectedSha256.replace(/^0x/, '').toLowerCase()) {
    throw new NodeRequestError(`${what[0]?.toUpperCase()}${what.slice(1)} does not match its hash.`, {
      details: `expected ${expectedSha256}, got ${digest}`,
    });
  }
  return bytes;
}
