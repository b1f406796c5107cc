/**
 * The asset shapes of the node's API — a listed asset (`GET /api/v1/assets`, `/user/:address/agents`) and one asset
 * with its versions and listing (`GET /api/v1/assets/:id`): the JSON schemas the node serialises with, and the types
 * derived from them that the SDK returns. Amounts are
 * wei as decimal strings, ids decimal strings, times ISO 8601.
 */
import type { FromSchema } from './jsonSchema.ts';

const nullableString = { type: ['string', 'null'] } as const;

/** JSON schema of an asset (`$id` `Asset`). Every property is always present (`required`), possibly `null`. */
export const assetSchema = {
  $id: 'Asset',
  type: 'object',
  required: [
    'id',
    'kind',
    'name',
    'description',
    'creator',
    'owner',
    'royaltyBps',
    'manifestUri',
    'manifestCid',
    'contentCid',
    'versionCount',
    'priceWei',
    'currency',
    'licence',
    'createdBlock',
    'createdAt',
    'updatedBlock',
  ],
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
      required: ['currency', 'priceWei', 'durationSeconds', 'active'],
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

/** An asset as the node's index serves it (derived from {@link assetSchema}). */
export type Asset = FromSchema<typeof assetSchema>;

/** JSON schema of `GET /api/v1/assets/:id`: an {@link Asset} with its versions (oldest first) and active listing. */
export const assetDetailSchema = {
  type: 'object',
  required: [...assetSchema.required, 'versions', 'listing'],
  properties: {
    ...assetSchema.properties,
    versions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['version', 'uri', 'blockNumber', 'transactionHash', 'createdAt'],
        properties: {
          version: { type: 'integer', description: '0 = as minted' },
          uri: { type: 'string', description: 'manifest URI of this version' },
          blockNumber: { type: 'integer' },
          transactionHash: { type: 'string' },
          createdAt: { type: 'string' },
        },
      },
    },
    listing: {
      type: ['object', 'null'],
      required: ['seller', 'currency', 'priceWei', 'active'],
      properties: {
        seller: { type: 'string' },
        currency: { type: 'string' },
        priceWei: { type: 'string', description: 'wei of currency' },
        active: { type: 'boolean' },
      },
    },
  },
} as const;

/** One asset with its versions and listing (derived from {@link assetDetailSchema}). */
export type AssetDetail = FromSchema<typeof assetDetailSchema>;
