/**
 * Order-time check of a generic ONNX job's input against the tensors its manifest declares (`inputs`, written at
 * publish from the model's graph — `souk publish` reads them with ONNX Runtime). It runs before anything is escrowed
 * (`orders/accept.ts`), so an input the model cannot take is refused with a reason naming the tensor and what the
 * manifest declares, instead of failing on every provider.
 *
 * What is compared, per tensor, in this order (the first difference is the reason):
 *
 * | check | refused when |
 * | --- | --- |
 * | names | a declared input is missing, or the input has a tensor the manifest does not declare |
 * | dtype | the element type differs (`float32` vs `int64`; ONNX Runtime's spelling) |
 * | rank | the number of dimensions differs (skipped when the declared shape is `[]`: ONNX Runtime reports `[]` both for a scalar and for a graph input without a shape, so an empty shape constrains nothing) |
 * | static dims | a dimension the manifest gives as an integer differs; a named (symbolic) dimension such as `"batch"` takes any size |
 *
 * Not compared: whether two inputs that share a symbolic name have the same size there (ONNX Runtime does not
 * enforce it either), and the values. Assets whose pipeline is not `onnx`, or whose manifest declares no inputs, are
 * not checked here (`inputCheck.ts` still checks them, reading the model's session when nothing is declared).
 * The input is decoded exactly as the provider's generic pipeline decodes it (`decodeOnnxInput`), so every
 * encoding the pipeline takes (JSON tensors, `.npy` entries…) is checked the same way.
 */
import { decodeOnnxInput, InvalidInputError } from '@souk/provider';
import { InvalidJobInputError } from '../errors.ts';
import type { Manifest, TensorSpec } from '../storage/manifest.ts';

/** What the check needs of an input tensor: its element type and dimensions. */
export type TensorHeader = {
  /** Element type, ONNX Runtime's spelling (`float32`, `int64`…). */
  dtype: string;
  /** Dimensions, each an integer ≥ 0; `[]` is a scalar. */
  dims: readonly number[];
};

/**
 * The provider's decoder, given the declared input names (it hands a bare `.npy` to a model's only input). Typed
 * loosely so that it also binds to a `decodeOnnxInput` that takes no options (which treats the bytes as JSON).
 */
const decode = decodeOnnxInput as (
  input: Uint8Array,
  options?: { inputNames?: readonly string[] | undefined },
) => Record<string, TensorHeader>;

/** `x float32[batch,3,48,192]` */
function describe(spec: TensorSpec): string {
  return `${spec.name} ${spec.dtype}[${spec.shape.join(',')}]`;
}

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

/**
 * Compares input tensors with a manifest's declared inputs.
 * @param declared - The manifest's `inputs` (graph order).
 * @param tensors - The input's tensors by name (dtype and dims only).
 * @returns `undefined` when the input matches, else the reason: one sentence naming the tensor, what it is and what
 *   the manifest declares (e.g. `tensor "x" has dimension 3 of size 100; the model declares 192 (x float32[batch,3,48,192]).`).
 * @example
 * ```ts
 * declaredInputMismatch([{ name: 'x', dtype: 'float32', shape: ['batch', 3] }], { x: { dtype: 'float32', dims: [1, 4] } })
 * // 'tensor "x" has dimension 1 of size 4; the model declares 3 (x float32[batch,3]).'
 * ```
 */
export function declaredInputMismatch(
  declared: readonly TensorSpec[],
  tensors: Readonly<Record<string, TensorHeader>>,
): string | undefined {
  const names = Object.keys(tensors);
  const takes = declared.map(describe).join(', ');
  const missing = declared.filter((spec) => !Object.hasOwn(tensors, spec.name)).map((spec) => spec.name);
  if (missing.length > 0) {
    return `${missing.length === 1 ? 'tensor' : 'tensors'} ${quoted(missing)} ${missing.length === 1 ? 'is' : 'are'} missing; the model takes ${takes}.`;
  }
  const unknown = names.filter((name) => !declared.some((spec) => spec.name === name));
  if (unknown.length > 0) {
    return `${unknown.length === 1 ? 'tensor' : 'tensors'} ${quoted(unknown)} ${unknown.length === 1 ? 'is' : 'are'} not an input of the model; it takes ${takes}.`;
  }
  for (const spec of declared) {
    const { dtype, dims } = tensors[spec.name];
    if (dtype !== spec.dtype) {
      return `tensor "${spec.name}" is ${dtype}; the model declares ${spec.dtype} (${describe(spec)}).`;
    }
    if (spec.shape.length === 0) continue;
    if (dims.length !== spec.shape.length) {
      return `tensor "${spec.name}" has rank ${dims.length} ([${dims.join(',')}]); the model declares rank ${spec.shape.length} (${describe(spec)}).`;
    }
    for (const [axis, want] of spec.shape.entries()) {
      if (typeof want === 'number' && dims[axis] !== want) {
        return `tensor "${spec.name}" has dimension ${axis} of size ${dims[axis]}; the model declares ${want} (${describe(spec)}).`;
      }
    }
  }
  return undefined;
}

/**
 * Refuses a generic ONNX job input that does not match the tensors the model's manifest declares (see the module
 * comment for what is compared). Does nothing for another pipeline or a manifest without `inputs`.
 * @param parameters - The asset id (for the message), its manifest, and the input bytes as the job carries them.
 * @throws {InvalidJobInputError} (422, `SOUK_ERR_INVALID_JOB_INPUT`) with the reason, e.g. `Asset 7 (pipeline onnx)
 *   cannot take this input: tensor "x" is int64; the model declares float32 (x float32[batch,3,48,192]).`; also when
 *   the input does not decode as the generic pipeline's input.
 * @example
 * ```ts
 * import { assertDeclaredInputs } from './compute/manifestInputCheck.ts'
 * assertDeclaredInputs({ assetId: 7n, manifest, input: new TextEncoder().encode(JSON.stringify({ tensors })) })
 * ```
 */
export function assertDeclaredInputs({
  assetId,
  manifest,
  input,
}: {
  /** The model's asset id (AgentNFT token id). */
  assetId: bigint;
  /** The model's current manifest. */
  manifest: Manifest;
  /** The job's input bytes. */
  input: Uint8Array;
}): void {
  const pipeline = manifest.runtime?.pipeline ?? 'onnx';
  const declared = manifest.inputs;
  if (pipeline !== 'onnx' || !declared || declared.length === 0) return;
  let tensors: Record<string, TensorHeader>;
  try {
    tensors = decode(input, { inputNames: declared.map((spec) => spec.name) });
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const detail = error.details ? `${error.shortMessage.replace(/\.$/, '')}: ${error.details}` : error.shortMessage;
    throw new InvalidJobInputError(`Asset ${assetId} (pipeline onnx) cannot take this input. ${detail}`);
  }
  const reason = declaredInputMismatch(declared, tensors);
  if (reason) throw new InvalidJobInputError(`Asset ${assetId} (pipeline onnx) cannot take this input: ${reason}`);
}
