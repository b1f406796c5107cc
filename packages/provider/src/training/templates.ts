/**
 * What a training job may ask for: an architecture template and its hyper-parameters, checked against the limits a
 * provider accepts before any work starts. Every field is part of what r providers must agree on, so every field is
 * explicit (no library default is left to decide the result).
 */
import type { TrainingHyperparameters, TrainingTemplate } from '@souk/protocol';
import { InvalidInputError } from '../errors.ts';

export type { MlpTemplate, TrainingHyperparameters, TrainingTemplate } from '@souk/protocol';

/** The limits {@link checkTrainingRequest} enforces (bounded work per job, and a model ONNX Runtime loads at once). */
export const TRAINING_LIMITS = {
  maxHiddenLayers: 4,
  maxUnits: 1_024,
  maxEpochs: 500,
  maxBatchSize: 4_096,
} as const;

const isIntIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/**
 * Checks a template and hyper-parameters before training.
 * @param template - The architecture.
 * @param hyperparameters - The training settings.
 * @throws {InvalidInputError} Naming the first field out of its range ({@link TRAINING_LIMITS}) or of an unknown kind.
 */
export function checkTrainingRequest(template: TrainingTemplate, hyperparameters: TrainingHyperparameters): void {
  if (template.kind !== 'mlp') {
    throw new InvalidInputError(`Unknown training template "${String((template as { kind: unknown }).kind)}".`, {
      details: 'the templates are: mlp',
    });
  }
  const { hidden } = template;
  if (!Array.isArray(hidden) || hidden.length < 1 || hidden.length > TRAINING_LIMITS.maxHiddenLayers) {
    throw new InvalidInputError(`An mlp template has 1–${TRAINING_LIMITS.maxHiddenLayers} hidden layers.`);
  }
  for (const units of hidden) {
    if (!isIntIn(units, 1, TRAINING_LIMITS.maxUnits)) {
      throw new InvalidInputError(`A hidden layer has 1–${TRAINING_LIMITS.maxUnits} units (got ${String(units)}).`);
    }
  }
  const { epochs, batchSize, learningRate, seed } = hyperparameters;
  if (!isIntIn(epochs, 1, TRAINING_LIMITS.maxEpochs)) {
    throw new InvalidInputError(`epochs must be an integer 1–${TRAINING_LIMITS.maxEpochs} (got ${String(epochs)}).`);
  }
  if (!isIntIn(batchSize, 1, TRAINING_LIMITS.maxBatchSize)) {
    throw new InvalidInputError(
      `batchSize must be an integer 1–${TRAINING_LIMITS.maxBatchSize} (got ${String(batchSize)}).`,
    );
  }
  if (typeof learningRate !== 'number' || !(learningRate > 0 && learningRate <= 1)) {
    throw new InvalidInputError(`learningRate must be in (0, 1] (got ${String(learningRate)}).`);
  }
  if (!isIntIn(seed, 0, 2 ** 32 - 1)) {
    throw new InvalidInputError(`seed must be an integer 0…2^32−1 (got ${String(seed)}).`);
  }
}
