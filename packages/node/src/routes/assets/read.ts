/**
 * Reading assets from the index: list with filters, text search, sort and cursor pagination; detail with versions
 * and listing. Per-kind aliases (`/models`, `/agents`, `/datasets`) follow the seed's endpoint names.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidCursorError, InvalidQueryError } from '../../db/errors.ts';
import { type AssetRow, type AssetSort, cachedRead, getAsset, listAssets } from '../../db/queries.ts';
import { BadRequestError, NotFoundError } from '../../errors.ts';
import { address, assetSchema, uintString } from '../../schemas.ts';

const problem = { $ref: 'Problem#' } as const;
const nullableString = { type: ['string', 'null'] } as const;

/** Index row → API shape. */
export function toAsset(row: AssetRow) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    description: row.description,
    creator: row.creator,
    owner: row.owner,
    royaltyBps: row.royalty_bps,
    manifestUri: row.manifest_uri,
    manifestCid: row.manifest_cid,
    contentCid: row.content_cid,
    versionCount: row.version_count,
    priceWei: row.price_wei,
    currency: row.currency,
    licence:
      row.licence_price_wei === null
        ? null
        : {
            currency: row.licence_currency,
            priceWei: row.licence_price_wei,
            durationSeconds: row.licence_duration,
            active: row.licence_active,
          },
    createdBlock: row.created_block,
    createdAt: new Date(row.created_at).toISOString(),
    updatedBlock: row.updated_block,
  };
}

type ListQuery = {
  kind?: 'model' | 'agent' | 'dataset';
  creator?: string;
  owner?: string;
  minPrice?: string;
  maxPrice?: string;
  q?: string;
  sort: AssetSort;
  limit: number;
  cursor?: string;
};

const listQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['model', 'agent', 'dataset'] },
    creator: address,
    owner: address,
    minPrice: { ...uintString, description: 'wei' },
    maxPrice: { ...uintString, description: 'wei' },
    q: { type: 'string', minLength: 1, maxLength: 200, description: 'text search in name and description' },
    sort: { type: 'string', enum: ['newest', 'oldest', 'price_asc', 'price_desc'], default: 'newest' },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', maxLength: 512, description: 'nextCursor of the previous page' },
  },
} as const;

const pageSchema = {
  type: 'object',
  properties: { items: { type: 'array', items: { $ref: 'Asset#' } }, nextCursor: nullableString },
} as const;

/** Runs a query helper, turning its input errors into 400 problems. */
export async function query<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InvalidQueryError || error instanceof InvalidCursorError)
      throw new BadRequestError(error.message);
    throw error;
  }
}

export default async function assetReadRoutes(app: FastifyInstance) {
  const { db } = app.souk;

  const list = (fixedKind?: 'model' | 'agent' | 'dataset') => async (request: { query: ListQuery }) => {
    const parameters = { ...request.query, kind: fixedKind ?? request.query.kind };
    const page = await query(() =>
      cachedRead(db, `assets:${JSON.stringify(parameters)}`, () => listAssets(db, parameters)),
    );
    return { items: page.items.map(toAsset), nextCursor: page.nextCursor };
  };
  for (const [path, kind, label] of [
    ['/assets', undefined, 'assets of every kind'],
    ['/models', 'model', 'models'],
    ['/agents', 'agent', 'agents'],
    ['/datasets', 'dataset', 'datasets'],
  ] as const) {
    app.get<{ Querystring: ListQuery }>(
      path,
      {
        schema: {
          tags: ['assets'],
          summary: `List ${label}: filter, search, sort, cursor pagination`,
          querystring: listQuerystring,
          response: { 200: pageSchema, 400: problem },
        },
      },
      list(kind),
    );
  }

  app.get<{ Params: { id: string } }>(
    '/assets/:id',
    {
      schema: {
        tags: ['assets'],
        summary: 'One asset with its versions and listing',
        params: { type: 'object', required: ['id'], properties: { id: uintString } },
        response: {
          200: {
            type: 'object',
            properties: {
              ...assetSchema.properties,
              versions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    version: { type: 'integer' },
                    uri: { type: 'string' },
                    blockNumber: { type: 'integer' },
                    transactionHash: { type: 'string' },
                    createdAt: { type: 'string' },
                  },
                },
              },
              listing: {
                type: ['object', 'null'],
                properties: {
                  seller: { type: 'string' },
                  currency: { type: 'string' },
                  priceWei: { type: 'string' },
                  active: { type: 'boolean' },
                },
              },
            },
          },
          404: problem,
        },
      },
    },
    async (request) => {
      const asset = await query(() => getAsset(db, { id: request.params.id }));
      if (!asset) throw new NotFoundError(`No asset ${request.params.id} in the index.`);
      return {
        ...toAsset(asset),
        versions: asset.versions.map((v) => ({
          version: v.version,
          uri: v.uri,
          blockNumber: v.block_number,
          transactionHash: v.tx_hash,
          createdAt: new Date(v.created_at).toISOString(),
        })),
        listing: asset.listing
          ? {
              seller: asset.listing.seller,
              currency: asset.listing.currency,
              priceWei: asset.listing.price,
              active: asset.listing.active,
            }
          : null,
      };
    },
  );
}
