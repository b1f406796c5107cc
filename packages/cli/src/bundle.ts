/**
 * Model bundles from a folder, for `souk bundle` and `souk publish <folder>`: the folder's files packed with
 * `@souk/provider`'s `packBundle` (ustar, names sorted, mtime 0, mode 644, uid/gid 0), so the same files always give
 * the same bytes and the same SHA-256 — whatever the files' times, owners, permissions or the order the file system
 * lists them in. The pipeline is inferred from the file names a provider's pipelines expect (`model.onnx` → `onnx`;
 * `detection.onnx` + `recognition.onnx` + `dictionary.txt` → `ocr`), and the files a known pipeline needs are checked
 * before anything is uploaded.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BundleFiles } from '@souk/provider/bundle';
import { UsageError } from './errors.ts';

/** The files a pipeline reads from its bundle (`packages/provider/src/jobs/execute.ts`). */
export type BundleLayout = {
  /** Files the pipeline cannot run without. */
  required: readonly string[];
  /** Files it reads when present. */
  optional: readonly string[];
  /**
   * The model whose inputs and outputs the manifest records: the one the pipeline feeds first (for `onnx`, the model
   * the buyer's tensors go to; for `ocr`, the text detector the preprocessed image goes to).
   */
  entry: string;
};

/** Layouts of the pipelines whose files are known here; another pipeline's bundle is packed without a file check. */
export const BUNDLE_LAYOUTS: Readonly<Record<string, BundleLayout>> = {
  onnx: { required: ['model.onnx'], optional: [], entry: 'model.onnx' },
  ocr: {
    required: ['detection.onnx', 'recognition.onnx', 'dictionary.txt'],
    optional: ['classifier.onnx'],
    entry: 'detection.onnx',
  },
};

/** Longest file name a ustar header holds without the prefix field, in UTF-8 bytes (`packBundle` writes only `name`). */
export const MAX_BUNDLE_NAME_BYTES = 100;

/** Largest file a ustar header can size (11 octal digits), in bytes: 8 GiB − 1. */
export const MAX_BUNDLE_FILE_BYTES = 8 * 1024 ** 3 - 1;

/**
 * Reads every regular file under `dir` (recursively) as bundle files.
 * @param dir - The folder.
 * @returns Files by `/`-separated path relative to `dir`.
 * @throws {UsageError} When `dir` holds no file, a symbolic link or special file, an empty file (a tar reader drops
 *   it), a name longer than {@link MAX_BUNDLE_NAME_BYTES} UTF-8 bytes, or a file over 8 GiB.
 * @example
 * ```ts
 * await readBundleFolder('./ocr') // { 'detection.onnx': Uint8Array, 'dictionary.txt': Uint8Array, … }
 * ```
 */
export async function readBundleFolder(dir: string): Promise<BundleFiles> {
  const files: BundleFiles = {};
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const full = path.join(dir, name);
      const stats = await lstat(full);
      if (stats.isDirectory()) {
        await walk(name);
        continue;
      }
      if (stats.isSymbolicLink()) {
        throw new UsageError(`${full} is a symbolic link: a bundle holds regular files only (copy the target in).`);
      }
      if (!stats.isFile()) throw new UsageError(`${full} is not a regular file.`);
      if (stats.size === 0) throw new UsageError(`${full} is empty: a bundle cannot carry an empty file.`);
      if (stats.size > MAX_BUNDLE_FILE_BYTES)
        throw new UsageError(`${full} is larger than a bundle file can be (8 GiB).`);
      if (Buffer.byteLength(name) > MAX_BUNDLE_NAME_BYTES) {
        throw new UsageError(`${name}: bundle file names are at most ${MAX_BUNDLE_NAME_BYTES} bytes (ustar).`);
      }
      files[name] = new Uint8Array(await readFile(full));
    }
  };
  await walk('');
  if (Object.keys(files).length === 0) throw new UsageError(`${dir} holds no files to bundle.`);
  return files;
}

/**
 * The pipeline a bundle's file names are laid out for: the first known layout (`onnx`, then `ocr`) whose required
 * files are all present.
 * @param names - The bundle's file names.
 * @returns The pipeline name, or `undefined` when no known layout fits.
 */
export function inferPipeline(names: readonly string[]): string | undefined {
  return Object.entries(BUNDLE_LAYOUTS).find(([, layout]) => layout.required.every((f) => names.includes(f)))?.[0];
}

/**
 * Checks that a bundle has the files its pipeline needs (pipelines without a known layout are not checked).
 * @param pipeline - The manifest's `runtime.pipeline`.
 * @param names - The bundle's file names.
 * @throws {UsageError} Naming the missing files and the files the bundle has.
 */
