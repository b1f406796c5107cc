/**
 * Reading a `--dataset` flag (`souk train`, `souk eval`): a labelled `.npz` (`x` samples, `y` class indices), checked
 * for its shape before anything is paid; the labels' range is the recipe's or the model's to check.
 */
import { readFileSync } from 'node:fs';
import { readLabelledDataset } from '@souk/provider/training';
import { UsageError } from './errors.ts';

/**
 * The bytes of a labelled dataset file.
 * @param file - The flag's value; absent is a usage error.
 * @param flag - The flag, for messages. @default '--dataset'
 * @throws {UsageError} When it is absent, cannot be read, or is not a labelled `.npz`.
 */
export function readDatasetFlag(file: string | undefined, flag = '--dataset'): Uint8Array {
  if (!file) throw new UsageError(`${flag} <file.npz> is required.`);
  let dataset: Uint8Array;
  try {
    dataset = new Uint8Array(readFileSync(file));
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${file} (${(error as Error).message}).`);
  }
  try {
    readLabelledDataset(dataset, Number.MAX_SAFE_INTEGER);
  } catch (error) {
    throw new UsageError(`${flag}: ${file} is not a labelled .npz: ${(error as Error).message}`);
  }
  return dataset;
}
