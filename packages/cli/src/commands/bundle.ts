/**
 * `souk bundle <folder> --output <file>`: packs a folder into a model bundle, deterministically (same files → same
 * bytes → same SHA-256), checks it has the files its pipeline reads, and prints the entry model's inputs and
 * outputs — what `souk publish <folder>` would upload and write into the manifest. Needs no node.
 */
import { existsSync } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from '../args.ts';
import { buildFolderBundle } from '../bundle.ts';
import { emit, guard } from '../command.ts';
import { UsageError } from '../errors.ts';
import { formatBytes } from '../format.ts';
import { readOnnxSignature } from '../onnx.ts';

export const summary = 'Pack a folder into a model bundle (deterministic: same files, same SHA-256)';

export const help = `Usage: souk bundle <folder> --output <file> [options]

Packs every regular file under <folder> (recursively; names relative to it) into a bundle: a POSIX tar with
the names sorted and fixed attributes (mtime 0, mode 644, owner 0), so the same files always give the same bytes
and the same SHA-256 — whatever their times, owners, permissions or the order the file system lists them in.
Symbolic links, special files, empty files and names over 100 bytes are refused.
The pipeline is --pipeline, else inferred from the file names: onnx for model.onnx, ocr for detection.onnx,
recognition.onnx and dictionary.txt (classifier.onnx optional). A known pipeline's files are checked, and its
entry model (onnx: model.onnx; ocr: detection.onnx; another pipeline: --entry or the only .onnx file) is loaded
with onnxruntime: its inputs and outputs are printed, as souk publish writes them into the manifest.
Publish the bundle with souk publish <file> (or publish the folder directly: it is packed the same way).

Options:
  -o, --output <file>   Where to write the bundle (required); an existing file is kept unless --force
  --force               Overwrite <file> if it exists
  --pipeline <name>     The pipeline the bundle is for, e.g. onnx, ocr  [default: inferred from the file names]
  --entry <file>        The bundle file whose inputs and outputs are recorded
                        [default: the pipeline's entry model, else the only .onnx file]
  --json                Print machine-readable JSON on stdout
  -h, --help            Show this help

Examples:
  souk bundle ./ocr --output ocr.bundle
  souk bundle ./my-model --output my-model.bundle --pipeline onnx --json`;

const options = {
  output: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  pipeline: { type: 'string' },
  entry: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `x float32[batch,3,48,192]` */
function formatTensor(spec: { name: string; dtype: string; shape: Array<number | string> }): string {
  return `${spec.name} ${spec.dtype}[${spec.shape.join(',')}]`;
}

export function run(argv: string[]): Promise<number> {
  return guard('bundle', async () => {
    const { values: flags, positionals } = parse(argv, options, { positionals: 1, required: 1, names: ['<folder>'] });
    const [dir] = positionals;
    const output = flags.output;
    if (output === undefined) throw new UsageError('--output <file> is required.');
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) throw new UsageError(`<folder>: ${dir} is not a readable folder.`);
    const inside = path.relative(path.resolve(dir), path.resolve(output));
    if (inside !== '..' && !inside.startsWith(`..${path.sep}`) && !path.isAbsolute(inside)) {
      throw new UsageError(`--output: ${output} is inside ${dir}; the next bundle of the folder would contain it.`);
    }
    if (existsSync(output) && !flags.force) throw new UsageError(`${output} exists; pass --force to overwrite it.`);

    const bundle = await buildFolderBundle({ dir, pipeline: flags.pipeline, entry: flags.entry });
    let signature: Awaited<ReturnType<typeof readOnnxSignature>> | undefined;
    if (bundle.entry !== undefined) {
      try {
        signature = await readOnnxSignature(bundle.contents[bundle.entry]);
      } catch (error) {
        const reason = (error as Error).message.split('\n')[0];
        throw new UsageError(`${dir}/${bundle.entry} is not an ONNX model onnxruntime can load (${reason}).`);
      }
    }
    // Written next to its name and renamed, so an interrupted run leaves no truncated bundle under that name.
    const part = `${output}.part`;
    try {
      await writeFile(part, bundle.bytes);
      await rename(part, output);
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }

    const result = {
      output,
      size: bundle.bytes.length,
      sha256: bundle.sha256,
      pipeline: bundle.pipeline ?? null,
      entry: bundle.entry ?? null,
      files: bundle.files,
      inputs: signature?.inputs ?? null,
      outputs: signature?.outputs ?? null,
    };
    emit(flags.json, result, () => {
      const lines = [
        `Bundled ${bundle.files.length} file${bundle.files.length === 1 ? '' : 's'} into ${output} (${formatBytes(result.size)})`,
        `  sha256    ${bundle.sha256}`,
        `  pipeline  ${bundle.pipeline ?? '- (pass --pipeline when publishing)'}`,
      ];
      for (const file of bundle.files) lines.push(`  file      ${file.name}  ${formatBytes(file.size)}`);
      if (bundle.entry) lines.push(`  entry     ${bundle.entry}`);
      if (signature) {
        lines.push(`  inputs    ${signature.inputs.map(formatTensor).join(', ')}`);
        lines.push(`  outputs   ${signature.outputs.map(formatTensor).join(', ')}`);
      }
      return lines.join('\n');
    });
    return 0;
  });
}
