/**
 * Order-time input checks (`POST /orders`, which the SDK's `runOrder` and `souk run` go through): before
 * anything is written or escrowed, the job's input is checked against the model with `@souk/provider`'s
 * `checkJobInput` — for `ocr`, the bytes must decode as an image header; for the generic `onnx` pipeline, the input
 * must parse as the pipeline parses it (`.npz`, `.npy` or JSON tensors), its tensors must match the model's inputs by
 * name, dtype and rank, and the model must have no output onnxruntime-node cannot return (a
 * sequence, map or optional value). The model's inputs and outputs come from the manifest's declared `inputs` /
 * `outputs` when present, else from the ONNX model's session metadata (read once per model content CID and cached).
 *
 * An input that passes can still fail at run time (e.g. a fixed dimension that does not match): that path ends the
 * order as failed through the providers' `failed` replies, reproduced by the referee (`orders/decide.ts`).
 */
import { checkJobInput, InvalidInputError, type ModelSignature, readModelSignature } from '@souk/provider';
import { InvalidJobInputError } from '../errors.ts';
import { contentStream, manifestContent, readAll } from '../gateway/assetContent.ts';
import type { NodeServices } from '../services.ts';
import type { Manifest } from '../storage/manifest.ts';

/** Model signatures read from ONNX sessions, by content CID (bounded). */
const sessionInputs = new Map<string, Promise<ModelSignature>>();
const MAX_CACHED_MODELS = 32;

/**
 * The inputs a generic ONNX model takes and the outputs it returns: declared in its manifest (outputs only when
 * declared too), else read from its ONNX session.
 */
async function modelSignature(
  services: Pick<NodeServices, 'db' | 'storage'>,
  manifest: Manifest,
): Promise<Partial<ModelSignature>> {
  if (manifest.inputs && manifest.inputs.length > 0) {
    const spec = (i: { name: string; dtype: string; shape: (number | string)[] }) => ({ ...i });
    return { inputs: manifest.inputs.map(spec), outputs: manifest.outputs?.map(spec) };
  }
  const cid = manifest.content.cid;
  let hit = sessionInputs.get(cid);
  if (!hit) {
    hit = readAll(await contentStream(services, manifestContent(manifest))).then((bundle) =>
      readModelSignature(bundle),
    );
    sessionInputs.set(cid, hit);
    hit.catch(() => sessionInputs.delete(cid));
    while (sessionInputs.size > MAX_CACHED_MODELS) sessionInputs.delete(sessionInputs.keys().next().value as string);
  }
  return hit;
}

/**
 * Checks that the model of `assetId` can take the input held by an upload.
 * @param services - Database and storage (to read the upload's plaintext and, if needed, the model).
 * @param parameters - The asset id (for messages), its manifest, and the upload row holding the input.
 * @throws {InvalidJobInputError} (422) Naming what is wrong: not an image, not `.npz` / `.npy` / JSON, no tensors, a
 *   sequence or absent optional value, a missing or unknown tensor name, a wrong dtype or rank, a model output
 *   onnxruntime-node cannot return, an unknown pipeline, or a model ONNX Runtime cannot load.
 * @example
 * ```ts
 * await assertJobInput(app.souk, { assetId, manifest, upload }) // before submitJob is sent
 * ```
 */
export async function assertJobInput(
  services: Pick<NodeServices, 'db' | 'storage'>,
  {
    assetId,
    manifest,
    upload,
  }: {
    assetId: bigint;
    manifest: Manifest;
    upload: { id: string; content_cid: string; size: number | string; sha256: string; wrapped_key: string | null };
  },
): Promise<void> {
  const input = await readAll(
    await contentStream(services, {
      cid: upload.content_cid,
      size: Number(upload.size),
      sha256: upload.sha256,
      encrypted: upload.wrapped_key !== null,
      uploadId: upload.id,
    }),
  );
  await assertInputBytes(services, { assetId, manifest, input });
}

/**
 * {@link assertJobInput} on input bytes already in memory (orders with an inline input).
 * @throws {InvalidJobInputError} (422) naming what the model cannot take.
 */
export async function assertInputBytes(
  services: Pick<NodeServices, 'db' | 'storage'>,
  { assetId, manifest, input }: { assetId: bigint; manifest: Manifest; input: Uint8Array },
): Promise<void> {
  const pipeline = manifest.runtime?.pipeline ?? 'onnx';
  try {
    const { inputs, outputs } = pipeline === 'onnx' ? await modelSignature(services, manifest) : {};
    await checkJobInput({ pipeline, input, inputs, outputs });
  } catch (error) {
    if (error instanceof InvalidInputError) {
      const detail = error.details ? `${error.shortMessage.replace(/\.$/, '')}: ${error.details}` : error.shortMessage;
      throw new InvalidJobInputError(`Asset ${assetId} (pipeline ${pipeline}) cannot take this input. ${detail}`);
    }
    throw error;
  }
}
