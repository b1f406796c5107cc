/**
 * Printing a generic ONNX result (`onnx` pipeline): per output tensor its name, dtype, shape and a summary (value
 * range, mean, first elements); and saving each tensor as a `.npy` file numpy reads.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatTensorSummary, type Tensor, writeNpy } from '@souk/provider';

/** Whether `output` is a generic ONNX result `{ tensors: { <name>: { dtype, dims, data } } }`. */
export function isTensorOutput(output: unknown): output is { tensors: Record<string, unknown> } {
  const tensors = (output as { tensors?: unknown } | null)?.tensors;
  return tensors !== null && typeof tensors === 'object' && !Array.isArray(tensors);
}

/**
 * One line per output tensor (`formatTensorSummary` of `@souk/provider`): `name dtype[dims] min … max … mean … [first
 * values, …]`.
 * @param tensors - The result's tensors, from `decodeTensorResult`.
 * @returns Lines to print.
 * @example
 * ```ts
 * formatTensors(decodeTensorResult(run.output))
 * // ['Output tensors', '  softmax_0.tmp_0 float32[1, 2] min 0.0321 max 0.9679 mean 0.5 [0.9679, 0.0321]']
 * ```
 */
export function formatTensors(tensors: Record<string, Tensor>): string[] {
  const names = Object.keys(tensors);
  if (names.length === 0) return ['Output tensors', '  (none)'];
  return ['Output tensors', ...names.map((name) => `  ${formatTensorSummary(name, tensors[name])}`)];
}

/**
 * A file name for a tensor: its name with every character outside `A–Z a–z 0–9 . _ -` replaced by `_` (ONNX names
 * may hold `/` or `:`), made unique among `taken` by a `-2`, `-3`… suffix, plus `.npy`.
 * @param name - The tensor's name.
 * @param taken - File names already used (lower-cased, for case-insensitive file systems); the result is added.
 * @returns E.g. `logits.npy`, `encoder_output_0.npy` for `encoder/output:0`.
 */
export function npyFileName(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
  let file = `${base}.npy`;
  for (let i = 2; taken.has(file.toLowerCase()); i++) file = `${base}-${i}.npy`;
  taken.add(file.toLowerCase());
  return file;
}

/**
 * Saves each tensor as `<name>.npy` in `dir` (`writeNpy` of `@souk/provider`: the bytes `numpy.save` writes).
 * @param tensors - The result's tensors, from `decodeTensorResult`.
 * @param dir - An existing directory.
 * @returns The tensor name and the file written, per tensor.
 * @example
 * ```ts
 * await writeTensors(decodeTensorResult(run.output), 'out') // [{ name: 'y', file: 'out/y.npy' }]
 * ```
 */
export async function writeTensors(
  tensors: Record<string, Tensor>,
  dir: string,
): Promise<Array<{ name: string; file: string }>> {
  const taken = new Set<string>();
  const written: Array<{ name: string; file: string }> = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    const file = path.join(dir, npyFileName(name, taken));
    await writeFile(file, writeNpy(tensor));
    written.push({ name, file });
  }
  return written;
}
