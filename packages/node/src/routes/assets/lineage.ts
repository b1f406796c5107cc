/**
 * A trained model's lineage (docs/training.md): `GET /assets/:id/lineage` gives a version's manifest lineage and
 * what the `Lineages` contract holds for it (recorded by the leader, `orders/lineageRecorder.ts`), read from the chain.
 */
import { lineagesAbi } from '@souk/contracts';
import { type ModelLineage, modelLineageSchema } from '@souk/protocol';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.ts';
import { decodeManifest } from '../../storage/manifest.ts';
import { problem } from '../common.ts';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^(0|[1-9][0-9]{0,77})$' } },
} as const;

export default async function lineageRoutes(app: FastifyInstance) {
  const { chain, db, storage } = app.souk;

  app.get<{ Params: { id: string }; Querystring: { version?: number } }>(
    '/assets/:id/lineage',
    {
      schema: {
        tags: ['assets'],
        summary: "A trained model version's lineage: its manifest's, and the Lineages contract's record of it",
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            version: {
              type: 'integer',
              minimum: 0,
              maximum: 4_294_967_295,
              description: 'uint32; default the current version',
            },
          },
        },
        response: { 200: modelLineageSchema, 404: problem },
      },
    },
    async (request): Promise<ModelLineage> => {
      const assetId = request.params.id;
      const asset = await db
        .selectFrom('assets')
        .select(['version_count'])
        .where('id', '=', assetId)
        .executeTakeFirst();
      if (!asset) throw new NotFoundError(`No asset ${assetId}.`);
      const version = request.query.version ?? asset.version_count - 1;
      const row = await db
        .selectFrom('asset_versions')
        .select('uri')
        .where('asset_id', '=', assetId)
        .where('version', '=', version)
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`Asset ${assetId} has no version ${version}.`);
      if (!row.uri.startsWith('ipfs://')) throw new NotFoundError(`Asset ${assetId} v${version} has no Souk manifest.`);
      const manifestCid = row.uri.slice('ipfs://'.length);
      const manifest = decodeManifest(await storage.store.getRaw(manifestCid)).lineage;
      if (!manifest)
        throw new NotFoundError(`Asset ${assetId} v${version} declares no lineage (it was not trained here).`);
      const pending = await db
        .selectFrom('model_lineages')
        .select('chain_tx')
        .where('asset_id', '=', assetId)
        .where('version', '=', version)
        .executeTakeFirst();
      const contract = { address: chain.deployment.contracts.lineages, abi: lineagesAbi } as const;
      const [lineage, datasets, jobs] = await chain.publicClient.readContract({
        ...contract,
        functionName: 'lineageOf',
        args: [BigInt(assetId), version],
      });
      const onChain =
        lineage.manifestUri === ''
          ? null
          : {
              recipeId: lineage.recipeId.toString(),
              recipeVersion: lineage.recipeVersion,
              weightsHash: lineage.weightsHash,
              lineageHash: lineage.lineageHash,
              datasets: datasets.map((d) => ({ assetId: d.assetId.toString(), sha256: d.sha256 })),
              jobs: await Promise.all(
                jobs.map(async (orderHash) => ({
                  orderHash,
                  providers: (
                    await chain.publicClient.readContract({
                      ...contract,
                      functionName: 'providersOf',
                      args: [orderHash],
                    })
                  ).map((p) => p.toLowerCase()),
                })),
              ),
            };
      return {
        assetId,
        version,
        manifestCid,
        lineage: manifest as unknown as Record<string, unknown>,
        chainTx: pending?.chain_tx ?? null,
        onChain,
      };
    },
  );
}
