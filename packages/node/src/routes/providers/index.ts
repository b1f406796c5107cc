/**
 * Compute providers: what each advertised in its last heartbeat (hardware, price, pipelines, load, cached models)
 * joined with its on-chain record (stake, unbonding, reputation counters, slashes) from the index.
 */
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.ts';
import { address } from '../../schemas.ts';
import { problem } from '../common.ts';

export default async function providerRoutes(app: FastifyInstance) {
  const { db } = app.souk;

  async function describe(addresses?: string[]) {
    let q = db.selectFrom('providers').selectAll().orderBy('registered_block');
    if (addresses) q = q.where('address', 'in', addresses);
    const rows = await q.limit(500).execute();
    const live = app.souk.compute?.pool.live() ?? new Map();
    const payouts = await db
      .selectFrom('payouts')
      .select(['account'])
      .select((eb) => eb.fn.sum<string>('amount').as('earned'))
      .select((eb) => eb.fn.count<string>('job_id').as('jobs'))
      .where('role', '=', 'provider')
      .groupBy('account')
      .execute();
    const earned = new Map(payouts.map((p) => [p.account, p]));
    return rows.map((row) => {
      const beat = live.get(row.address);
      const completed = Number(row.completed);
      const failed = Number(row.failed);
      return {
        address: row.address,
        stakeWei: row.stake,
        unbondingWei: row.unbonding,
        unbondableAt: row.unbondable_at ? new Date(row.unbondable_at).toISOString() : null,
        completed,
        failed,
        slashed: Number(row.slashed),
        slashedWei: row.slashed_amount,
        // Beta(1,1)-smoothed success rate, as the scheduler's reputation factor (docs/scheduler.md).
        reputation: (completed + 1) / (completed + failed + 2),
        earnedWei: earned.get(row.address)?.earned ?? '0',
        paidJobs: Number(earned.get(row.address)?.jobs ?? 0),
        metadataUri: row.metadata_uri,
        online: beat !== undefined && Date.now() - beat.receivedAtMs < 10_000,
        heartbeat: beat ? { ...beat.message, receivedAt: new Date(beat.receivedAtMs).toISOString() } : null,
      };
    });
  }

  app.get(
    '/',
    {
      schema: {
        tags: ['providers'],
        summary: 'Registered providers with stake, reputation, earnings and their last heartbeat',
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    async () => ({ items: await describe() }),
  );

  app.get<{ Params: { address: string } }>(
    '/:address',
    {
      schema: {
        tags: ['providers'],
        summary: 'One provider',
        params: { type: 'object', required: ['address'], properties: { address } },
        response: { 200: { type: 'object', additionalProperties: true }, 404: problem },
      },
    },
    async (request) => {
      const [provider] = await describe([request.params.address.toLowerCase()]);
      if (!provider) throw new NotFoundError(`No provider ${request.params.address} in the index.`);
      return provider;
    },
  );
}
