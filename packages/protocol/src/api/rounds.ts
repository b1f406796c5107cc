/**
 * Federated runs on the node (`/api/v1/rounds`, docs/training.md): a run's declared shape and each round the node
 * verified and aggregated itself from the update orders the requester reported. JSON schemas the node serialises
 * with, and the types derived from them that the SDK returns.
 */
import type { FromSchema } from './jsonSchema.ts';

/** JSON schema of one verified round. */
export const roundEntrySchema = {
  type: 'object',
  required: ['round', 'orders', 'aggregateHash', 'loss', 'accuracy', 'samples', 'recordedAt'],
  additionalProperties: false,
  properties: {
    round: { type: 'integer', description: '0-based' },
    orders: { type: 'array', items: { type: 'string' }, description: 'the update orders, in shard order' },
    aggregateHash: { type: 'string', description: 'SHA-256 of the FedAvg aggregate the node computed, 0x-hex' },
    loss: { type: 'number', description: "sample-weighted mean of the updates' last-epoch loss" },
    accuracy: { type: 'number', description: "sample-weighted mean of the updates' last-epoch accuracy, 0…1" },
    samples: { type: 'integer' },
    recordedAt: { type: 'integer', description: 'Unix ms' },
  },
} as const;

/** JSON schema of a federated run with its verified rounds. */
export const roundRunSchema = {
  type: 'object',
  required: ['id', 'recipeId', 'requester', 'shards', 'rounds', 'entries', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'the run (UUID)' },
    recipeId: { type: 'string', description: 'the training recipe, decimal' },
    requester: { type: 'string', description: 'who runs it (lower-case address)' },
    shards: { type: 'integer', description: 'updates per round' },
    rounds: { type: 'integer', description: 'rounds declared' },
    entries: { type: 'array', items: roundEntrySchema, description: 'the verified rounds, in order' },
    createdAt: { type: 'integer', description: 'Unix ms' },
  },
} as const;

/** One verified round of a federated run. */
export type RoundEntry = FromSchema<typeof roundEntrySchema>;
/** A federated run (`GET /api/v1/rounds/:id`). */
export type RoundRun = FromSchema<typeof roundRunSchema>;
