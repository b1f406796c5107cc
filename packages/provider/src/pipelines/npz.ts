/**
 * `.npz` archives (NumPy's `savez` / `savez_compressed`): a zip of `.npy` files, one per array, named `<name>.npy`.
 * Read and written with `fflate` (stored and deflate entries, zip64 included).
 */
import { unzipSync, zipSync } from 'fflate';
import { InvalidInputError } from '../errors.ts';
import { parseNpy, writeNpy } from './npy.ts';
import type { Tensor } from './tensor.ts';

/** `@souk/protocol`'s test for a zip archive (a `.npz`, or an empty one), shared with the web app. */
export { isZip } from '@souk/protocol';

/** Most bytes the `.npy` entries of one `.npz` input may expand to (1 GiB), against zip bombs. */
export const MAX_NPZ_BYTES = 2 ** 30;

/**
 * Reads a `.npz` archive (what `numpy.savez` and `numpy.savez_compressed` write): every entry must be `<name>.npy`.
 * @param bytes - The archive.
 * @returns Tensors by entry name without `.npy`, in archive order.
 * @throws {InvalidInputError} On a malformed archive, an entry that is not `.npy`, a compression other than stored or
 * deflate, more than {@link MAX_NPZ_BYTES} of entries, or a malformed `.npy` entry.
 * @example
 * ```ts
 * import { parseNpz, writeNpz } from '@souk/provider';
 * parseNpz(writeNpz({ x: { dtype: 'int8', dims: [2], data: new Int8Array([-1, 1]) } })).x.data; // Int8Array [-1, 1]
 * ```
 */
export function parseNpz(bytes: Uint8Array): Record<string, Tensor> {
  let total = 0;
  let entries: Record<string, Uint8Array>;
  const sizes = new Map<string, number>();
  try {
    entries = unzipSync(bytes, {
      filter(file) {
        if (file.name.endsWith('/')) return false; // a directory entry
        if (!file.name.endsWith('.npy'))
          throw new InvalidInputError(`The .npz entry "${file.name}" is not a .npy file.`);
        total += file.originalSize;
        if (total > MAX_NPZ_BYTES) {
          throw new InvalidInputError('The .npz input is too large.', {
            details: `its entries expand to more than ${MAX_NPZ_BYTES} bytes`,
          });
        }
        sizes.set(file.name, file.originalSize);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError('The input is not a readable .npz (zip) archive.', {
      details: (error as Error).message,
    });
  }
  const out: Record<string, Tensor> = {};
  for (const [file, data] of Object.entries(entries)) {
    if (data.length !== sizes.get(file)) {
      throw new InvalidInputError(`The .npz entry "${file}" is truncated.`);
    }
    const name = file.slice(0, -'.npy'.length);
    try {
      out[name] = parseNpy(data);
    } catch (error) {
      throw new InvalidInputError(`The .npz entry "${file}" is not a readable .npy file.`, {
        details: (error as InvalidInputError).shortMessage ?? (error as Error).message,
      });
    }
  }
  return out;
}

/**
 * Writes tensors as a `.npz` archive that `numpy.load` reads: one stored (uncompressed) `<name>.npy` entry per tensor,
 * in the order given, every entry dated 1980-01-01 00:00 (the earliest DOS time) so the same tensors always give the
 * same bytes.
 * @param tensors - Tensors by name (a name becomes the entry `<name>.npy`).
 * @param options - `compress: true` deflates the entries, as `numpy.savez_compressed` does. @default false
 * @returns The archive's bytes.
 * @example
 * ```ts
 * import { writeNpz } from '@souk/provider';
 * const npz = writeNpz({ a: { dtype: 'float64', dims: [2], data: new Float64Array([1, 2]) } });
 * ```
 */
export function writeNpz(
  tensors: Record<string, Tensor>,
  { compress = false }: { compress?: boolean } = {},
): Uint8Array {
  // fflate writes DOS time from local-time fields, so a local-time date gives the same bytes in every time zone.
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  const files: Record<string, [Uint8Array, { level: 0 | 6; mtime: Date }]> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    files[`${name}.npy`] = [writeNpy(tensor), { level: compress ? 6 : 0, mtime }];
  }
  return zipSync(files);
}
