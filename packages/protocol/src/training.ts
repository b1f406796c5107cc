/**
 * The wire shape of a training job (docs/training.md): what a training recipe names and what the `train` pipeline
 * returns — the canonical result r providers agree on. The provider implements it (`@souk/provider`'s
 * `pipelines/train.ts`); the SDK, CLI and web app read it.
 */

/**
 * A multilayer perceptron classifier: `features → hidden[0] → … → classes`, ReLU between layers, softmax at the
 * end. Weights start from Glorot-uniform draws seeded by the job (Glorot & Bengio 2010), biases at zero.
 */
export type MlpTemplate = {
  kind: 'mlp';
  /** Units of each hidden layer, input side first; 1–4 layers of 1–1,024 units. */
  hidden: readonly number[];
};

/** The architectures a training job can name. */
export type TrainingTemplate = MlpTemplate;

/** How the template is trained: Adam (Kingma & Ba 2015) on categorical cross-entropy, mini-batches in a seeded order. */
export type TrainingHyperparameters = {
  /** Passes over the training set, 1–500. */
  epochs: number;
  /** Samples per gradient step, 1–4,096. */
  batchSize: number;
  /** Adam's step size α, in (0, 1]. */
  learningRate: number;
  /** Seed of the weight initialisation and of each epoch's sample order, an integer 0…2³²−1. */
  seed: number;
};

/** What a training job returns (canonically hashed like any result). */
export type TrainOutput = {
  training: {
    /** SHA-256 of the trained weights, `0x` + hex: kernels then biases as little-endian float32, input side first. */
    weightsHash: `0x${string}`;
    /** The trained model as ONNX, base64 (`input [N, features] → probabilities [N, classes]`). */
    model: string;
    /** Values per sample the model takes. */
    features: number;
    /** Class names, in output order. */
    classes: string[];
    /** The recipe's template and hyper-parameters, so that the attested result names how it was trained. */
    template: TrainingTemplate;
    hyperparameters: TrainingHyperparameters;
    /** Samples trained on. */
    samples: number;
    /** Per epoch: mean loss and training accuracy (0…1). */
    history: { loss: number[]; accuracy: number[] };
  };
};

/**
 * Whether a job's output is a trained model (`{ training: { weightsHash, model, … } }`).
 * @param output - A job's output, parsed JSON.
 */
export function isTrainOutput(output: unknown): output is TrainOutput {
  const t = (output as { training?: { weightsHash?: unknown; model?: unknown } } | null)?.training;
  return typeof t === 'object' && t !== null && typeof t.weightsHash === 'string' && typeof t.model === 'string';
}
