/**
 * The half of the `train` pipeline (`train.ts`) that runs in the runtime's worker thread: it reads the dataset,
 * trains with the engine (`training/train.ts`) and shapes the output. Kept apart so that only the worker loads
 * TensorFlow.js.
 */
import {
  decodeRoundInput,
  decodeWeights,
  encodeWeights,
  isRoundInput,
  RoundFormatError,
  type RoundTrainOutput,
} from '@souk/protocol';
import { InvalidInputError } from '../errors.ts';
import type { PipelineContext } from '../runtime/types.ts';
import { readLabelledDataset } from '../training/dataset.ts';
import { trainClassifier } from '../training/train.ts';
import type { TrainingRecipe, TrainOutput } from './train.ts';

/**
 * Runs a training job inside the worker: reads the dataset, trains, and returns {@link TrainOutput}.
 * @throws {InvalidInputError} On a dataset that does not fit the recipe (`readLabelledDataset`).
 */
export async function runTrain(context: PipelineContext, input: unknown): Promise<TrainOutput | RoundTrainOutput> {
  const recipe = context.options.recipe as TrainingRecipe;
  const bytes = input as Uint8Array;
  // A collaboration round: the shard, and the previous aggregate to start from (absent in round 0).
  const round = isRoundInput(bytes) ? roundInput(bytes) : undefined;
  const dataset = readLabelledDataset(round ? round.dataset : bytes, recipe.classes.length);
  const sizes = [...recipe.template.hidden, recipe.classes.length];
  const initialWeights = round?.weights
    ? weightsOf(
        round.weights,
        sizes.flatMap((out, i) => [(i === 0 ? dataset.features : (sizes[i - 1] as number)) * out, out]),
      )
    : undefined;
  const trained = await trainClassifier({
    dataset,
    classes: recipe.classes.length,
    template: recipe.template,
    hyperparameters: recipe.hyperparameters,
    onEpoch: () => context.checkpoint?.(),
    initialWeights,
  });
  const output: TrainOutput = {
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
  if (!round) return output;
  const weights = encodeWeights(trained.layers.flatMap((layer) => [layer.kernel, layer.bias]));
  return { training: { ...output.training, round: round.round, weights: Buffer.from(weights).toString('base64') } };
}

/** {@link decodeRoundInput}, its format errors as the job's input errors. */
function roundInput(bytes: Uint8Array): ReturnType<typeof decodeRoundInput> {
  try {
    return decodeRoundInput(bytes);
  } catch (error) {
    if (error instanceof RoundFormatError) throw new InvalidInputError(error.message);
    throw error;
  }
}

/** {@link decodeWeights}, its size errors as the job's input errors. */
function weightsOf(bytes: Uint8Array, sizes: readonly number[]): Float32Array[] {
  try {
    return decodeWeights(bytes, sizes);
  } catch (error) {
    if (error instanceof RoundFormatError) throw new InvalidInputError(error.message);
    throw error;
  }
}
