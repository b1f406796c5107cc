/**
 * Analytics from the index: market volume, top assets, licences over time, compute orders settled on-chain, provider
 * statistics.
 */
import type { FastifyInstance } from 'fastify';
import {
  type Bucket,
  licencesOverTime,
  marketVolume,
  ordersOverTime,
  providerStats,
  topAssets,
} from '../../db/queries.ts';
import { address } from '../../schemas.ts';
import { query } from '../assets/read.ts';
import { problem } from '../common.ts';

/** Rows are plain records; amounts are wei decimal strings, times ISO 8601. */
const rows = {
  type: 'object',
  properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } },
} as const;
const bucketQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    bucket: { type: 'string', enum: ['hour', 'day'], default: 'day' },
    since: { type: 'string', format: 'date-time' },
  },
} as const;

/** Dates → ISO strings, bigints → decimal strings, recursively (JSON-safe). */
const plain = <T>(value: T): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));

export default async function analyticsRoutes(app: FastifyInstance) {
  const { db } = app.souk;

  app.get<{ Querystring: { bucket: Bucket; since?: string } }>(
    '/volume',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Sales and licence volume per time bucket and currency',
        querystring: bucketQuery,
        response: { 200: rows, 400: problem },
      },
    },
    async (request) => ({
      items: plain(
        await query(() =>
          marketVolume(db, {
            bucket: request.query.bucket,
            since: request.query.since ? new Date(request.query.since) : undefined,
          }),
        ),
      ),
    }),
  );

  app.get<{ Querystring: { limit: number; currency?: string } }>(
    '/top-assets',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Assets with the most volume (sales + licences) in one currency',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 }, currency: address },
        },
        response: { 200: rows, 400: problem },
      },
    },
    async (request) => ({ items: plain(await query(() => topAssets(db, request.query))) }),
  );

  app.get<{ Querystring: { bucket: Bucket; since?: string } }>(
    '/licences',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Licence purchases over time',
        querystring: bucketQuery,
        response: { 200: rows, 400: problem },
      },
    },
    async (request) => ({
      items: plain(
        await query(() =>
          licencesOverTime(db, {
            bucket: request.query.bucket,
            since: request.query.since ? new Date(request.query.since) : undefined,
          }),
        ),
      ),
    }),
  );

  app.get<{ Querystring: { bucket: Bucket; since?: string } }>(
    '/orders',
    {
      schema: {
        tags: ['analytics'],
        summary:
          'Signed orders (compute protocol v2) settled per time bucket and currency: count, volume (wei), disputes, slashings, acceptance→settlement percentiles (s)',
        querystring: bucketQuery,
        response: { 200: rows, 400: problem },
      },
    },
    async (request) => ({
      items: plain(
        await query(() =>
          ordersOverTime(db, {
            bucket: request.query.bucket,
            since: request.query.since ? new Date(request.query.since) : undefined,
          }),
        ),
      ),
    }),
  );

  app.get<{ Querystring: { limit: number } }>(
    '/providers',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Provider totals (stake, jobs, slashing) and a leaderboard',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              totals: { type: 'object', additionalProperties: true },
              providers: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
          400: problem,
        },
      },
    },
    async (request) => plain(await query(() => providerStats(db, request.query))),
  );
}
