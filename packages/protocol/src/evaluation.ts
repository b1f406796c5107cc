/**
 * Evaluation orders (docs/training.md): "evaluate model M on dataset D". The order names a generic ONNX classifier
 * (pipeline `onnx`: one input taking the dataset's samples, a first output of class scores `[N, classes]`) and its
 * input is an evaluation container — the magic `SOUKEVL1` followed by a labelled dataset (`.npz` with `x` and `y`).
 * Each provider runs the model on every sample and returns {@link EvaluationOutput}; r providers agree on it like on
 * any result, and the node records agreed evaluations against the model (`GET /assets/:id/evaluations`).
 */

/** The container's magic, `SOUKEVL1`. */
export const EVALUATION_MAGIC: Uint8Array = new Uint8Array([0x53, 0x4f, 0x55, 0x4b, 0x45, 0x56, 0x4c, 0x31]);

/**
 * Wraps a labelled dataset as an evaluation input.
 * @param dataset - The `.npz` bytes (arrays `x` and `y`).
 * @returns `SOUKEVL1` + the dataset.
 */
export function encodeEvaluation(dataset: Uint8Array): Uint8Array {
  const out = new Uint8Array(EVALUATION_MAGIC.length + dataset.length);
  out.set(EVALUATION_MAGIC);
  out.set(dataset, EVALUATION_MAGIC.length);
  return out;
}

/** Whether an input is an evaluation container (starts with {@link EVALUATION_MAGIC}). */
export function isEvaluation(bytes: Uint8Array): boolean {
  if (bytes.length < EVALUATION_MAGIC.length) return false;
  for (let i = 0; i < EVALUATION_MAGIC.length; i++) if (bytes[i] !== EVALUATION_MAGIC[i]) return false;
  return true;
}

/**
 * The dataset inside an evaluation container.
 * @throws {RangeError} When `bytes` is not one ({@link isEvaluation}).
 */
export function decodeEvaluation(bytes: Uint8Array): Uint8Array {
  if (!isEvaluation(bytes)) throw new RangeError('The input is not an evaluation container (SOUKEVL1).');
  return bytes.subarray(EVALUATION_MAGIC.length);
}

/**
 * What an evaluation returns: scikit-learn's macro-averaged classification metrics (`zero_division = 0`) of the
 * model's most probable class (the first on a tie) against the labels. Ratios in 0…1.
 */
export type EvaluationOutput = {
  evaluation: {
    /** Samples evaluated. */
    samples: number;
    /** Classes of the model's output. */
    classes: number;
    accuracy: number;
    precision: number;
    recall: number;
    f1: number;
    /** `confusion[actual][predicted]`: sample counts. */
    confusion: number[][];
  };
};

/** Whether a job's output is an evaluation (`{ evaluation: { samples, accuracy, …, confusion } }`). */
export function isEvaluationOutput(output: unknown): output is EvaluationOutput {
  const e = (output as { evaluation?: Partial<EvaluationOutput['evaluation']> } | null)?.evaluation;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.samples === 'number' &&
    typeof e.accuracy === 'number' &&
    Array.isArray(e.confusion)
  );
}
