/**
 * The provider's side of the node's job gateway: job-authorised downloads of the model bundle and input, and the
 * upload of the result. Every request carries a fresh EIP-712 job access (`jobs/jobAccess.ts`).
 */
import { createHash } from 'node:crypto';
import { JOB_ACCESS_HEADER } from '@souk/protocol';
import type { Address, Hex, LocalAccount } from 'viem';
import { NodeRequestError } from '../errors.ts';
import { signJobAccess } from '../jobs/jobAccess.ts';
import type { RuntimeRecord } from '../runtime/types.ts';

/** Parameters shared by every call. */
export type NodeApiContext = {
  account: LocalAccount;
  chainId: number;
  computeMarket: Address;
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
 * Downloads job content (`model` or `input`) and checks its SHA-256.
 * @param expectedSha256 - Hex digest the bytes must have (the manifest's, or the on-chain input hash).
 * @throws {NodeRequestError} When the node refuses or the bytes do not match.
 */
export async function downloadJobContent(
  context: NodeApiContext,
  nodeUrl: string,
  jobId: bigint,
  part: 'model' | 'input',
  expectedSha256: string,
): Promise<Uint8Array> {
  return downloadVerified(
    context,
    `${nodeUrl}/api/v1/jobs/${jobId}/${part}`,
    jobId,
    `the ${part} of job ${jobId}`,
    expectedSha256,
  );
}

/**
 * GETs job-authorised content (a fresh EIP-712 job access for `jobId`) and checks its SHA-256: the one download path of
 * the job gateway (ComputeMarket jobs) and the order gateway (protocol-v2 orders, `jobId` = the order hash).
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

/**
 * Stores this provider's result for a job on the node (before committing its hash).
 * @param result - The canonical result bytes.
 * @param resultHash - `0x` + their SHA-256 (the node recomputes it).
 * @throws {NodeRequestError} When the node refuses.
 */
export async function uploadJobResult(
  context: NodeApiContext,
  nodeUrl: string,
  jobId: bigint,
  result: Uint8Array,
  resultHash: Hex,
  runtimeRecord: RuntimeRecord,
): Promise<void> {
  const access = await signJobAccess({ ...context, jobId });
  const response = await fetch(`${nodeUrl}/api/v1/jobs/${jobId}/results`, {
    method: 'POST',
    headers: {
      [JOB_ACCESS_HEADER]: access,
      'content-type': 'application/octet-stream',
      'x-souk-result-hash': resultHash,
      'x-souk-runtime-record': Buffer.from(JSON.stringify(runtimeRecord)).toString('base64url'),
    },
    body: Buffer.from(result),
  });
  if (!response.ok) await fail(response, `the result of job ${jobId}`);
}
