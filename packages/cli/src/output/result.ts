/**
 * A model's result made readable, whatever the model: the output recognised by its shape — OCR lines, speech
 * segments (VAD), wake-word detections (openWakeWord), a foreground mask (IS-Net), tensors (generic ONNX), a trained
 * model (training) — printed by its formatter, anything else as JSON cut at {@link JSON_PREVIEW_CHARS} characters; and the result saved to a directory (`souk run --output-dir`).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson, decodeTensorResult, type JsonValue, type Tensor } from '@souk/provider';
import { formatEvaluation, isEvaluationOutput } from './evaluation.ts';
import { formatIsnet, isIsnetOutput, writeIsnetMask } from './isnet.ts';
import { formatOcr, isOcrOutput } from './ocr.ts';
import { formatTensors, isTensorOutput, writeTensors } from './tensors.ts';
import { formatTraining, isTrainOutput, writeTrainedModel } from './training.ts';
import { formatVad, isVadOutput } from './vad.ts';
import { formatWakeword, isWakewordOutput } from './wakeword.ts';

/** Characters of an unrecognised output printed as JSON. */
export const JSON_PREVIEW_CHARS = 2_000;

/** The kinds of output this module prints readably; `json` is any other. */
export type OutputKind = 'ocr' | 'vad' | 'wakeword' | 'isnet' | 'onnx' | 'training' | 'evaluation' | 'json';

/**
 * Which kind an output is, by its shape (the canonical result of the pipeline that made it).
 * @param output - A job's output, parsed JSON.
 * @returns `ocr` (`{ lines }`), `vad` (`{ duration, segments }`), `wakeword` (`{ duration, keywords, detections }`),
 * `isnet` (`{ mask, box, … }`), `onnx` (`{ tensors }`), `training` (`{ training: { weightsHash, model, … } }`), `evaluation` (`{ evaluation: { accuracy, … } }`), else
 * `json`. The two audio results share `duration` and are
 * told apart by `segments` (speech) and `keywords` with `detections` (wake words).
 */
export function outputKind(output: unknown): OutputKind {
  if (isOcrOutput(output)) return 'ocr';
  if (isVadOutput(output)) return 'vad';
  if (isWakewordOutput(output)) return 'wakeword';
  if (isIsnetOutput(output)) return 'isnet';
  if (isTensorOutput(output)) return 'onnx';
  if (isTrainOutput(output)) return 'training';
  if (isEvaluationOutput(output)) return 'evaluation';
  return 'json';
}

/**
 * Tensors of a generic ONNX output, or why they cannot be read.
 * @param output - An output of kind `onnx`.
 */
function readTensors(output: unknown): { tensors: Record<string, Tensor> } | { error: string } {
  try {
    return { tensors: decodeTensorResult(output) };
  } catch (error) {
    const { message, details } = error as Error & { details?: string };
    return { error: details ? `${message} (${details})` : message };
  }
}

/** The JSON fallback: `Output`, the JSON on one line cut at {@link JSON_PREVIEW_CHARS}, and how to get all of it. */
function formatJson(output: unknown, why?: string): string[] {
  const text = JSON.stringify(output) ?? String(output);
  const lines = ['Output', ...(why ? [`  (${why})`] : []), `  ${text.slice(0, JSON_PREVIEW_CHARS)}`];
  if (text.length > JSON_PREVIEW_CHARS) {
    lines.push(`  … ${text.length} characters in all: --json prints them, --output-dir saves result.json`);
  }
  return lines;
}

/**
 * The output as lines to print, by its kind ({@link outputKind}).
 * @param output - A job's output, parsed JSON.
 * @returns Lines (no trailing newline), starting with a heading (`Recognised text`, `Speech`, `Wake words`,
 * `Foreground`, `Output tensors`, `Trained model` or `Output`).
 * @example
 * ```ts
 * console.log(formatOutput(run.output).join('\n'))
 * ```
 */
export function formatOutput(output: unknown): string[] {
  switch (outputKind(output)) {
    case 'ocr':
      return formatOcr(output as Parameters<typeof formatOcr>[0]);
    case 'vad':
      return formatVad(output as Parameters<typeof formatVad>[0]);
    case 'wakeword':
      return formatWakeword(output as Parameters<typeof formatWakeword>[0]);
    case 'isnet':
      return formatIsnet(output as Parameters<typeof formatIsnet>[0]);
    case 'onnx': {
      const read = readTensors(output);
      return 'tensors' in read ? formatTensors(read.tensors) : formatJson(output, `unreadable tensors: ${read.error}`);
    }
    case 'training':
      return formatTraining(output as Parameters<typeof formatTraining>[0]);
    case 'evaluation':
      return formatEvaluation(output as Parameters<typeof formatEvaluation>[0]);
    case 'json':
      return formatJson(output);
  }
}

/** A file {@link saveOutput} wrote. */
export type SavedFile = {
  /** Its path (`dir` joined with its name). */
  file: string;
  /** What it holds, for a person: `the result (canonical JSON)`, `tensor "y"`, `foreground mask`. */
  what: string;
};

/** What {@link saveOutput} did. */
export type SaveOutputReturnType = {
  /** The files, `result.json` first. */
  files: SavedFile[];
  /** SHA-256 of `result.json`, `0x` + 64 hex digits: the result hash when the output is the verified result. */
  sha256: `0x${string}`;
};

/**
 * Saves a result in `dir`: always `result.json`, the output as canonical JSON (RFC 8785, UTF-8, no trailing newline
 * — the bytes the result hash is taken of); for tensors each as `<name>.npy`; for IS-Net the mask as `mask.png`; for a
 * training result the model as `model.onnx`.
 * @param output - A job's output, parsed JSON.
 * @param dir - An existing directory; files in it of the same names are replaced.
 * @returns The files written and the SHA-256 of `result.json`.
 * @throws {InvalidInputError} When the output is not JSON RFC 8785 can serialise, its tensors are malformed, or an
 * IS-Net mask's run lengths do not add up.
 * @throws {Error} When a file cannot be written (the file system's error).
 * @example
 * ```ts
 * const { files, sha256 } = await saveOutput(run.output, 'out')
 * if (sha256 === run.resultHash) console.log('result.json is the verified result')
 * ```
 */
export async function saveOutput(output: unknown, dir: string): Promise<SaveOutputReturnType> {
  const canonical = new TextEncoder().encode(canonicalJson(output as JsonValue));
  const resultFile = path.join(dir, 'result.json');
  await writeFile(resultFile, canonical);
  const files: SavedFile[] = [{ file: resultFile, what: 'the result (canonical JSON)' }];
  const kind = outputKind(output);
  if (kind === 'onnx') {
    for (const { name, file } of await writeTensors(decodeTensorResult(output), dir)) {
      files.push({ file, what: `tensor ${JSON.stringify(name)}` });
    }
  } else if (kind === 'isnet') {
    const file = path.join(dir, 'mask.png');
    await writeIsnetMask(output as Parameters<typeof writeIsnetMask>[0], file);
    files.push({ file, what: 'foreground mask (PNG, white = foreground)' });
  } else if (kind === 'training') {
    const file = path.join(dir, 'model.onnx');
    await writeTrainedModel(output as Parameters<typeof writeTrainedModel>[0], file);
    files.push({ file, what: 'the trained model (ONNX)' });
  }
  return { files, sha256: `0x${createHash('sha256').update(canonical).digest('hex')}` };
}
