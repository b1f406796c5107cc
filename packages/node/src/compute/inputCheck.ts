/**
 * Order-time input checks (`POST /jobs`, which the SDK's `submitJob` / `runJob` and `souk run` go through): before
 * anything is written or escrowed, the job's input is checked against the model with `@souk/provider`'s
 * `checkJobInput` — for `ocr`, the bytes must decode as an image header; for the generic `onnx` pipeline, the input
 * must parse as the pipeline parses it and its tensors must match the model's inputs by name, dtype and rank. The
 * model's inputs come from the manifest's declared `inputs` when present, else from the ONNX model's session input
 * metadata (read once per model content CID and cached).
 *
 * An input that passes can still fail at run time (e.g. a fixed dimension that does not match): that path ends the
 * job as failed through the providers' signed reports and the referee (`failure.ts`).
 */
import { checkJobInput, InvalidInputError, type ModelInputSpec, readModelInputs } from '@souk/provider';
import { InvalidJobInputError } from '../errors.ts';
import { contentStream, manifestContent, readAll } from '../gateway/assetContent.ts';
import type { NodeServices } from '../services.ts';
import type { Manifest } from '../storage/manifest.ts';

/** Model inputs read from ONNX sessions, by content CID (bounded). */
const sessionInputs = new Map<string, Promise<ModelInputSpec[]>>();
const MAX_CACHED_MODELS = 32;

/** The inputs a generic ONNX model takes: declared in its manifest, else read from its ONNX session. */
async function modelInputs(
  services: Pick<NodeServices, 'db' | 'storage'>,
  manifest: Manifest,
): Promise<ModelInputSpec[]> {
  if (manifest.inputs && manifest.inputs.length > 0) {
    return manifest.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape }));
  }
  const cid = manifest.content.cid;
  let hit = sessionInputs.get(cid);
  if (!hit) {
    hit = readAll(await contentStream(services, manifestContent(manifest))).then((bundle) => readModelInputs(bundle));
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
 * @throws {InvalidJobInputError} (422) Naming what is wrong: not an image, not JSON / `.npy`, no tensors, a missing
 *   or unknown tensor name, a wrong dtype or rank, an unknown pipeline, or a model ONNX Runtime cannot load.
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
    const inputs = pipeline === 'onnx' ? await modelInputs(services, manifest) : undefined;
    await checkJobInput({ pipeline, input, inputs });
  } catch (error) {
    if (error instanceof InvalidInputError) {
      const detail = error.details ? `${error.shortMessage.replace(/\.$/, '')}: ${error.details}` : error.shortMessage;
      throw new InvalidJobInputError(`Asset ${assetId} (pipeline ${pipeline}) cannot take this input. ${detail}`);
    }
    throw error;
  }
}
