import { type Hex, type LocalAccount, toHex } from 'viem';
import type { SoukClient } from '../../clients/createSoukClient.ts';

/** EIP-712 types of a Souk access request (must match the node's `gateway/accessRequest.ts`). */
export const accessRequestTypes = {
  AccessRequest: [
    { name: 'consumer', type: 'address' },
    { name: 'assetId', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const;

export type SignAccessRequestParameters = {
  /** Asset id (AgentNFT token id). */
  assetId: bigint;
  /** The licence holder. */
  account: LocalAccount;
  /** Chain id and Licenses address (from `getContracts`). */
  chainId: number;
  licenses: Hex;
  /** Validity, seconds (the node accepts ≤ 3600). @default 300 */
  ttlSeconds?: number | undefined;
};

/**
 * Signs a single-use EIP-712 `AccessRequest` (domain "Souk Gateway" v1, verifyingContract = Licenses) and returns
 * the value of the `X-Souk-Access` header: base64url(JSON{consumer, assetId, nonce, expiry, signature}).
 */
export async function signAccessRequest({
  assetId,
  account,
  chainId,
  licenses,
  ttlSeconds = 300,
}: SignAccessRequestParameters): Promise<string> {
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const expiry = Math.floor(Date.now() / 1000) + ttlSeconds;
  const signature = await account.signTypedData({
    domain: { name: 'Souk Gateway', version: '1', chainId, verifyingContract: licenses },
    types: accessRequestTypes,
    primaryType: 'AccessRequest',
    message: { consumer: account.address, assetId, nonce, expiry: BigInt(expiry) },
  });
  return Buffer.from(
    JSON.stringify({ consumer: account.address, assetId: assetId.toString(), nonce, expiry, signature }),
  ).toString('base64url');
}

export type DownloadAssetParameters = {
  /** Asset id (AgentNFT token id). */
  assetId: bigint;
  /** Licence holder that signs a fresh access request; omit for public assets. */
  account?: LocalAccount | undefined;
  /** Chain id and Licenses address (from `getContracts`), needed with `account`. */
  chainId?: number | undefined;
  licenses?: Hex | undefined;
  /** A request already signed with {@link signAccessRequest} (instead of `account`). */
  accessRequest?: string | undefined;
  /** One byte range, inclusive offsets. */
  range?: { start: number; end: number } | undefined;
};

/**
 * Returns the streaming `Response` of an asset's plaintext, signing an access request with `account` if given.
 * @throws {SoukApiError} 401 (bad/replayed request), 403 (no licence on-chain, or the asset copies someone else's
 * manifest), 404, 409 (a version published from a wallet, not indexed yet: retry), 416.
 */
export async function downloadAsset(
  client: SoukClient,
  { assetId, account, chainId, licenses, accessRequest, range }: DownloadAssetParameters,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (account) {
    if (chainId === undefined || !licenses) throw new Error('downloadAsset: chainId and licenses are needed to sign.');
    headers['x-souk-access'] = await signAccessRequest({ assetId, account, chainId, licenses });
  } else if (accessRequest) headers['x-souk-access'] = accessRequest;
  if (range) headers.range = `bytes=${range.start}-${range.end}`;
  return client.request(`/api/v1/assets/${assetId}/content`, { headers });
}
