/**
 * `GET /api/v1/providers`: keyset pages in registration order, earnings of the page's providers (their share of the
 * orders settled on-chain), the response schema (only its fields leave the node), 400 on a bad cursor, and the
 * read-model cache dropped on an index write.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { SoukDb } from '../../db/index.ts';
import { invalidateReads } from '../../db/queries.ts';
import { dbVariants } from '../../db/test-utils.ts';
import problem from '../../plugins/problem.ts';
import { addSchemas } from '../../schemas.ts';
import type { NodeServices } from '../../services.ts';
import providerRoutes from './index.ts';

const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

async function addProvider(db: SoukDb, n: number, block: number) {
  await db
    .insertInto('providers')
    .values({
      address: addr(n),
      stake: String(n * 1000),
      unbonding: '0',
      metadata_uri: `ipfs://p${n}`,
      completed: n,
      failed: 1,
      registered_block: block,
      updated_block: block,
    })
    .execute();
}

for (const variant of await dbVariants()) {
  describe(`GET /api/v1/providers (${variant.name})`, { skip: variant.skip }, () => {
    let db: SoukDb;
    let app: FastifyInstance;
    before(async () => {
      db = await variant.open();
      // Registered at blocks 5, 5, 3: the order is block, then address.
      await addProvider(db, 2, 5);
      await addProvider(db, 1, 5);
      await addProvider(db, 3, 3);
      // The split in force (8,000 bps to the providers), then two orders settled on-chain: 1,750 wei split between
      // providers 1 and 2 (700 each), 875 wei to provider 1 alone (700).
      await db
        .insertInto('chain_events')
        .values({
          tx_hash: `0x${'01'.repeat(32)}`,
          log_index: 0,
          block_number: 1,
          block_hash: `0x${'01'.repeat(32)}`,
          contract: 'computeEscrow',
          address: addr(99),
          event: 'RevenueSplitSet',
          entity: null,
          args: JSON.stringify({ providerBps: '8000', treasuryBps: '1500', creatorBps: '500' }),
          topics: '[]',
          data: '0x',
          timestamp: new Date(),
        })
        .execute();
      await db
        .insertInto('order_settlements')
        .values(
          [
            { amount: '1750', paid: [addr(1), addr(2)] },
            { amount: '875', paid: [addr(1)] },
          ].map(({ amount, paid }, i) => ({
            tx_hash: `0x${(i + 2).toString(16).padStart(64, '0')}`,
            log_index: 0,
            order_hash: `0x${(i + 1).toString(16).padStart(64, '0')}`,
            kind: 'batch' as const,
            requester: addr(50),
            model_id: '1',
            currency: addr(0),
            amount,
            result_hash: `0x${'cd'.repeat(32)}`,
            paid: JSON.stringify(paid),
            slashed: '[]',
            block_number: 10 + i,
            timestamp: new Date(),
          })),
        )
        .execute();
      app = Fastify({ logger: false });
      app.decorate('souk', { db } as unknown as NodeServices);
      addSchemas(app);
      await app.register(problem);
      await app.register(providerRoutes, { prefix: '/api/v1/providers' });
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await variant.dispose(db);
    });

    const get = async (url: string) => {
      const response = await app.inject({ method: 'GET', url });
      return { status: response.statusCode, body: response.json() };
    };

    test('pages through providers in registration order with cursors', async () => {
      const first = await get('/api/v1/providers?limit=2');
      assert.equal(first.status, 200);
      assert.deepEqual(
        first.body.items.map((p: { address: string }) => p.address),
        [addr(3), addr(1)],
      );
      assert.equal(typeof first.body.nextCursor, 'string');
      const second = await get(`/api/v1/providers?limit=2&cursor=${first.body.nextCursor}`);
      assert.deepEqual(
        second.body.items.map((p: { address: string }) => p.address),
        [addr(2)],
      );
      assert.equal(second.body.nextCursor, null);
    });

    test('earnings are the page providers’ own, and only schema fields are sent', async () => {
      const { body } = await get('/api/v1/providers');
      const byAddress = new Map(body.items.map((p: { address: string }) => [p.address, p]));
      assert.deepEqual(
        [addr(1), addr(2), addr(3)].map((a) => {
          const p = byAddress.get(a) as { earnedWei: string; paidJobs: number };
          return [p.earnedWei, p.paidJobs];
        }),
        [
          ['1400', 2],
          ['700', 1],
          ['0', 0],
        ],
      );
      const one = byAddress.get(addr(1)) as Record<string, unknown>;
      assert.equal(one.registered_block, undefined, 'index columns do not leak past the response schema');
      assert.equal(one.stakeWei, '1000');
      assert.equal(one.heartbeat, null);
    });

    test('GET /:address finds one provider and 404s an unknown one', async () => {
      const unknown = await get(`/api/v1/providers/${addr(10)}`);
      assert.equal(unknown.status, 404);
      const one = await get(`/api/v1/providers/${addr(3)}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.address, addr(3));
    });

    test('a malformed cursor is a 400 problem', async () => {
      const bad = Buffer.from(JSON.stringify({ s: 'providers', k: [1, 'not-an-address'] })).toString('base64url');
      const { status, body } = await get(`/api/v1/providers?cursor=${bad}`);
      assert.equal(status, 400);
      assert.match(body.detail, /malformed id/);
    });

    test('a provider indexed after a cached page shows once the index write invalidates the cache', async () => {
      const before = await get('/api/v1/providers');
      assert.equal(before.body.items.length, 3);
      await addProvider(db, 4, 9);
      invalidateReads(); // what the indexer does after committing a batch
      const afterWrite = await get('/api/v1/providers');
      assert.equal(afterWrite.body.items.length, 4);
    });
  });
}
