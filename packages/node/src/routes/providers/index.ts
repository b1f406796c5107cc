/**
 * Compute providers: what each advertised in its last heartbeat (hardware, price, pipelines, load, cached models)
 * joined with its on-chain record (stake, stake locked by open assignments, unbonding, reputation counters, slashes)
 * from the index.
 */
import type { FastifyInstance } from 'fastify';
import { cachedRead, listProviders } from '../../db/queries.ts';
import { NotFoundError } from '../../errors.ts';
import { address } from '../../schemas.ts';
import { query } from '../assets/read.ts';
import { problem } from '../common.ts';

const wei = { type: 'string', description: 'wei, decimal' } as const;
/** One provider: its indexed on-chain record and its last heartbeat (null when none was received). */
const providerSchema = {
  type: 'object',
  properties: {
    address: { type: 'string' },
    stakeWei: wei,
    lockedStakeWei: { type: 'string', description: 'wei, decimal: stake locked by open assignments' },
    freeStakeWei: {
      type: 'string',
      description: 'wei, decimal: stake − locked; a job is only assigned when this covers its slash amount',
    },
    unbondingWei: wei,
    unbondableAt: { type: ['string', 'null'], description: 'ISO 8601' },
    completed: { type: 'integer' },
    failed: { type: 'integer' },
    slashed: { type: 'integer' },
    slashedWei: wei,
    reputation: { type: 'number', description: 'Beta(1,1)-smoothed success rate, 0…1' },
    earnedWei: wei,
    paidJobs: { type: 'integer' },
    metadataUri: { type: 'string' },
    online: { type: 'boolean' },
    heartbeat: {
      type: ['object', 'null'],
      additionalProperties: true,
      description: 'the provider-signed heartbeat as received, plus receivedAt (ISO 8601)',
    },
  },
} as const;

export default async function providerRoutes(app: FastifyInstance) {
  const { db } = app.souk;

  /** Index rows (a page) joined with the providers' last heartbeats. */
  async function describe(parameters: { addresses?: string[]; limit?: number; cursor?: string }) {
    const page = await query(() =>
      cachedRead(db, `providers:${JSON.stringify(parameters)}`, () => listProviders(db, parameters)),
    );
    const live = app.souk.orders?.pool.live() ?? new Map();
    const items = page.items.map((row) => {
      const beat = live.get(row.address);
      const completed = Number(row.completed);
      const failed = Number(row.failed);
      return {
        address: row.address,
        stakeWei: row.stake,
        lockedStakeWei: row.locked_stake,
        freeStakeWei: (BigInt(row.stake) > BigInt(row.locked_stake)
          ? BigInt(row.stake) - BigInt(row.locked_stake)
          : 0n
        ).toString(),
        unbondingWei: row.unbonding,
        unbondableAt: row.unbondable_at ? new Date(row.unbondable_at).toISOString() : null,
        completed,
        failed,
        slashed: Number(row.slashed),
        slashedWei: row.slashed_amount,
        // Beta(1,1)-smoothed success rate, as the scheduler's reputation factor (docs/scheduler.md).
        reputation: (completed + 1) / (completed + failed + 2),
        earnedWei: row.earned,
        paidJobs: row.paid_jobs,
        metadataUri: row.metadata_uri,
        online: beat !== undefined && Date.now() - beat.receivedAtMs < 10_000,
        heartbeat: beat ? { ...beat.message, receivedAt: new Date(beat.receivedAtMs).toISOString() } : null,
      };
    });
    return { items, nextCursor: page.nextCursor };
  }

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/',
    {
      schema: {
        tags: ['providers'],
        summary: 'Registered providers (registration order) with stake, reputation, earnings and their last heartbeat',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 500 },
            cursor: { type: 'string', maxLength: 512, description: 'nextCursor of the previous page' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: providerSchema }, nextCursor: { type: ['string', 'null'] } },
          },
          400: problem,
        },
      },
    },
    async (request) => describe(request.query),
  );

  app.get<{ Params: { address: string } }>(
    '/:address',
    {
      schema: {
        tags: ['providers'],
        summary: 'One provider',
        params: { type: 'object', required: ['address'], properties: { address } },
        response: { 200: providerSchema, 400: problem, 404: problem },
      },
    },
    async (request) => {
      const {
        items: [provider],
      } = await describe({ addresses: [request.params.address] });
      if (!provider) throw new NotFoundError(`No provider ${request.params.address} in the index.`);
      return provider;
    },
  );
}
