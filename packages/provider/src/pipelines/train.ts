/**
 * The `train` pipeline: a training job through the compute market. The asset is a **training recipe** (its bundle
 * holds `recipe.json`: a template, hyper-parameters and the class names); the job's input is a labelled dataset
 * (`.npz` with `x` and `y`, `training/dataset.ts`). The output is the trained classifier — its weights hash, its
 * ONNX model and its loss/accuracy curve — and, because training is deterministic (`training/train.ts`), r
 * providers that agree on the output's canonical hash have produced bit-identical weights.
 *
 * Training runs in the runtime's worker thread like inference (`trainWorker.ts`), so the provider's heartbeats and
 * bus traffic keep flowing, and TensorFlow.js is loaded only there.
 */

import { isTrainOutput, type TrainingHyperparameters, type TrainingTemplate, type TrainOutput } from '@souk/protocol';
import { InvalidInputError } from '../errors.ts';
import type { Job } from '../runtime/types.ts';
import { checkTrainingRequest } from '../training/templates.ts';

export { isTrainOutput, type TrainOutput };

/** Version of the training pipeline; recorded in `RuntimeRecord.pipelineVersion`. */
export const TRAIN_PIPELINE_VERSION = '1.0.0';

/** Largest dataset a training job takes, bytes. */
export const TRAIN_MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** `recipe.json` of a training-recipe bundle. */
export type TrainingRecipe = {
  template: TrainingTemplate;
  hyperparameters: TrainingHyperparameters;
  /** Class names; label `i` of the dataset is `classes[i]`. 2–1,000 names. */
  classes: string[];
};

/**
 * Reads and checks a training recipe.
 * @param bytes - `recipe.json` (UTF-8 JSON).
 * @throws {InvalidInputError} On malformed JSON, out-of-range hyper-parameters or template, or bad class names.
 */
export function parseTrainingRecipe(bytes: Uint8Array): TrainingRecipe {
  let recipe: TrainingRecipe;
  try {
    recipe = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as TrainingRecipe;
  } catch (error) {
    throw new InvalidInputError('recipe.json is not UTF-8 JSON.', { details: (error as Error).message });
  }
  if (!recipe || typeof recipe !== 'object' || !recipe.template || !recipe.hyperparameters) {
    throw new InvalidInputError('recipe.json needs "template", "hyperparameters" and "classes".');
  }
  const { classes } = recipe;
  if (!Array.isArray(classes) || classes.length < 2 || classes.length > 1_000) {
    throw new InvalidInputError('recipe.json "classes" must list 2–1,000 class names.');
  }
  if (classes.some((c) => typeof c !== 'string' || c.length === 0 || c.length > 64)) {
    throw new InvalidInputError('Every class name is a string of 1–64 characters.');
  }
  checkTrainingRequest(recipe.template, recipe.hyperparameters);
  return { template: recipe.template, hyperparameters: recipe.hyperparameters, classes };
}

/** A training pipeline built from a recipe. */
export type TrainPipeline = {
  name: 'train';
  version: string;
  recipe: TrainingRecipe;
  /** Builds the runtime job for one dataset. @throws {InvalidInputError} When the input is not bytes or too large. */
  job(dataset: Uint8Array): Job<TrainOutput>;
};

/**
 * Builds the training pipeline of a recipe bundle.
 * @param parameters.recipe - The bytes of `recipe.json`.
 * @throws {InvalidInputError} From {@link parseTrainingRecipe}.
 */
export async function createTrainPipeline({ recipe: bytes }: { recipe: Uint8Array }): Promise<TrainPipeline> {
  const recipe = parseTrainingRecipe(bytes);
  return {
    name: 'train',
    version: TRAIN_PIPELINE_VERSION,
    recipe,
    job(dataset) {
      if (!(dataset instanceof Uint8Array)) throw new InvalidInputError('A training input is a dataset (.npz bytes).');
      if (dataset.length > TRAIN_MAX_INPUT_BYTES) {
        throw new InvalidInputError(`A training dataset is at most ${TRAIN_MAX_INPUT_BYTES} bytes.`);
      }
      return {
        pipeline: 'train',
        pipelineVersion: TRAIN_PIPELINE_VERSION,
        models: {},
        input: dataset,
        options: { recipe },
      };
    },
  };
}
