/**
 * The half of the `train` pipeline (`train.ts`) that runs in the runtime's worker thread: it reads the dataset,
 * trains with the engine (`training/train.ts`) and shapes the output. Kept apart so that only the worker loads
 * TensorFlow.js.
 */
import type { PipelineContext } from '../runtime/types.ts';
import { readLabelledDataset } from '../training/dataset.ts';
import { trainClassifier } from '../training/train.ts';
import type { TrainingRecipe, TrainOutput } from './train.ts';

/**
 * Runs a training job inside the worker: reads the dataset, trains, and returns {@link TrainOutput}.
 * @throws {InvalidInputError} On a dataset that does not fit the recipe (`readLabelledDataset`).
 */
export async function runTrain(context: PipelineContext, input: unknown): Promise<TrainOutput> {
  const recipe = context.options.recipe as TrainingRecipe;
  const dataset = readLabelledDataset(input as Uint8Array, recipe.classes.length);
  const trained = await trainClassifier({
    dataset,
    classes: recipe.classes.length,
    template: recipe.template,
    hyperparameters: recipe.hyperparameters,
    onEpoch: () => context.checkpoint?.(),
  });
  return {
    training: {
      weightsHash: trained.weightsHash,
      model: Buffer.from(trained.onnx).toString('base64'),
      features: dataset.features,
      classes: recipe.classes,
      template: recipe.template,
      hyperparameters: recipe.hyperparameters,
      samples: dataset.y.length,
      history: trained.history,
    },
  };
}
