/**
 * The verified evaluations of a model (`GET /api/v1/assets/:id/evaluations`, docs/training.md): the JSON schema the
 * node serialises with and the type derived from it that the SDK returns. Ratios are 0…1, ids decimal strings.
 */
import type { FromSchema } from './jsonSchema.ts';

/** JSON schema of one verified evaluation. */
export const modelEvaluationSchema = {
  type: 'object',
  required: [
    'orderHash',
    'modelId',
    'modelVersion',
    'datasetSha256',
    'samples',
    'classes',
    'accuracy',
    'precision',
    'recall',
    'f1',
    'confusion',
    'providers',
    'resultHash',
    'recordedAt',
    'chainTx',
  ],
  additionalProperties: false,
  properties: {
    orderHash: { type: 'string', description: 'the evaluation order (EIP-712 hash)' },
    modelId: { type: 'string', description: 'the model asset, decimal' },
    modelVersion: { type: 'integer' },
    datasetSha256: { type: 'string', description: 'SHA-256 (hex) of the labelled dataset evaluated on' },
    samples: { type: 'integer' },
    classes: { type: 'integer' },
    accuracy: { type: 'number', description: '0…1' },
    precision: { type: 'number', description: 'macro average, 0…1' },
    recall: { type: 'number', description: 'macro average, 0…1' },
    f1: { type: 'number', description: 'macro average, 0…1' },
    confusion: {
      type: 'array',
      items: { type: 'array', items: { type: 'integer' } },
      description: 'sample counts, [actual][predicted]',
    },
    providers: {
      type: 'array',
      items: { type: 'string' },
      description: 'the providers whose signed attestations agreed (lower case)',
    },
    resultHash: { type: 'string' },
    recordedAt: { type: 'integer', description: 'when the node recorded it, Unix ms' },
    chainTx: {
      type: ['string', 'null'],
      description:
        'the Evaluations.record transaction that put it on-chain with the providers’ attestations, once mined; null before',
    },
  },
} as const;

/** One verified evaluation. */
export type ModelEvaluation = FromSchema<typeof modelEvaluationSchema>;

/** JSON schema of `GET /assets/:id/evaluations`'s answer. */
export const modelEvaluationListSchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: modelEvaluationSchema } },
} as const;
