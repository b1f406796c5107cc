/**
 * Decoding of Souk contract logs into typed events, and the state entity each event changes.
 */
import {
  agentNftAbi,
  computeEscrowAbi,
  licensesAbi,
  lineageRoyaltiesAbi,
  marketplaceAbi,
  providerRegistryAbi,
  type SoukDeployment,
} from '@souk/contracts';
import { type Address, type DecodeEventLogReturnType, decodeEventLog, type Hex, type Log } from 'viem';
import type { JsonValue } from '../db/schema.ts';
import { InvalidDeploymentError } from './errors.ts';

/** The ABIs of the indexed contracts, by the key `SoukDeployment.contracts` uses. */
export const indexedAbis = {
  agentNft: agentNftAbi,
  marketplace: marketplaceAbi,
  licenses: licensesAbi,
  providerRegistry: providerRegistryAbi,
  computeEscrow: computeEscrowAbi,
  lineageRoyalties: lineageRoyaltiesAbi,
} as const;

/** Key of an indexed contract. */
export type IndexedContract = keyof typeof indexedAbis;

/** Where an event happened. */
export type EventLocation = {
  /** Block number. */
  blockNumber: bigint;
  /** Block hash (lower-case). */
  blockHash: Hex;
  /** Transaction hash (lower-case). */
  transactionHash: Hex;
  /** Index of the log in its block. */
  logIndex: number;
  /** Block time. */
  timestamp: Date;
  /** Emitting contract (lower-case). */
  address: Address;
};

/** A decoded event of one indexed contract: `eventName` and typed `args`, as viem decodes them. */
export type ContractEvent<contract extends IndexedContract> = DecodeEventLogReturnType<
  (typeof indexedAbis)[contract]
> & { contract: contract };

/** A decoded Souk event with its location: a union discriminated by `contract`, then `eventName`. */
export type SoukEvent = {
  [contract in IndexedContract]: ContractEvent<contract> & EventLocation;
}[IndexedContract];

/** Lower-cased address → contract key, for the indexed contracts. */
export function contractsByAddress(deployment: SoukDeployment): Map<string, IndexedContract> {
  const map = new Map<string, IndexedContract>();
  for (const key of Object.keys(indexedAbis) as IndexedContract[]) {
    const address = deployment.contracts[key];
    if (!address) throw new InvalidDeploymentError(`The deployment has no ${key} address.`);
    map.set(address.toLowerCase(), key);
  }
  return map;
}

/**
 * Decodes one log of an indexed contract; returns undefined for logs whose topic the ABI does not know.
 *
 * @param log A log as returned by `eth_getLogs`.
 * @param contract Which contract emitted it.
 * @param timestamp Its block's time.
 */
export function decodeSoukLog(log: Log, contract: IndexedContract, timestamp: Date): SoukEvent | undefined {
  let decoded: { eventName: string; args: unknown };
  try {
    decoded = decodeEventLog({ abi: indexedAbis[contract], data: log.data, topics: log.topics, strict: true });
  } catch {
    return undefined;
  }
  return {
    contract,
    eventName: decoded.eventName,
    args: decoded.args,
    blockNumber: log.blockNumber as bigint,
    blockHash: (log.blockHash as Hex).toLowerCase() as Hex,
    transactionHash: (log.transactionHash as Hex).toLowerCase() as Hex,
    logIndex: log.logIndex as number,
    timestamp,
    address: log.address.toLowerCase() as Address,
  } as SoukEvent;
}

/**
 * The state entity an event changes, as stored in `chain_events.entity`: `asset:<id>`, `licence:<id>:<account>`,
 * `provider:<account>` or `job:<id>`; null for events that change no derived state (approvals, governance
 * parameters, payment credits).
 */
export function entityOf(event: SoukEvent): string | null {
  switch (event.contract) {
    case 'agentNft':
      switch (event.eventName) {
        case 'AssetMinted':
        case 'VersionPublished':
        case 'Transfer':
          return `asset:${event.args.tokenId}`;
        default:
          return null;
      }
    case 'marketplace':
      switch (event.eventName) {
        case 'Listed':
        case 'PriceUpdated':
        case 'Cancelled':
        case 'Sold':
          return `asset:${event.args.tokenId}`;
        default:
          return null;
      }
    case 'licenses':
      switch (event.eventName) {
        case 'TermsSet':
        case 'LicensingClosed':
          return `asset:${event.args.assetId}`;
        case 'LicensePurchased':
          return `licence:${event.args.assetId}:${event.args.licensee.toLowerCase()}`;
        default:
          return null;
      }
    case 'providerRegistry':
      switch (event.eventName) {
        case 'ProviderRegistered':
        case 'MetadataUpdated':
        case 'StakeIncreased':
        case 'UnbondRequested':
        case 'Withdrawn':
        case 'Slashed':
        case 'ReputationUpdated':
        case 'StakeLocked':
        case 'StakeUnlocked':
          return `provider:${event.args.provider.toLowerCase()}`;
        default:
          return null;
      }
    case 'computeEscrow':
      return null; // its tables are event tables only (order_settlements, escrow_movements)
    case 'lineageRoyalties':
      return `asset:${event.args.tokenId}`; // DerivedMinted: binds the derived model's content
  }
}

/** Decoded arguments as JSON: bigints as decimal strings, addresses lower-case. */
export function argsToJson(args: unknown): JsonValue {
  if (typeof args === 'bigint') return args.toString();
  if (typeof args === 'string') return /^0x[0-9a-fA-F]{40}$/.test(args) ? args.toLowerCase() : args;
  if (typeof args === 'number' || typeof args === 'boolean' || args === null) return args;
  if (args === undefined) return null;
  if (Array.isArray(args)) return args.map(argsToJson);
  if (typeof args === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, value] of Object.entries(args)) out[key] = argsToJson(value);
    return out;
  }
  return String(args);
}
