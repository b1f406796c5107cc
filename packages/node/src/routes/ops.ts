/**
 * Operations endpoints: liveness, readiness, build info and Prometheus metrics. Not versioned: load balancers
 * and scrapers expect them at fixed paths.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';

const nodeVersion = '0.1.0';

export default async function opsRoutes(app: FastifyInstance) {
  app.get(
    '/health',
    {
      schema: {
        tags: ['ops'],
        summary: 'Liveness: the process is up',
        response: { 200: { type: 'object', properties: { status: { type: 'string', const: 'ok' } } } },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['ops'],
        summary: 'Readiness: chain, database and storage reachable',
        response: {
          200: { $ref: 'Readiness#' },
          503: { $ref: 'Readiness#' },
        },
      },
    },
    async (_request, reply) => {
      const { chain, db, storage } = app.souk;
      const check = async (probe: () => Promise<unknown>) => {
        try {
          await probe();
          return true;
        } catch {
          return false;
        }
      };
      const checks = {
        chain: await check(() => chain.publicClient.getBlockNumber({ cacheTime: 0 })),
        database: await check(() => sql`select 1`.execute(db)),
        storage: await check(async () => {
          if (!(await storage.store.ping())) throw new Error('storage down');
        }),
      };
      const ready = Object.values(checks).every(Boolean);
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'degraded', checks });
    },
  );

  app.get(
    '/info',
    {
      schema: {
        tags: ['ops'],
        summary: 'Versions, chain and contract addresses',
        response: { 200: { $ref: 'Info#' } },
      },
    },
    async () => {
      const { chain, config, indexer } = app.souk;
      return {
        version: nodeVersion,
        node: process.version,
        chainId: chain.deployment.chainId,
        rpcUrl: chain.rpcUrl,
        devnet: chain.devnet,
        contracts: chain.deployment.contracts,
        stablecoin: chain.deployment.stablecoin ?? null,
        deploymentBlock: chain.deployment.blockNumber,
        database: config.databaseUrl ? 'postgresql' : 'pglite',
        storage: config.kuboApiUrl ? 'kubo' : 'helia',
        jobBus: config.natsUrl ? 'nats' : 'in-process',
        indexerLag: indexer ? await indexer.lag() : null,
      };
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: false } },
    async (_req, reply) => {
      const { metrics } = app.souk;
      return reply.type(metrics.contentType).send(await metrics.metrics());
    },
  );
}