export function checkBundleLayout(pipeline: string, names: readonly string[]): void {
  const layout = BUNDLE_LAYOUTS[pipeline];
  if (!layout) return;
  const missing = layout.required.filter((f) => !names.includes(f));
  if (missing.length > 0) {
    throw new UsageError(
      `A ${pipeline} bundle needs ${layout.required.join(', ')}${layout.optional.length > 0 ? ` (optional: ${layout.optional.join(', ')})` : ''}; ` +
        `it has no ${missing.join(', ')} (files: ${names.join(', ')}).`,
    );
  }
}

/**
 * Checks that providers can run a bundle in `pipeline`: the pipeline is one `@souk/provider` runs
 * (`supportedPipelines`) and the bundle has the files it needs ({@link checkBundleLayout}).
 * @param pipeline - The manifest's `runtime.pipeline`.
 * @param names - The bundle's file names (a bare model counts as `model.onnx`, as providers read it).
 * @throws {UsageError} Naming the pipelines providers run, or the missing files.
 */
export async function assertRunnableBundle(pipeline: string, names: readonly string[]): Promise<void> {
  // The names alone: `@souk/provider` itself loads every pipeline (ONNX Runtime, image libraries) on import.
  const { supportedPipelines } = await import('@souk/provider/pipelines');
  if (!supportedPipelines.includes(pipeline)) {
    throw new UsageError(`--pipeline: no provider runs "${pipeline}" (pipelines: ${supportedPipelines.join(', ')}).`);
  }
  checkBundleLayout(pipeline, names);
}

/**
 * The bundle file whose graph the manifest describes: `entry` when given, else the pipeline's entry model, else the
 * only `.onnx` file of the bundle.
 * @param pipeline - The pipeline, if any.
 * @param names - The bundle's file names.
 * @param entry - An explicit choice (`--entry`).
 * @returns The file name, or `undefined` when none can be chosen (no or several `.onnx` files, unknown layout).
 * @throws {UsageError} When `entry` is not a file of the bundle.
 */
export function entryModel(pipeline: string | undefined, names: readonly string[], entry?: string): string | undefined {
  if (entry !== undefined) {
    if (!names.includes(entry))
      throw new UsageError(`--entry: the bundle has no ${entry} (files: ${names.join(', ')}).`);
    return entry;
  }
  const layout = pipeline === undefined ? undefined : BUNDLE_LAYOUTS[pipeline];
  if (layout) return layout.entry;
  const models = names.filter((n) => n.toLowerCase().endsWith('.onnx'));
  return models.length === 1 ? models[0] : undefined;
}

/** A bundle built from a folder. */
export type FolderBundle = {
  /** The archive (ustar). */
  bytes: Uint8Array;
  /** SHA-256 of `bytes`, 64 lower-case hex digits: what the manifest's `content.sha256` will be. */
  sha256: string;
  /** Its files, sorted by name, with their sizes in bytes. */
  files: Array<{ name: string; size: number }>;
  /** The files by name (for reading the entry model). */
  contents: BundleFiles;
  /** The pipeline: given, or inferred from the file names; `undefined` when neither. */
  pipeline: string | undefined;
  /** The file whose graph the manifest describes ({@link entryModel}). */
  entry: string | undefined;
};

/**
 * Builds a deterministic bundle from a folder: the same files give the same bytes and SHA-256.
 * @param parameters - The folder, and optionally the pipeline and the entry model.
 * @returns The archive, its SHA-256, its files, its pipeline and its entry model.
 * @throws {UsageError} See {@link readBundleFolder} and {@link assertRunnableBundle}.
 * @example
 * ```ts
 * import { buildFolderBundle } from './bundle.ts'
 * const { bytes, sha256, pipeline } = await buildFolderBundle({ dir: './ocr' }) // pipeline 'ocr'
 * ```
 */
export async function buildFolderBundle({
  dir,
  pipeline,
  infer = true,
  entry,
}: {
  /** The folder to pack. */
  dir: string;
  /** The pipeline the bundle is for. @default inferred from the file names when `infer` */
  pipeline?: string | undefined;
  /** Whether to infer a pipeline from the file names when none is given (not for a dataset). @default true */
  infer?: boolean | undefined;
  /** The entry model (`--entry`). @default the pipeline's */
  entry?: string | undefined;
}): Promise<FolderBundle> {
  const contents = await readBundleFolder(dir);
  const names = Object.keys(contents).sort();
  const chosen = pipeline ?? (infer ? inferPipeline(names) : undefined);
  if (chosen !== undefined) await assertRunnableBundle(chosen, names);
  const { packBundle } = await import('@souk/provider/bundle');
  const bytes = packBundle(contents);
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    files: names.map((name) => ({ name, size: contents[name].length })),
    contents,
    pipeline: chosen,
    entry: entryModel(chosen, names, entry),
  };
}
