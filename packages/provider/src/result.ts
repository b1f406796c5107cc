/**
 * The canonical result serialisation: the exact bytes a provider hashes, commits (`resultHash`) and later reveals.
 * Independent providers agree on a job when these bytes are equal.
 *
 * **Bytes.** UTF-8 JSON in the JSON Canonicalization Scheme (RFC 8785): object keys sorted by UTF-16 code units, no
 * whitespace, strings escaped as ECMAScript `JSON.stringify` does, numbers in ECMAScript's shortest round-trip form
 * (`Number.prototype.toString`). Properties whose value is `undefined` are omitted; non-finite numbers are refused.
 *
 * **OCR output** (`{ lines }`): each line becomes `{"box":[[x,y],[x,y],[x,y],[x,y]],"confidence":c,"text":t}`, in the
 * pipeline's order (top-to-bottom, then left-to-right); box coordinates rounded to integers (pixels), `confidence`
 * rounded to 4 decimals (`Math.round(c × 10⁴) / 10⁴`, i.e. half up on the binary64 product), `text` as-is (no Unicode
 * normalisation).
 *
 * **Tensor output** (`{ tensors }`): each tensor becomes `{"data":b,"dims":[…],"dtype":"float32"}`, where `b` is the
 * standard base64 (RFC 4648 §4, with padding) of its elements' little-endian bytes in row-major order (`bool` one byte
 * 0/1 per element, `int64` 8 bytes two's complement, `float16` its binary16 bits); floats are hashed bit for bit. A
 * `string` tensor's `data` is the JSON array of its elements (RFC 8785 string escaping). `decodeTensorResult`
 * (`pipelines/tensorOutput.ts`) reads these bytes back into tensors.
 *
 * **VAD output** (`{ duration, segments }`): `{"duration":d,"segments":[{"end":e,"probability":p,"start":s},…]}` in
 * time order; `d`, `s` and `e` in seconds rounded to 1 ms (`Math.round(x × 10³) / 10³`), `p` rounded to 4 decimals.
 *
 * **IS-Net output** (`{ mask, box, … }`): `{"area":a,"box":[x,y,w,h]|null,"confidence":c,"coverage":f,"height":h,
 * "mask":{"counts":[…],"size":[h,w]},"width":w}`; the mask in COCO run-length encoding (column-major, background
 * first), integers as they are, `c` and `f` rounded to 4 decimals.
 *
 * **Wake-word output** (`{ duration, keywords, detections }`): `{"detections":[{"keyword":k,"score":s,"time":t},…],
 * "duration":d,"keywords":[{"keyword":k,"maxScore":m},…]}`, detections in time order and keywords by name; seconds
 * rounded to 1 ms, scores to 4 decimals.
 *
 * **Batch output** (`{ batch }`, a batch order): `{"batch":[e_0,…]}`, each entry the canonical value of its input's
 * output as above, or `{"error":reason}` for an input the model could not take.
 *
 * **Hash.** `resultHash = "0x" + hex(SHA-256(canonical bytes))` (FIPS 180-4), a `bytes32` as the
 * commit–reveal over the bus and the ResultAttestation take it. The runtime record is not hashed; it travels alongside.
 */
import { createHash } from 'node:crypto';
import {
  type EvaluationOutput,
  isBatchItemError,
  isEvaluationOutput,
  isRoundTrainOutput,
  isZkOutput,
  type ZkOutput,
} from '@souk/protocol';
import { InvalidInputError } from './errors.ts';
import { canonicalIsnet, type IsnetOutput } from './pipelines/isnet.ts';
import type { OcrOutput } from './pipelines/ocr.ts';
import type { OnnxOutput } from './pipelines/onnx.ts';
import { assertTensor, tensorToBytesLE } from './pipelines/tensor.ts';
import { isTrainOutput, type TrainOutput } from './pipelines/train.ts';
import type { VadOutput } from './pipelines/vad.ts';
import { canonicalWakeword, type WakewordOutput } from './pipelines/wakeword.ts';

/** Any pipeline output the provider can hash. */
export type PipelineOutput =
  | OcrOutput
  | OnnxOutput
  | VadOutput
  | IsnetOutput
  | WakewordOutput
  | TrainOutput
  | EvaluationOutput
  | ZkOutput
  | BatchOutput;

/**
 * The output of a batch order (`@souk/protocol`'s `batch.ts`): each input's output in input order, or
 * `{ error }` for an input the model cannot take. Canonically `{"batch":[…]}`, each entry in its own pipeline's form.
 */
export type BatchOutput = { batch: Array<PipelineOutput | { error: string }> };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A JSON value as RFC 8785 serialises it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/**
 * Serialises a JSON value per RFC 8785 (JSON Canonicalization Scheme).
 * @param value - The value (no `undefined` array items, no non-finite numbers, no lone surrogates).
 * @returns The canonical JSON text.
 * @throws {InvalidInputError} On a value JSON cannot represent.
 * @example
 * ```ts
 * import { canonicalJson } from '@souk/provider';
 * canonicalJson({ b: [1, 2.5], a: 'x' }); // '{"a":"x","b":[1,2.5]}'
 * ```
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidInputError(`Cannot serialise the number ${value}.`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new InvalidInputError('Cannot serialise a string with a lone surrogate.');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value
      .map((item) => {
        if (item === undefined) throw new InvalidInputError('Cannot serialise an undefined array item.');
        return canonicalJson(item);
      })
      .join(',')}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${canonicalJson(key)}:${canonicalJson(value[key] as JsonValue)}`).join(',')}}`;
  }
  throw new InvalidInputError(`Cannot serialise a value of type ${typeof value}.`);
}

/**
 * Rounds a confidence to 4 decimals, as the canonical form does.
 * @param value - A number.
 * @returns `Math.round(value × 10⁴) / 10⁴`.
 */
