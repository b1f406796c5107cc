/**
 * A trained model version's lineage and its on-chain record (`GET /api/v1/assets/:id/lineage`, docs/training.md):
 * the manifest's `lineage` (what the node derived from the training order) and, once the operator's
 * `Lineages.record` transaction is mined, what the `Lineages` contract holds for that version — checked there
 * against the AgentNFT's manifest URI and the training job's provider attestations.
 */
import type { FromSchema } from './jsonSchema.ts';

/** JSON schema of a model version's lineage record. */
export const modelLineageSchema = {
  type: 'object',
  required: ['assetId', 'version', 'manifestCid', 'lineage', 'chainTx', 'onChain'],
  additionalProperties: false,
  properties: {
    assetId: { type: 'string', description: 'the trained model, decimal' },
    version: { type: 'integer', description: 'the version (0: the mint)' },
    manifestCid: { type: 'string', description: 'the version’s manifest CID' },
    lineage: {
      type: 'object',
      additionalProperties: true,
      description: "the manifest's `lineage` (docs/manifest.md)",
    },
    chainTx: {
      type: ['string', 'null'],
      description: 'the mined Lineages.record transaction; null while pending (or on a node without an operator)',
    },
    onChain: {
      type: ['object', 'null'],
      description: 'what the Lineages contract holds for the version; null when nothing is recorded yet',
      required: ['recipeId', 'recipeVersion', 'weightsHash', 'lineageHash', 'datasets', 'jobs'],
      additionalProperties: false,
      properties: {
        recipeId: { type: 'string', description: 'the parent (recipe) asset, decimal' },
        recipeVersion: { type: 'integer' },
        weightsHash: { type: 'string', description: '0x + 64 hex: SHA-256 of the trained weights' },
        lineageHash: {
          type: 'string',
          description: "0x + 64 hex: SHA-256 of the canonical JSON of the manifest's lineage",
        },
        datasets: {
          type: 'array',
          items: {
            type: 'object',
            required: ['assetId', 'sha256'],
            additionalProperties: false,
            properties: {
              assetId: { type: 'string', description: 'the dataset asset, decimal; "0" for inline data' },
              sha256: { type: 'string', description: '0x + 64 hex' },
            },
          },
        },
        jobs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['orderHash', 'providers'],
            additionalProperties: false,
            properties: {
              orderHash: { type: 'string', description: 'the training order' },
              providers: {
                type: 'array',
                items: { type: 'string' },
                description: 'whose attestations the contract checked',
              },
            },
          },
        },
      },
    },
  },
} as const;

/** A model version's lineage and its on-chain record (`GET /api/v1/assets/:id/lineage`). */
export type ModelLineage = FromSchema<typeof modelLineageSchema>;
