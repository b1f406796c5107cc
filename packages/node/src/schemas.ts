/**
 * Shared JSON schemas, registered once with `app.addSchema` and referenced by `$ref: '<Id>#'` from routes; they
 * also become the `components.schemas` of the OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import { problemSchema } from './errors.ts';

/** An EVM address, 0x + 40 hex digits (any case). */
export const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' } as const;
/** An unsigned integer as a decimal string (wei amounts, token ids: they exceed JSON's safe integers). */
export const uintString = { type: 'string', pattern: '^[0-9]{1,78}$' } as const;
/** A 32-byte hex value. */
export const bytes32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const;

const nullableString = { type: ['string', 'null'] } as const;

/** JSON shape of an asset (registered as `Asset`). */
export const assetSchema = {
  $id: 'Asset',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'AgentNFT token id' },
    kind: { type: 'string', enum: ['model', 'agent', 'dataset'] },
    name: nullableString,
    description: nullableString,
    creator: { type: 'string' },
    owner: { type: 'string' },
    royaltyBps: { type: 'integer' },
    manifestUri: { type: 'string' },
    manifestCid: nullableString,
    contentCid: nullableString,
    versionCount: { type: 'integer' },
    priceWei: { ...nullableString, description: 'asking price: active listing, else licence terms' },
    currency: nullableString,
    licence: {
      type: ['object', 'null'],
      properties: {
        currency: nullableString,
        priceWei: nullableString,
        durationSeconds: { ...nullableString, description: '0 = perpetual' },
        active: { type: 'boolean' },
      },
    },
    createdBlock: { type: 'integer' },
    createdAt: { type: 'string' },
    updatedBlock: { type: 'integer' },
  },
} as const;

const contracts = {
  type: 'object',
  properties: Object.fromEntries(
    [
      'soukToken',
      'agentNft',
      'marketplace',
      'licenses',
      'providerRegistry',
      'computeMarket',
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
