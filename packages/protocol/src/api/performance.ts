/**
 * The training and verification endpoints in the terms the marketplace's users know them by (docs/training.md):
 * `GET /api/v1/training/:id` (a training job's status), `GET /api/v1/verify/status/:id` (a training verification,
 * i.e. an evaluation job) and `GET /api/v1/analytics/performance` (every evaluated model's verified metrics). The
 * node serialises with these schemas; the SDK returns the types derived from them. Ratios are 0…1, ids decimal
 * strings, hashes `0x` + hex.
 */
import { modelEvaluationSchema } from './evaluations.ts';
import type { FromSchema } from './jsonSchema.ts';

/** The order phases a status can show (compute protocol v2, docs/compute.md). */
const phase = {
  type: 'string',
  enum: ['running', 'agreed', 'disputed', 'ready', 'settling', 'settled', 'failed', 'expired', 'unpaid'],
} as const;

/** JSON schema of `GET /api/v1/training/:id`: a training job, the id being its order hash. */
export const trainingStatusSchema = {
  type: 'object',
  required: [
    'trainingId',
    'recipeId',
    'phase',
    'verified',
    'weightsHash',
    'samples',
    'classes',
    'history',
    'providers',
    'settleTx',
    'reason',
  ],
  additionalProperties: false,
  properties: {
    trainingId: { type: 'string', description: 'the training order (EIP-712 hash)' },
    recipeId: { type: 'string', description: 'the training recipe asset, decimal' },
    phase,
    verified: {
      type: 'boolean',
      description: 'r providers (or the referee) agreed on the trained weights: the result below is the verified one',
    },
    weightsHash: {
      type: ['string', 'null'],
      description: 'SHA-256 of the trained weights (little-endian float32, kernels then biases); null until verified',
    },
    samples: { type: ['integer', 'null'], description: 'samples trained on' },
    classes: { type: ['array', 'null'], items: { type: 'string' }, description: 'class names, in output order' },
    history: {
      type: ['object', 'null'],
      required: ['loss', 'accuracy'],
      additionalProperties: false,
      properties: {
        loss: { type: 'array', items: { type: 'number' }, description: 'mean loss per epoch' },
        accuracy: { type: 'array', items: { type: 'number' }, description: 'training accuracy per epoch, 0…1' },
      },
    },
    providers: {
      type: 'array',
      items: { type: 'string' },
      description: 'the providers whose signed attestations verified the weights',
    },
    settleTx: { type: ['string', 'null'], description: 'the settlement transaction, once settled' },
    reason: { type: ['string', 'null'], description: 'why the job failed, when it did' },
  },
} as const;

/** A training job's status. */
export type TrainingStatus = FromSchema<typeof trainingStatusSchema>;

/** JSON schema of `GET /api/v1/verify/status/:id`: a training verification (an evaluation order). */
export const verificationStatusSchema = {
  type: 'object',
  required: ['verificationId', 'modelId', 'modelVersion', 'phase', 'evaluation', 'reason'],
  additionalProperties: false,
  properties: {
    verificationId: { type: 'string', description: 'the evaluation order (EIP-712 hash)' },
    modelId: { type: 'string', description: 'the evaluated model asset, decimal' },
    modelVersion: { type: 'integer' },
    phase,
    evaluation: {
      anyOf: [modelEvaluationSchema, { type: 'null' }],
      description: "the verified metrics, as recorded on the model's card; null until r providers agree",
    },
    reason: { type: ['string', 'null'], description: 'why the job failed, when it did' },
  },
} as const;

/** A training verification's status. */
export type VerificationStatus = FromSchema<typeof verificationStatusSchema>;

/** The metrics of one verified evaluation, as the performance summary quotes them. */
const metrics = {
  type: 'object',
  required: ['orderHash', 'datasetSha256', 'samples', 'accuracy', 'precision', 'recall', 'f1', 'recordedAt'],
  additionalProperties: false,
  properties: {
    orderHash: { type: 'string', description: 'the evaluation order' },
    datasetSha256: { type: 'string', description: 'SHA-256 (hex) of the labelled dataset evaluated on' },
    samples: { type: 'integer' },
    accuracy: { type: 'number' },
    precision: { type: 'number', description: 'macro average' },
    recall: { type: 'number', description: 'macro average' },
    f1: { type: 'number', description: 'macro average' },
    recordedAt: { type: 'integer', description: 'Unix ms' },
  },
} as const;

/** JSON schema of one model's entry in `GET /api/v1/analytics/performance`. */
export const modelPerformanceSchema = {
  type: 'object',
  required: ['modelId', 'name', 'evaluations', 'datasets', 'latest', 'best'],
  additionalProperties: false,
  properties: {
    modelId: { type: 'string', description: 'the model asset, decimal' },
    name: { type: ['string', 'null'], description: "the model's name from its manifest" },
    evaluations: { type: 'integer', description: 'verified evaluations of the model (any version)' },
    datasets: { type: 'integer', description: 'distinct datasets it was evaluated on' },
    latest: { ...metrics, description: 'the newest verified evaluation' },
    best: { ...metrics, description: 'the verified evaluation with the highest accuracy (the newest on a tie)' },
  },
} as const;

/** One model's verified performance. */
export type ModelPerformance = FromSchema<typeof modelPerformanceSchema>;

/** JSON schema of `GET /api/v1/analytics/performance`'s answer. */
export const modelPerformanceListSchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: modelPerformanceSchema } },
} as const;
