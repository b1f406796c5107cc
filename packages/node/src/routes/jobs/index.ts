/**
 * Compute jobs, as indexed: status, assignments, commit–reveal events and payouts. (Submitting and running jobs
 * through the node arrives with the compute issue; jobs submitted on-chain already show here.)
 */
import type { FastifyInstance } from 'fastify';
import { getJob } from '../../db/queries.ts';
import { NotFoundError } from '../../errors.ts';
import { uintString } from '../../schemas.ts';
import { query } from '../assets/read.ts';

export default async function jobRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'A job with its providers, events and payouts (wei as decimal strings)',
        params: { type: 'object', required: ['id'], properties: { id: uintString } },
        response: { 200: { type: 'object', additionalProperties: true }, 404: { $ref: 'Problem#' } },
      },
    },
    async (request) => {
      const job = await query(() => getJob(app.souk.db, { id: request.params.id }));
      if (!job) throw new NotFoundError(`No job ${request.params.id} in the index.`);
      return JSON.parse(JSON.stringify(job, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    },
  );
}