export function roundConfidence(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/**
 * The canonical JSON value of a pipeline output (before serialisation); see the file header.
 * @param output - OCR or tensor output.
 * @returns The normalised value.
 * @throws {InvalidInputError} When the output is neither, or malformed.
 */
export function canonicalValue(output: PipelineOutput): JsonValue {
  if (output && Array.isArray((output as BatchOutput).batch)) {
    return {
      batch: (output as BatchOutput).batch.map((entry) =>
        isBatchItemError(entry) ? { error: entry.error } : canonicalValue(entry as PipelineOutput),
      ),
    };
  }
  if (output && Array.isArray((output as OcrOutput).lines)) {
    return {
      lines: (output as OcrOutput).lines.map((line) => {
        if (typeof line.text !== 'string' || !Array.isArray(line.box) || line.box.length !== 4) {
          throw new InvalidInputError('Malformed OCR line.');
        }
        return {
          box: line.box.map(([x, y]) => [Math.round(x), Math.round(y)]),
          confidence: roundConfidence(line.confidence),
          text: line.text,
        };
      }),
    };
  }
  if (output && Array.isArray((output as IsnetOutput).mask?.counts)) return canonicalIsnet(output as IsnetOutput);
  const tensors = (output as OnnxOutput | undefined)?.tensors;
  if (tensors && typeof tensors === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [name, tensor] of Object.entries(tensors)) {
      assertTensor(tensor, name);
      out[name] = {
        data:
          tensor.dtype === 'string'
            ? [...(tensor.data as string[])]
            : Buffer.from(tensorToBytesLE(tensor)).toString('base64'),
        dims: [...tensor.dims],
        dtype: tensor.dtype,
      };
    }
    return { tensors: out };
  }
  if (isEvaluationOutput(output)) {
    // Ratios of sample counts: the same on every machine that predicted the same classes.
    const e = output.evaluation;
    return {
      evaluation: {
        accuracy: e.accuracy,
        classes: e.classes,
        confusion: e.confusion.map((row) => [...row]),
        f1: e.f1,
        precision: e.precision,
        recall: e.recall,
        samples: e.samples,
      },
    };
  }
  if (isTrainOutput(output)) {
    // Every field is deterministic (docs/training.md): the curve's floats are kept exactly, not rounded.
    const t = output.training;
    return {
      training: {
        classes: [...t.classes],
        features: t.features,
        hyperparameters: { ...t.hyperparameters },
        template: { ...t.template, hidden: [...t.template.hidden] },
        history: { accuracy: [...t.history.accuracy], loss: [...t.history.loss] },
        model: t.model,
        samples: t.samples,
        weightsHash: t.weightsHash,
        // A collaboration round's update also carries its round and its weights (`@souk/protocol`'s rounds.ts).
        ...(isRoundTrainOutput(output) ? { round: output.training.round, weights: output.training.weights } : {}),
      },
    };
  }
  if (isZkOutput(output)) {
    // Deterministic but for the proof bytes (Groth16 is randomised): a zk order runs at r = 1 (docs/zk.md).
    const z = output.zk;
    return {
      class: output.class,
      logits: [...output.logits],
      zk: {
        circuitHash: z.circuitHash,
        curve: z.curve,
        inputCommitment: z.inputCommitment,
        modelCommitment: z.modelCommitment,
        proof: z.proof,
        protocol: z.protocol,
        publicSignals: [...z.publicSignals],
      },
    };
  }
  if (output && Array.isArray((output as WakewordOutput).detections))
    return canonicalWakeword(output as WakewordOutput);
  if (output && Array.isArray((output as VadOutput).segments)) {
    const ms = (seconds: number) => Math.round(seconds * 1e3) / 1e3;
    return {
      duration: ms((output as VadOutput).duration),
      segments: (output as VadOutput).segments.map(({ start, end, probability }) => ({
        end: ms(end),
        probability: roundConfidence(probability),
        start: ms(start),
      })),
    };
  }
  throw new InvalidInputError('The output is neither OCR lines, tensors nor speech segments.');
}

/**
 * The canonical bytes of a pipeline output: what is hashed and revealed (see the file header).
 * @param output - OCR or tensor output.
 * @returns UTF-8 bytes of the RFC 8785 JSON.
 * @throws {InvalidInputError} When the output is malformed.
 * @example
 * ```ts
 * import { canonicalResult } from '@souk/provider';
 * new TextDecoder().decode(canonicalResult({ lines: [{ text: 'TOTAL 12.50', confidence: 0.987654, box: [[1, 2], [90, 2], [90, 20], [1, 20]] }] }));
 * // '{"lines":[{"box":[[1,2],[90,2],[90,20],[1,20]],"confidence":0.9877,"text":"TOTAL 12.50"}]}'
 * ```
 */
export function canonicalResult(output: PipelineOutput): Uint8Array {
  return new TextEncoder().encode(canonicalJson(canonicalValue(output)));
}

/**
 * The result hash committed on-chain: SHA-256 of {@link canonicalResult}.
 * @param output - OCR or tensor output.
 * @returns `0x` + 64 lower-case hex digits (a `bytes32`).
 * @throws {InvalidInputError} When the output is malformed.
 * @example
 * ```ts
 * import { resultHash } from '@souk/provider';
 * const hash = resultHash(output); // '0x3f…'
 * ```
 */
export function resultHash(output: PipelineOutput): `0x${string}` {
  return `0x${createHash('sha256').update(canonicalResult(output)).digest('hex')}`;
}
