import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError } from '../../errors/base.ts';

/** A provider's signed result attestation, as the node returns it. */
export type OrderAttestation = { provider: `0x${string}`; resultHash: `0x${string}`; signature: `0x${string}` };

/** An order (compute protocol v2) as `GET /api/v1/orders/{hash}` returns it. Amounts: wei as decimal strings. */
export type Order = {
  orderHash: `0x${string}`;
  chainId: number;
  computeEscrow: `0x${string}`;
  /** The signed JobOrder (JSON form: integers as decimal strings). */
  order: {
    requester: `0x${string}`;
    modelId: string;
    modelVersion: number;
    inputHash: `0x${string}`;
    currency: `0x${string}`;
    maxPrice: string;
    redundancy: number;
    verification: number;
    deadline: string;
    nonce: string;
  };
  requesterSignature: `0x${string}`;
  /** `running` → `agreed` → (`ready` → `settling` →) `settled`; or `disputed`, `failed`, `expired`, `unpaid`. */
  phase: 'running' | 'agreed' | 'disputed' | 'ready' | 'settling' | 'settled' | 'failed' | 'expired' | 'unpaid';
  amount: string;
  resultHash: `0x${string}` | null;
  /** Result bytes, base64, once agreed. */
  result: string | null;
  /** The result parsed as JSON (when it is UTF-8 JSON). */
  output: unknown;
  /** The agreeing providers' attestations (r of them once agreed). */
  attestations: OrderAttestation[];
  providers: Array<{ address: string; received: boolean; committed: boolean; revealed: boolean }>;
  audit: string;
  /**
   * `agreement`: r providers' attestations agree. `referee`: they disagreed, the node's referee re-executed, and the
   * result is the one the agreeing minority (at least one provider) attested — it rests on the referee.
   */
  resolvedBy: 'agreement' | 'referee';
  settleTx: `0x${string}` | null;
  reason: string | null;
  /** Devnet path: the escrow deposit the node sent before signing. */
  deposit?: `0x${string}` | null;
};
export type GetOrderErrorType = SoukApiError;

/**
 * Reads an order (`GET /api/v1/orders/{hash}`); its requester only.
 * @param waitMs Hold the request until the order's phase changes (at most 60,000 ms; a terminal order answers at once).
 * @throws {SoukApiError} 403 (another account's order), 404.
 */
export function getOrder(
  client: SoukClient,
  { orderHash, waitMs }: { orderHash: string; waitMs?: number | undefined },
) {
  return client.json<Order>(`/api/v1/orders/${orderHash}${waitMs ? `?waitMs=${waitMs}` : ''}`);
}
