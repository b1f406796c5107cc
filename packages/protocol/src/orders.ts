/**
 * Compute protocol v2 over the job bus: how the node assigns an order to providers and how they answer, with
 * commit–reveal so no provider can learn another's answer before committing its own.
 *
 * | subject | direction | carries |
 * | --- | --- | --- |
 * | `<prefix>.orders.assigned.<provider>` | node → provider | {@link OrderAssignment} (`assign`, `reveal`) |
 * | `<prefix>.orders.replies.<orderHash>` | provider → node | {@link OrderReply} (`received`, `commit`, `reveal`, `failed`) |
 * | `<prefix>.orders.accepted` | node → leader node | {@link OrderAccepted}: a node that does not coordinate stored an order |
 *
 * Sequence per order (r providers): the node sends `assign` to each (the input inline when small) → each provider
 * confirms `received`, runs the job, and sends `commit` with `keccak256(abi.encode(orderHash, resultHash, salt,
 * provider))` → once all r commitments are in, the node sends `reveal` → each provider sends `reveal` with its result
 * bytes, salt and EIP-712 `ResultAttestation(orderHash, resultHash)` signature. A reveal that does not open its
 * commitment is ignored. Payloads are JSON; bytes are base64.
 *
 * Orders of the `tolerance` class (`tolerance.ts`) add one round: once the r reveals are within tolerance of each
 * other, the node sends `attest` with a representative result (the medoid) to every other provider; each checks
 * that it is within tolerance of its own output and answers `attest` with its signature of
 * `ResultAttestation(orderHash, representativeHash)` — or `contest` when it is not, which sends the order to the
 * referee. Every provider's own reveal (and its signature of its own result) stays the evidence a dispute judges.
 */
import { encodeAbiParameters, type Hex, keccak256 } from 'viem';
import type { JobOrderJson } from './compute.ts';
import type { VerificationSpec } from './tolerance.ts';

/** Inputs up to this size travel inside the assignment (no extra HTTP round trip), bytes. */
export const MAX_INLINE_INPUT_BYTES = 256 * 1024;
/** Results up to this size travel inside the reveal, bytes (NATS' default max payload is 1 MiB). */
export const MAX_INLINE_RESULT_BYTES = 512 * 1024;

/** What the provider needs to know about the model it runs. */
export type OrderModel = {
  /** Asset id, decimal. */
  id: string;
  /** The manifest's `runtime.pipeline` (`ocr`, `onnx`…). */
  pipeline: string;
  /** CID of the bundle's content: the provider's model-cache key. */
  contentCid: string;
  /** SHA-256 (hex, no `0x`) of the bundle plaintext. */
  contentSha256: string;
  /** The manifest's `runtime.verification` (absent: `exact`). */
  verification?: VerificationSpec | undefined;
};

/** `<prefix>.orders.assigned.<provider>`: node → provider. */
export type OrderAssignment =
  | {
      kind: 'assign';
      orderHash: Hex;
      /** The signed order (the provider checks that it hashes to `orderHash`). */
      order: JobOrderJson;
      /** EIP-155 chain id and the ComputeEscrow address: the order's EIP-712 domain. */
      chainId: number;
      computeEscrow: Hex;
      model: OrderModel;
      /** Base URL of the node's job gateway (model bundle, and the input when not inline). */
      nodeUrl: string;
      /** The input, base64, when at most {@link MAX_INLINE_INPUT_BYTES}; else fetched from the gateway. */
      input?: string | undefined;
    }
  | {
      /** Every commitment of the order is in: reveal now. */
      kind: 'reveal';
      orderHash: Hex;
    }
  | {
      /**
       * `tolerance` orders: the reveals agree; sign `ResultAttestation(orderHash, resultHash)` for this representative
       * result if it is within the model's tolerance of your own.
       */
      kind: 'attest';
      orderHash: Hex;
      /** SHA-256 of `result`. */
      resultHash: Hex;
      /** The representative result bytes, base64. */
      result: string;
    };

/** `<prefix>.orders.replies.<orderHash>`: provider → node. Addresses checksummed. */
export type OrderReply =
  | { kind: 'received'; orderHash: Hex; provider: Hex }
  | { kind: 'commit'; orderHash: Hex; provider: Hex; commitment: Hex; durationMs: number }
  | {
      kind: 'reveal';
      orderHash: Hex;
      provider: Hex;
      resultHash: Hex;
      salt: Hex;
      /** EIP-712 `ResultAttestation(orderHash, resultHash)` signed by `provider`. */
      signature: Hex;
      /** The result bytes, base64 (at most {@link MAX_INLINE_RESULT_BYTES}). */
      result: string;
    }
  | {
      /** `tolerance` orders: the provider's signature of the representative result (answer to `attest`). */
      kind: 'attest';
      orderHash: Hex;
      provider: Hex;
      resultHash: Hex;
      /** EIP-712 `ResultAttestation(orderHash, resultHash)` signed by `provider`. */
      signature: Hex;
    }
  | {
      /** `tolerance` orders: the representative is not within tolerance of this provider's own result. */
      kind: 'contest';
      orderHash: Hex;
      provider: Hex;
      reason: string;
    }
  | {
      /** The job cannot run (e.g. an input the model cannot take); the node's referee reproduces it. */
      kind: 'failed';
      orderHash: Hex;
      provider: Hex;
      reason: string;
      /** `invalid-input` / `invalid-argument` when the job itself is at fault; absent for a provider fault. */
      code?: string | undefined;
    };

/**
 * `<prefix>.orders.accepted`: node → the leader. A node that accepted an order but does not coordinate (a standby of
 * a scale-out market) stored it in the shared database and tells the leader to adopt it now; the leader also sweeps
 * the database for stored orders it does not hold, so a lost message only delays the order.
 */
export type OrderAccepted = {
  kind: 'accepted';
  /** The stored order's hash (lower-case). */
  orderHash: Hex;
};

/** Subject builders of protocol v2 for one bus prefix. */
export function orderSubjects(prefix: string) {
  return {
    /** Assignments and reveal requests to one provider (lower-case address). */
    assigned: (provider: string) => `${prefix}.orders.assigned.${provider.toLowerCase()}`,
    /** Replies about one order. */
    replies: (orderHash: string) => `${prefix}.orders.replies.${orderHash.toLowerCase()}`,
    /** Replies about every order (a filter). */
    repliesAll: `${prefix}.orders.replies.*`,
    /** Orders stored by a node that does not coordinate, for the leader to adopt ({@link OrderAccepted}). */
    accepted: `${prefix}.orders.accepted`,
  } as const;
}

/**
 * A provider's commitment to its result: `keccak256(abi.encode(orderHash, resultHash, salt, provider))`. Binding the
 * provider means a copied commitment opens for nobody else.
 * @param salt 32 random bytes, kept secret until the reveal.
 */
export function resultCommitment(orderHash: Hex, resultHash: Hex, salt: Hex, provider: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'address' }],
      [orderHash, resultHash, salt, provider],
    ),
  );
}
