/**
 * Reading assets from the index: list with filters, text search, sort and cursor pagination; detail with versions
 * and listing. Per-kind aliases (`/models`, `/agents`, `/datasets`) follow the seed's endpoint names.
 */
import { type Asset, type AssetDetail, assetDetailSchema } from '@souk/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidCursorError, InvalidQueryError } from '../../db/errors.ts';
import { type AssetRow, type AssetSort, cachedRead, getAsset, listAssets } from '../../db/queries.ts';
import { BadRequestError, NotFoundError } from '../../errors.ts';
import { address, uintString } from '../../schemas.ts';

const problem = { $ref: 'Problem#' } as const;
const nullableString = { type: ['string', 'null'] } as const;

/** Index row → API shape (`@souk/protocol`'s `Asset`, what the `Asset` schema serialises). */
export function toAsset(row: AssetRow): Asset {
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

/** `Cache-Control` of a response named by a CID: its bytes can never change. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Whether an `If-None-Match` request header matches an entity tag (RFC 9110 §13.1.2: weak comparison, `*`, lists).
 * @param header The request's `If-None-Match`, if any.
 * @param etag The current entity tag, quoted (e.g. `"bafk…"`).
 */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/**
 * Answers 304 Not Modified (with `ETag` and `Cache-Control`) when the request's `If-None-Match` matches `etag`;
 * otherwise sets nothing (set the headers on the 200 yourself, so an error is never sent with them).
 * @returns true when the 304 was sent (the handler must not send a body).
 */
export function notModified(request: FastifyRequest, reply: FastifyReply, etag: string, cacheControl: string): boolean {
  if (!ifNoneMatch(request.headers['if-none-match'], etag)) return false;
  reply.status(304).header('etag', etag).header('cache-control', cacheControl).send();
  return true;
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
          200: assetDetailSchema,
          404: problem,
        },
      },
    },
    async (request) => {
      const asset = await query(() => getAsset(db, { id: request.params.id }));
      if (!asset) throw new NotFoundError(`No asset ${request.params.id} in the index.`);
      const detail: AssetDetail = {
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
      return detail;
    },
  );

  app.get<{ Params: { cid: string } }>(
    '/manifests/:cid',
    {
      schema: {
        tags: ['assets'],
        summary: 'A published manifest by its CID: the stored bytes, cacheable forever',
        description:
          'Manifests this node wrote whose content is published as an asset. The bytes are the raw block the CID ' +
          'names (hash them to check), so the response is immutable: `ETag` is the quoted CID, `Cache-Control: ' +
          `${IMMUTABLE}\`, and \`If-None-Match\` with that tag answers 304 without a body.`,
        params: {
          type: 'object',
          required: ['cid'],
          properties: { cid: { type: 'string', pattern: '^b[a-z2-7]{20,200}$' } },
        },
        response: { 200: { type: 'object', additionalProperties: true }, 400: problem, 404: problem },
      },
    },
    async (request, reply) => {
      const { cid } = request.params;
      const published = await db
        .selectFrom('manifests')
        .innerJoin('content_bindings', 'content_bindings.upload_id', 'manifests.upload_id')
        .select('manifests.cid')
        .where('manifests.cid', '=', cid)
        .executeTakeFirst();
      if (!published) throw new NotFoundError(`No published manifest ${cid} on this node.`);
      const etag = `"${cid}"`;
      if (notModified(request, reply, etag, IMMUTABLE)) return reply;
      const bytes = await app.souk.storage.store.getRaw(cid).catch(() => {
        throw new NotFoundError(`Manifest ${cid} is not in this node's storage.`);
      });
      // The stored bytes themselves (not re-serialised), so that they hash to the CID. Cache headers only now: an
      // error must not be cached as immutable.
      return reply
        .header('etag', etag)
        .header('cache-control', IMMUTABLE)
        .type('application/json; charset=utf-8')
        .send(Buffer.from(bytes));
    },
  );
}
