import { ACCESS_REQUEST_HEADER, accessRequestTypedData, type SignedAccessRequest } from '@souk/protocol';
import { type Hex, type LocalAccount, toHex } from 'viem';
import type { SoukClient } from '../../clients/createSoukClient.ts';

export type SignAccessRequestParameters = {
  /** Asset id (AgentNFT token id). */
  assetId: bigint;
  /** The licence holder. */
  account: LocalAccount;
  /** Chain id and Licenses address (from `getContracts`). */
  chainId: number;
  licenses: Hex;
  /** Validity, seconds (the node accepts at most `MAX_ACCESS_REQUEST_TTL` of `@souk/protocol`, 3600). @default 300 */
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
  const signature = await account.signTypedData(
    accessRequestTypedData(chainId, licenses, { consumer: account.address, assetId, nonce, expiry: BigInt(expiry) }),
  );
  const request: SignedAccessRequest = {
    consumer: account.address,
    assetId: assetId.toString(),
    nonce,
    expiry,
    signature,
  };
  return Buffer.from(JSON.stringify(request)).toString('base64url');
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
    headers[ACCESS_REQUEST_HEADER] = await signAccessRequest({ assetId, account, chainId, licenses });
  } else if (accessRequest) headers[ACCESS_REQUEST_HEADER] = accessRequest;
  if (range) headers.range = `bytes=${range.start}-${range.end}`;
  return client.request(`/api/v1/assets/${assetId}/content`, { headers });
}
