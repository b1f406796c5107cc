/**
 * Compute protocol v2, off-chain half: the EIP-712 job order a requester signs and the result attestation a provider
 * signs. `ComputeEscrow.sol` checks the same types on-chain in `settleBatch` / `settleDispute`; a change here is a
 * change of that contract's type hashes (the contract tests compare them).
 *
 * Domain: name "Souk ComputeEscrow", version "1", the chain id and the ComputeEscrow address (EIP-712 §domain
 * separator), so an order or attestation signed for one chain or one deployment is worthless on another.
 */
import { type Address, getAddress, type Hex, hashTypedData, parseAbi, type TypedDataDomain } from 'viem';

/** Verification classes an order may ask for (uint8 on the wire). */
export const Verification = {
  /** r providers must return the same result hash (bit-exact agreement). */
  Exact: 0,
  /**
   * r providers' numeric outputs must agree within the model's declared `atol`/`rtol` (`tolerance.ts`); they then all
   * attest one representative result hash.
   */
  Tolerance: 1,
  /**
   * One provider returns the output with a Groth16 proof binding the model commitment, the input commitment and the
   * output (`zk.ts`, docs/zk.md); redundancy 1.
   */
  Zk: 2,
} as const;
export type VerificationCode = (typeof Verification)[keyof typeof Verification];

/** Largest redundancy r an order may ask for (`ComputeEscrow.MAX_REDUNDANCY`). */
export const MAX_REDUNDANCY = 5;

/** EIP-712 types of a job order (what the requester signs). */
export const jobOrderTypes = {
  JobOrder: [
    { name: 'requester', type: 'address' },
    { name: 'modelId', type: 'uint256' },
    { name: 'modelVersion', type: 'uint32' },
    { name: 'inputHash', type: 'bytes32' },
    { name: 'currency', type: 'address' },
    { name: 'maxPrice', type: 'uint256' },
    { name: 'redundancy', type: 'uint8' },
    { name: 'verification', type: 'uint8' },
    { name: 'deadline', type: 'uint64' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const;

/** EIP-712 types of a result attestation (what each provider signs). */
export const resultAttestationTypes = {
  ResultAttestation: [
    { name: 'orderHash', type: 'bytes32' },
    { name: 'resultHash', type: 'bytes32' },
  ],
} as const;

/**
 * A job order. Amounts are wei of `currency` (the zero address is the chain's native coin); `inputHash` is the
 * SHA-256 of the input bytes; `deadline` is the last Unix second at which the order can be settled (charged);
 * `nonce` is an unordered nonce (a bit in a 256-bit word, as in Permit2): any unused value works once.
 */
export type JobOrder = {
  requester: Address;
  modelId: bigint;
  /** Version index of the model (0 = as minted). */
  modelVersion: number;
  inputHash: Hex;
  currency: Address;
  maxPrice: bigint;
  redundancy: number;
  verification: number;
  deadline: bigint;
  nonce: bigint;
};

/** A job order as JSON (HTTP and bus): integers as decimal strings, addresses and hashes as hex. */
export type JobOrderJson = {
  requester: string;
  modelId: string;
  modelVersion: number;
  inputHash: string;
  currency: string;
  maxPrice: string;
  redundancy: number;
  verification: number;
  deadline: string;
  nonce: string;
};

/**
 * The EIP-712 domain of orders and attestations.
 * @param chainId EIP-155 chain id.
 * @param computeEscrow The ComputeEscrow contract (the verifying contract).
 */
export function computeEscrowDomain(chainId: number, computeEscrow: Address): TypedDataDomain {
  return { name: 'Souk ComputeEscrow', version: '1', chainId, verifyingContract: getAddress(computeEscrow) };
}

/**
 * Brings an order to its one canonical form (checksummed addresses, lower-case hashes, bigint integers) so that two
 * spellings of one signed order are one order for every lookup.
 * @throws {TypeError} For a field that is not a valid address, 32-byte hash or non-negative integer.
 */
export function normaliseJobOrder(order: JobOrder | JobOrderJson): JobOrder {
  const hash32 = (value: string, field: string): Hex => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new TypeError(`${field} must be a 32-byte hex string`);
    return value.toLowerCase() as Hex;
  };
  const uint = (value: bigint | string, field: string): bigint => {
    const n = typeof value === 'bigint' ? value : /^[0-9]{1,78}$/.test(value) ? BigInt(value) : -1n;
    if (n < 0n || n >= 2n ** 256n) throw new TypeError(`${field} must be a non-negative integer below 2^256`);
    return n;
  };
  const small = (value: number, field: string, max: number): number => {
    if (!Number.isInteger(value) || value < 0 || value > max)
      throw new TypeError(`${field} must be an integer 0…${max}`);
    return value;
  };
  const deadline = uint(order.deadline, 'deadline');
  if (deadline >= 2n ** 64n) throw new TypeError('deadline must fit uint64');
  return {
    requester: getAddress(order.requester),
    modelId: uint(order.modelId, 'modelId'),
    modelVersion: small(order.modelVersion, 'modelVersion', 2 ** 32 - 1),
    inputHash: hash32(order.inputHash, 'inputHash'),
    currency: getAddress(order.currency),
    maxPrice: uint(order.maxPrice, 'maxPrice'),
    redundancy: small(order.redundancy, 'redundancy', 255),
    verification: small(order.verification, 'verification', 255),
    deadline,
    nonce: uint(order.nonce, 'nonce'),
  };
}

/** An order as JSON (decimal strings for integers). */
export function jobOrderToJson(order: JobOrder): JobOrderJson {
  return {
    requester: order.requester,
    modelId: String(order.modelId),
    modelVersion: order.modelVersion,
    inputHash: order.inputHash,
    currency: order.currency,
    maxPrice: String(order.maxPrice),
    redundancy: order.redundancy,
    verification: order.verification,
    deadline: String(order.deadline),
    nonce: String(order.nonce),
  };
}

/**
 * The order's EIP-712 hash (`hashTypedData`): its identity everywhere (database key, bus ids, attestations,
 * `ComputeEscrow` events).
 */
export function hashJobOrder(chainId: number, computeEscrow: Address, order: JobOrder): Hex {
  return hashTypedData({
    domain: computeEscrowDomain(chainId, computeEscrow),
    types: jobOrderTypes,
    primaryType: 'JobOrder',
    message: order,
  });
}

/** The typed data a requester signs for an order (pass to viem's `signTypedData`). */
export function jobOrderTypedData(chainId: number, computeEscrow: Address, order: JobOrder) {
  return {
    domain: computeEscrowDomain(chainId, computeEscrow),
    types: jobOrderTypes,
    primaryType: 'JobOrder' as const,
    message: order,
  };
}

/** The typed data a provider signs for a result (pass to viem's `signTypedData`). */
export function resultAttestationTypedData(chainId: number, computeEscrow: Address, orderHash: Hex, resultHash: Hex) {
  return {
    domain: computeEscrowDomain(chainId, computeEscrow),
    types: resultAttestationTypes,
    primaryType: 'ResultAttestation' as const,
    message: { orderHash, resultHash },
  };
}

/**
 * The one ProviderRegistry read a requester needs to check attestations on its own RPC: `isActive(provider)` (registered
 * and staked at least the minimum). The full ABI lives in `@souk/contracts`; this fragment keeps the SDK free of it.
 */
export const providerActiveAbi = parseAbi(['function isActive(address provider) view returns (bool)']);
