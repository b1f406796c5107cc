/**
 * Labelled datasets for classifier training and evaluation: a `.npz` archive (NumPy's `savez`) holding `x`, the
 * samples (`uint8` read as value / 255, or `float32`), of shape `[N, …]`, and `y`, their class indices (any
 * integer dtype), of shape `[N]`. Each sample is flattened to one row of `features` values in row-major order.
 */
import { InvalidInputError } from '../errors.ts';
import { parseNpz, writeNpz } from '../pipelines/npz.ts';
import type { Tensor } from '../pipelines/tensor.ts';

/** A dataset ready for training: `N` rows of `features` values and `N` class indices in `0…classes−1`. */
export type LabelledDataset = {
  /** Samples, row-major `[N, features]`. */
  x: Float32Array;
  /** Class index of each sample, `[N]`. */
  y: Int32Array;
  /** Values per sample. */
  features: number;
  /** Dimensions of one sample as the archive gives them (`x`'s dims after the first); their product is `features`. */
  sampleShape: number[];
};

const INTEGER_DTYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64']);

/**
 * Reads a labelled dataset from a `.npz` archive.
 * @param bytes - The archive, with arrays `x` and `y` (other arrays are ignored).
 * @param classes - How many classes the model has; every label must be below it.
 * @returns The samples as float32 rows and the labels as int32.
 * @throws {InvalidInputError} When `x` or `y` is missing, of a dtype named above, of mismatched length, empty, or a
 * label is outside `0…classes−1`; or when the archive itself is unreadable ({@link parseNpz}).
 */
export function readLabelledDataset(bytes: Uint8Array, classes: number): LabelledDataset {
  const arrays = parseNpz(bytes);
  const { x, y } = arrays;
  if (!x || !y) throw new InvalidInputError('A labelled dataset is an .npz archive with arrays "x" and "y".');
  if (x.dtype !== 'uint8' && x.dtype !== 'float32') {
    throw new InvalidInputError(`The samples "x" must be uint8 or float32 (got ${x.dtype}).`);
  }
  if (!INTEGER_DTYPES.has(y.dtype) || y.dims.length !== 1) {
    throw new InvalidInputError(`The labels "y" must be a one-dimensional integer array (got ${y.dtype}).`);
  }
  const n = x.dims[0] ?? 0;
  if (x.dims.length < 2 || n === 0) throw new InvalidInputError('The samples "x" must have shape [N, …] with N ≥ 1.');
  if (y.dims[0] !== n) {
    throw new InvalidInputError(`"x" holds ${n} samples but "y" ${String(y.dims[0])} labels.`);
  }
  const features = x.dims.slice(1).reduce((a, b) => a * b, 1);
  const rows = new Float32Array(n * features);
  const source = x.data as Uint8Array | Float32Array;
  if (x.dtype === 'uint8') for (let i = 0; i < rows.length; i++) rows[i] = (source[i] as number) / 255;
  else rows.set(source);
  const labels = new Int32Array(n);
  const raw = y.data as ArrayLike<number | bigint>;
  for (let i = 0; i < n; i++) {
    const label = Number(raw[i]);
    if (!(label >= 0 && label < classes)) {
      throw new InvalidInputError(`Label ${label} of sample ${i} is outside 0…${classes - 1}.`);
    }
    labels[i] = label;
  }
  return { x: rows, y: labels, features, sampleShape: x.dims.slice(1) };
}

/**
 * Writes a labelled dataset as `.npz` (the inverse of {@link readLabelledDataset} for uint8 samples).
 * @param samples - Pixels or other bytes, row-major `[N, ...shape]`.
 * @param shape - Dimensions of one sample.
 * @param labels - Class index of each sample.
 * @returns The archive's bytes.
 */
export function writeLabelledDataset(samples: Uint8Array, shape: readonly number[], labels: Int32Array): Uint8Array {
  const x: Tensor = { dtype: 'uint8', dims: [labels.length, ...shape], data: samples };
  const y: Tensor = { dtype: 'int32', dims: [labels.length], data: labels };
  return writeNpz({ x, y });
}
