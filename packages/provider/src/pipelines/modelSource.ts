/**
 * Model and data files given to a pipeline: bytes (as they arrive in a Souk asset bundle) or a file path.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors.ts';
import type { ModelRef } from '../runtime/types.ts';

/** A file's bytes, or its path (a string or a `file:` URL). */
export type FileSource = Uint8Array | string | URL;

/**
 * Reads a file source.
 * @param source - Bytes, or a path to read.
 * @param what - What the file is, for the error message.
 * @returns The bytes (the same array when bytes were given).
 * @throws {InvalidInputError} When the file cannot be read.
 */
export async function readSource(source: FileSource, what: string): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  try {
    return new Uint8Array(await readFile(source));
  } catch (error) {
    throw new InvalidInputError(`Cannot read the ${what} from ${String(source)}.`, {
      details: (error as Error).message,
    });
  }
}

/**
 * Reads a model file and hashes it.
 * @param source - Bytes or a path.
 * @param what - What the model is, for the error message.
 * @returns Its bytes and SHA-256 (hex), which keys the session cache and matches a manifest's `content.sha256`.
 * @throws {InvalidInputError} When the file cannot be read or is empty.
 * @example
 * ```ts
 * import { loadModel } from '@souk/provider';
 * const { sha256 } = await loadModel('/models/det.onnx');
 * ```
 */
export async function loadModel(source: FileSource, what = 'model'): Promise<ModelRef> {
  const bytes = await readSource(source, what);
  if (bytes.length === 0) throw new InvalidInputError(`The ${what} is empty.`);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
