/**
 * Shared JSON schemas, registered once with `app.addSchema` and referenced by `$ref: '<Id>#'` from routes; they
 * also become the `components.schemas` of the OpenAPI document.
 */
import { assetSchema, UINT64_MAX, UINT256_MAX } from '@souk/protocol';
import type { FastifyInstance } from 'fastify';
import { problemSchema } from './errors.ts';

/** An EVM address, 0x + 40 hex digits (any case). */
export const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' } as const;
/** Largest value of each Solidity unsigned integer type the API accepts as a decimal string. */
const UINT_MAX = { uint64: UINT64_MAX, uint256: UINT256_MAX } as const;

/**
 * Ajv formats `uint64` and `uint256`: a decimal string whose value fits the Solidity type (`0 ≤ n ≤ 2^bits − 1`).
 * The `pattern` of the fragments below only bounds the digit count (for the OpenAPI document); these formats
 * enforce the bound itself, so that a value like 2^256 is a 400 at validation instead of a crash in viem.
 * Registered on Fastify's validator compiler by `app.ts` (`ajv.plugins`).
 */
export function uintFormats<
  A extends { addFormat(name: string, format: { type: 'string'; validate: (value: string) => boolean }): unknown },
>(ajv: A): A {
  for (const [name, max] of Object.entries(UINT_MAX)) {
    ajv.addFormat(name, { type: 'string', validate: (value) => /^[0-9]{1,78}$/.test(value) && BigInt(value) <= max });
  }
  return ajv;
}

/**
 * A Solidity `uint256` as a decimal string, 0 … 2^256 − 1 (wei amounts, token ids, job ids: they exceed JSON's
 * safe integers). Leading zeros are allowed; the `uint256` format enforces the upper bound.
 */
export const uint256 = { type: 'string', pattern: '^[0-9]{1,78}$', format: 'uint256' } as const;
/** A Solidity `uint64` as a decimal string, 0 … 2^64 − 1 (block numbers, unix seconds). */
export const uint64 = { type: 'string', pattern: '^[0-9]{1,20}$', format: 'uint64' } as const;
/** Alias of {@link uint256} (the name most routes import). */
export const uintString = uint256;
/** A 32-byte hex value. */
export const bytes32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const;

const contracts = {
  type: 'object',
  properties: Object.fromEntries(
    [
      'soukToken',
      'agentNft',
      'marketplace',
      'licenses',
      'providerRegistry',
      'computeEscrow',
      'lineageRoyalties',
      'evaluations',
      'governor',
      'timelock',
    ].map((k) => [k, address]),
  ),
} as const;

export function addSchemas(app: FastifyInstance) {
  app.addSchema(problemSchema);
  app.addSchema(assetSchema);
  app.addSchema({
    $id: 'Readiness',
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ready', 'degraded'] },
      checks: {
        type: 'object',
        properties: { chain: { type: 'boolean' }, database: { type: 'boolean' }, storage: { type: 'boolean' } },
      },
    },
  });
  app.addSchema({ $id: 'Contracts', ...contracts });
  app.addSchema({
    $id: 'Info',
    type: 'object',
    properties: {
      version: { type: 'string' },
      node: { type: 'string' },
      chainId: { type: 'integer' },
      rpcUrl: { type: 'string' },
      devnet: { type: 'boolean' },
      contracts: { $ref: 'Contracts#' },
      stablecoin: { anyOf: [address, { type: 'null' }] },
      deploymentBlock: { type: 'string' },
      database: { type: 'string', enum: ['pglite', 'postgresql'] },
      storage: { type: 'string', enum: ['helia', 'kubo'] },
      jobBus: { type: 'string', enum: ['in-process', 'nats'] },
      indexerLag: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
    },
  });
}
