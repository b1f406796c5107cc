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
  const access = await signJobAccess({ ...context, jobId });
  const response = await fetch(`${nodeUrl}/api/v1/jobs/${jobId}/${part}`, { headers: { [JOB_ACCESS_HEADER]: access } });
  if (!response.ok) await fail(response, `the ${part} of job ${jobId}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = sha256(bytes);
  if (digest !== expectedSha256.replace(/^0x/, '').toLowerCase()) {
    throw new NodeRequestError(`The ${part} of job ${jobId} does not match its hash.`, {
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
