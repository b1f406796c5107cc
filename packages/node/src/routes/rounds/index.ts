/**
 * Federated runs (collaboration rounds, docs/training.md): a requester declares a run, reports each round's update
 * orders as its SDK finishes them, and anyone reads the timeline the node verified (`orders/rounds.ts`).
 *
 * | route | what it does |
 * | --- | --- |
 * | `POST /rounds` | declares a run: recipe, shards, rounds (the caller is its requester) |
 * | `POST /rounds/:id/entries` | reports round N's update orders; the node verifies each and aggregates them itself |
 * | `GET /rounds/:id` | the run and its verified rounds: loss and accuracy per round, aggregate hashes (public) |
 * | `GET /rounds` | the caller's runs, newest first |
 */
import { roundEntrySchema, roundRunSchema } from '@souk/protocol';
import type { FastifyInstance } from 'fastify';
import { createRoundRun, getRoundRun, listRoundRuns, recordRound } from '../../orders/rounds.ts';
import { uintString } from '../../schemas.ts';
import { authenticated as auth, problem } from '../common.ts';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export default async function roundRoutes(app: FastifyInstance) {
  app.post<{ Body: { recipeId: string; shards: number; rounds: number } }>(
    '/rounds',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['training'],
        summary: 'Declare a federated run (collaboration rounds): its recipe, shards and rounds',
        security: auth,
        body: {
          type: 'object',
          required: ['recipeId', 'shards', 'rounds'],
          additionalProperties: false,
          properties: {
            recipeId: uintString,
            shards: { type: 'integer', minimum: 1, maximum: 64 },
            rounds: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
        response: { 201: roundRunSchema, 400: problem, 401: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const run = await createRoundRun(app.souk, request.account as string, {
        recipeId: BigInt(request.body.recipeId),
        shards: request.body.shards,
        rounds: request.body.rounds,
      });
      return reply.status(201).send(run);
    },
  );

  app.post<{ Params: { id: string }; Body: { round: number; orders: string[] } }>(
    '/rounds/:id/entries',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['training'],
        summary: "Report a round's update orders: the node verifies each and records its own FedAvg aggregate",
        description:
          'Each order must be the caller’s, on the run’s recipe, verified, with a round input of this round that ' +
          'starts from the previous round’s aggregate and carries the same shard as in round 0, and a result whose ' +
          'weights hash to the weights hash its providers signed.',
        security: auth,
        params: idParams,
        body: {
          type: 'object',
          required: ['round', 'orders'],
          additionalProperties: false,
          properties: {
            round: { type: 'integer', minimum: 0, maximum: 999 },
            orders: {
              type: 'array',
              minItems: 1,
              maxItems: 64,
              items: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' },
            },
          },
        },
        response: {
          201: roundEntrySchema,
          400: problem,
          401: problem,
          403: problem,
          404: problem,
          409: problem,
          422: problem,
        },
      },
    },
    async (request, reply) => {
      const entry = await recordRound(app.souk, request.account as string, request.params.id, request.body);
      return reply.status(201).send(entry);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/rounds/:id',
    {
      schema: {
        tags: ['training'],
        summary: 'A federated run and its verified rounds (loss, accuracy, aggregate hash per round)',
        params: idParams,
        response: { 200: roundRunSchema, 404: problem },
      },
    },
    async (request) => getRoundRun(app.souk, request.params.id),
  );

  app.get(
    '/rounds',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['training'],
        summary: "The caller's federated runs, newest first",
        security: auth,
        response: {
          200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: roundRunSchema } } },
          401: problem,
        },
      },
    },
    async (request) => ({ items: await listRoundRuns(app.souk, request.account as string) }),
  );
}
