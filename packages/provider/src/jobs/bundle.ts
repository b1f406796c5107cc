/**
 * Model bundles: how a runnable asset's content carries its files. A bundle is a POSIX tar (ustar) archive of named
 * files, or — for a single-file generic ONNX model — the bare `.onnx` bytes. The file names a pipeline expects:
 *
 * | pipeline | files |
 * | --- | --- |
 * | `onnx` (generic) | `model.onnx` (or the bare model as the whole content) |
 * | `ocr` | `detection.onnx`, `recognition.onnx`, `dictionary.txt`, optional `classifier.onnx` |
 * | `isnet` | `model.onnx` (IS-Net, 1 × 3 × 320 × 320 input); licence files may ride along |
 *
 * Tar is read and written with `nanotar`; the archive is built with fixed attributes (mtime 0, mode 644, sorted
 * names) so the same files always give the same bytes, hence the same content hash.
 */
import { createTar, parseTar } from 'nanotar';
import { InvalidInputError } from '../errors.ts';

/** Files of a bundle by name. */
export type BundleFiles = Record<string, Uint8Array>;

/** Whether bytes are a ustar archive (`ustar` magic at offset 257, POSIX.1-1988). */
export function isTar(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 512 &&
    bytes[257] === 0x75 && // u
    bytes[258] === 0x73 && // s
    bytes[259] === 0x74 && // t
    bytes[260] === 0x61 && // a
    bytes[261] === 0x72 // r
  );
}

/**
 * Builds a deterministic bundle (ustar, names sorted, mtime 0, mode 644, uid/gid 0).
 * @param files - Files by name (no directories).
 * @returns The archive bytes.
 * @example
 * ```ts
 * const bundle = packBundle({ 'model.onnx': modelBytes })
 * ```
 */
export function packBundle(files: BundleFiles): Uint8Array {
  const names = Object.keys(files).sort();
  return createTar(
    names.map((name) => ({
      name,
      data: files[name],
      attrs: { mtime: 0, mode: '644', uid: 0, gid: 0, user: '', group: '' },
    })),
  );
}

/**
 * Reads a bundle's files.
 * @param bytes - A tar archive, or a bare model (returned as `model.onnx`).
 * @returns Files by name.
 * @throws {InvalidInputError} When the archive is empty or malformed.
 */
export function unpackBundle(bytes: Uint8Array): BundleFiles {
  if (!isTar(bytes)) return { 'model.onnx': bytes };
  let items: Array<{ name: string; type?: string | undefined; data?: Uint8Array | undefined }>;
  try {
    items = parseTar(bytes);
  } catch (error) {
    throw new InvalidInputError('The model bundle is not a readable tar archive.', {
      details: (error as Error).message,
    });
  }
  const files: BundleFiles = {};
  for (const item of items) {
    if ((item.type === undefined || item.type === 'file') && item.data)
      files[item.name.replace(/^\.\//, '')] = item.data;
  }
  if (Object.keys(files).length === 0) throw new InvalidInputError('The model bundle holds no files.');
  return files;
}

/**
 * One file of a bundle.
 * @throws {InvalidInputError} Naming the missing file and the pipeline.
 */
export function bundleFile(files: BundleFiles, name: string, pipeline: string): Uint8Array {
  const file = files[name];
  if (!file) {
    throw new InvalidInputError(`The ${pipeline} bundle has no ${name}.`, {
      details: `files: ${Object.keys(files).join(', ')}`,
    });
  }
  return file;
}
