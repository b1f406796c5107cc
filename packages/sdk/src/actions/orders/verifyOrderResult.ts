import { hashJobOrder, normaliseJobOrder, providerActiveAbi, resultAttestationTypedData } from '@souk/protocol';
import { type Address, getAddress, type PublicClient, recoverTypedDataAddress, sha256 } from 'viem';
import { SoukError } from '../../errors/base.ts';
import type { Order } from './getOrder.ts';

/** Why a result failed verification. */
export class ResultVerificationError extends SoukError {
  override name = 'ResultVerificationError';
}

/** What {@link verifyOrderResult} checked. */
export type VerifiedResult = {
  /** The result bytes. */
  result: Uint8Array;
  resultHash: `0x${string}`;
  /** The providers whose signatures were checked, each active and staked on-chain. */
  providers: Address[];
  /** `agreement` (r attestations agree) or `referee` (a disagreement the node's referee decided). */
  resolvedBy: 'agreement' | 'referee';
};

/**
 * How long a provider read as active is taken as still active, ms: a requester running many orders on the same
 * providers reads the ProviderRegistry once per provider per this time, not once per order. A provider that
 * deactivates or is slashed below the minimum stake within that time can still be counted for at most this long;
 * a provider read as inactive is read again every time.
 */
export const ACTIVE_PROVIDER_CACHE_MS = 10_000;
/** Providers read as active, per RPC client and registry: address → when read (`Date.now()`). */
const activeSeen = new WeakMap<object, Map<string, number>>();
async function isActive(publicClient: PublicClient, registry: Address, provider: Address): Promise<boolean> {
  let seen = activeSeen.get(publicClient);
  if (!seen) {
    seen = new Map();
    activeSeen.set(publicClient, seen);
  }
  const key = `${registry.toLowerCase()}:${provider.toLowerCase()}`;
  const at = seen.get(key);
  if (at !== undefined && Date.now() - at < ACTIVE_PROVIDER_CACHE_MS) return true;
  const active = (await publicClient.readContract({
    address: registry,
    abi: providerActiveAbi,
    functionName: 'isActive',
    args: [provider],
  })) as boolean;
  if (active) seen.set(key, Date.now());
  else seen.delete(key);
  if (seen.size > 1024) seen.delete(seen.keys().next().value as string);
  return active;
}

/**
 * Verifies an agreed order without trusting the node: the order hashes to `orderHash` under the ComputeEscrow's
 * EIP-712 domain; the result bytes hash (SHA-256) to `resultHash`; there are `redundancy` attestations from distinct
 * providers, each an EIP-712 `ResultAttestation(orderHash, resultHash)` whose signer is that provider; and each
 * provider is active (registered, staked at least the minimum) in the ProviderRegistry, read through
 * `publicClient` — pass a client of your own RPC for a check that does not rest on the node. A provider read as
 * active is not read again for {@link ACTIVE_PROVIDER_CACHE_MS} (per `publicClient` and registry). An order the referee
 * decided after a disagreement (`resolvedBy: 'referee'`) needs one such attestation (the referee's verdict is the
 * node's word; the losing side was slashed on-chain on its own signature).
 *
 * Orders of the `tolerance` verification class verify the same way: the r providers' own results differ in their
 * last bits, but each checked the representative result against its own (`@souk/protocol`'s `compareResults`)
 * before signing its hash, so the result returned carries r attestations of one hash (after a dispute: an accepted
 * provider's own result and its own attestation).
 * @param registry The ProviderRegistry address.
 * @throws {ResultVerificationError} Naming the first check that failed.
 */
export async function verifyOrderResult(
  order: Order,
  { publicClient, registry }: { publicClient: PublicClient; registry: Address },
): Promise<VerifiedResult> {
  const fail = (why: string): never => {
    throw new ResultVerificationError(`The result of order ${order.orderHash} does not verify: ${why}.`);
  };
  if (!order.result || !order.resultHash) fail('the order has no agreed result yet');
  const signed = normaliseJobOrder(order.order);
  const hash = hashJobOrder(order.chainId, order.computeEscrow, signed);
  if (hash.toLowerCase() !== order.orderHash.toLowerCase()) fail('the order does not hash to its order hash');
  const result = Uint8Array.from(atob(order.result as string), (c) => c.charCodeAt(0)); // atob: browsers too
  const resultHash = sha256(result);
  if (resultHash !== order.resultHash?.toLowerCase()) fail('the result bytes do not hash to the result hash');
  const providers = new Set<string>();
  for (const a of order.attestations) {
    if (a.resultHash.toLowerCase() !== resultHash) fail(`${a.provider} attests another result`);
    const signer = await recoverTypedDataAddress({
      ...resultAttestationTypedData(order.chainId, order.computeEscrow, hash, resultHash),
      signature: a.signature,
    }).catch(() => undefined);
    if (!signer || signer.toLowerCase() !== a.provider.toLowerCase())
      fail(`the attestation of ${a.provider} is not its signature`);
    providers.add(getAddress(a.provider));
  }
  // Settled by the referee after a disagreement: the providers who attested its result (at least one).
  const needed = order.resolvedBy === 'referee' ? 1 : signed.redundancy;
  if (providers.size < needed) {
    fail(`${providers.size} distinct provider attestation(s), the order asks for ${signed.redundancy}`);
  }
  const active = await Promise.all([...providers].map((p) => isActive(publicClient, registry, p as Address)));
  active.forEach((ok, i) => {
    if (!ok) fail(`${[...providers][i]} is not an active, staked provider on-chain`);
  });
  return { result, resultHash, providers: [...providers] as Address[], resolvedBy: order.resolvedBy };
}
