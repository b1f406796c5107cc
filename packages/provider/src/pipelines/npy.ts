/**
 * `.npy` files in the provider: `@souk/protocol`'s reader and writer (`formats/npy.ts`, shared with the web app; its
 * docs list the versions and dtypes it takes), with their `FormatError` re-thrown as the provider's
 * `InvalidInputError`, which fails a job as `invalid-input`.
 */
import * as format from '@souk/protocol';
import { asInvalidInput } from '../errors.ts';
import type { Tensor } from './tensor.ts';

export { isNpy } from '@souk/protocol';

/**
 * Reads a `.npy` file (`@souk/protocol`'s `parseNpy`).
 * @param bytes - The whole file.
 * @returns The array as a row-major tensor; `dims` is the file's `shape` (`[]` for a 0-d array).
 * @throws {InvalidInputError} On a bad magic, an unknown version, a malformed header, an unsupported `descr` (the
 * reason in `details`), or a data length that does not match the shape.
 * @example
 * ```ts
 * import { parseNpy, writeNpy } from '@souk/provider';
 * const t = parseNpy(writeNpy({ dtype: 'int32', dims: [2], data: new Int32Array([7, 8]) }));
 * t.data; // Int32Array [7, 8]
 * ```
 */
export function parseNpy(bytes: Uint8Array): Tensor {
  return asInvalidInput(() => format.parseNpy(bytes));
}

/**
 * Writes a tensor as a `.npy` file, byte-identical to what `numpy.save` writes (`@souk/protocol`'s `writeNpy`).
 * @param tensor - The tensor.
 * @returns The file's bytes.
 * @throws {InvalidInputError} When the data does not fill the dims.
 * @example
 * ```ts
 * import { writeNpy } from '@souk/provider';
 * const bytes = writeNpy({ dtype: 'float32', dims: [1, 3], data: new Float32Array([1, 2, 3]) });
 * ```
 */
export function writeNpy(tensor: Tensor): Uint8Array {
  return asInvalidInput(() => format.writeNpy(tensor));
}
