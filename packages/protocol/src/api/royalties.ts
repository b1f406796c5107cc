/**
 * Lineage royalties of a derived model (`GET /api/v1/assets/:id/royalties`, `POST …/royalties/collect`,
 * docs/training.md): its RoyaltySplit, who it pays what, and what waits to be split. Amounts are wei as decimal
 * strings, shares basis points.
 */
import type { FromSchema } from './jsonSchema.ts';

/** JSON schema of an asset's royalty split. */
export const assetRoyaltiesSchema = {
  type: 'object',
  required: ['assetId', 'split', 'creator', 'recipients', 'pending'],
  additionalProperties: false,
  properties: {
    assetId: { type: 'string', description: 'the asset, decimal' },
    split: {
      type: ['string', 'null'],
      description: 'its RoyaltySplit (the AgentNFT creator); null when it was not minted through LineageRoyalties',
    },
    creator: { type: 'string', description: 'who receives the remainder of every payment (lower-case address)' },
    recipients: {
      type: 'array',
      items: {
        type: 'object',
        required: ['account', 'bps'],
        additionalProperties: false,
        properties: {
          account: { type: 'string', description: 'lower-case address' },
          bps: { type: 'integer', description: 'share of every creator payment, basis points' },
        },
      },
    },
    pending: {
      type: 'array',
      description: 'per currency: what the ComputeEscrow holds for the split, and what the split holds unsplit',
      items: {
        type: 'object',
        required: ['currency', 'escrowCredits', 'distributable'],
        additionalProperties: false,
        properties: {
          currency: { type: 'string', description: '0x0…0 native, else the ERC-20' },
          escrowCredits: { type: 'string', description: 'job creator shares credited to the split, wei' },
          distributable: { type: 'string', description: 'held by the split beyond the credits it owes, wei' },
        },
      },
    },
  },
} as const;

/** An asset's royalty split (`GET /api/v1/assets/:id/royalties`). */
export type AssetRoyalties = FromSchema<typeof assetRoyaltiesSchema>;
