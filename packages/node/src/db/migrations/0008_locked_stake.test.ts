/**
 * Migration 0008 on an index written before it: `StakeLocked`/`StakeUnlocked` rows stored without an entity get
 * their provider's, and `providers.locked_stake` is derived from them (and from the slashes after them) at once,
 * not only after the next reorg. On PGlite and on the machine's PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { providerRegistryAbi } from '@souk/contracts';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { encodeAbiParameters, encodeEventTopics, type Hex, pad, toHex } from 'viem';
import { migrateToLatest, openDatabase, type SoukDb } from '../index.ts';
import { postgresUnavailable, TEST_DATABASE_URL } from '../test-utils.ts';
import { migrationProvider, migrations } from './index.ts';

const names = Object.keys(migrations).sort();
const previous = names[names.indexOf('0008_locked_stake') - 1];
const PROVIDER = '0x00000000000000000000000000000000000a11ce';
const SLASH = 100n * 10n ** 18n;

const engines: Array<{
  name: string;
  skip: string | false;
  open: () => Promise<{ db: SoukDb; drop: () => Promise<void> }>;
}> = [
  {
    name: 'PGlite',
    skip: false,
    open: async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-mig8-'));
      const db = await openDatabase({ dataDir, migrate: false });
      return { db, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    skip: await postgresUnavailable(),
    open: async () => {
      const schema = `souk_mig8_${randomBytes(6).toString('hex')}`;
      const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema, migrate: false, poolSize: 2 });
      return {
        db,
        drop: async () => {
          const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
          await client.connect();
          await client.query(`drop schema if exists "${schema}" cascade`);
          await client.end();
        },
      };
    },
  },
];

/** A `chain_events` row of a ProviderRegistry event, as the indexer before 0008 stored it. */
async function storeEvent(
  db: SoukDb,
  logIndex: number,
  eventName: string,
  args: Record<string, unknown>,
  entity: string | null,
) {
  const event = providerRegistryAbi.find((item) => item.type === 'event' && item.name === eventName);
  if (event?.type !== 'event') throw new Error(`no event ${eventName}`);
  const topics = encodeEventTopics({ abi: [event], eventName, args } as never) as Hex[];
  const plain = event.inputs.filter((input) => !input.indexed);
  const data = encodeAbiParameters(
    plain,
    plain.map((input) => args[input.name as string]),
  );
  const jsonArgs = Object.fromEntries(
    Object.entries(args).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : String(v).toLowerCase()]),
  );
  await sql`insert into chain_events
      (tx_hash, log_index, block_number, block_hash, contract, address, event, entity, args, topics, data, timestamp)
    values (${pad(toHex(logIndex), { size: 32 })}, ${logIndex}, ${logIndex}, ${pad(toHex(logIndex), { size: 32 })},
      'providerRegistry', '0x00000000000000000000000000000000000000aa', ${eventName}, ${entity},
      ${JSON.stringify(jsonArgs)}, ${JSON.stringify(topics)}, ${data}, ${new Date(logIndex * 1000)})`.execute(db);
}

for (const engine of engines) {
  describe(`migration 0008 on ${engine.name}`, { skip: engine.skip }, () => {
    test('stake locks stored before it get their entity and providers.locked_stake is derived', async () => {
      const { db, drop } = await engine.open();
      try {
        const migrator = new Migrator({
          db,
          provider: migrationProvider,
          ...(db.schemaName ? { migrationTableSchema: db.schemaName } : {}),
        });
        assert.ifError((await migrator.migrateTo(previous)).error);
        const entity = `provider:${PROVIDER}`;
        await storeEvent(
          db,
          1,
          'ProviderRegistered',
          { provider: PROVIDER, stake: 3n * SLASH, metadataURI: 'x' },
          entity,
        );
        await storeEvent(db, 2, 'StakeLocked', { provider: PROVIDER, amount: SLASH, locked: SLASH }, null);
        await storeEvent(db, 3, 'StakeLocked', { provider: PROVIDER, amount: SLASH, locked: 2n * SLASH }, null);
        await storeEvent(db, 4, 'StakeUnlocked', { provider: PROVIDER, amount: SLASH, locked: SLASH }, null);
        await storeEvent(db, 5, 'StakeLocked', { provider: PROVIDER, amount: SLASH, locked: 2n * SLASH }, null);
        // A slash for one fault releases the lock that backed it.
        const reason = pad('0x01', { size: 32 });
        await storeEvent(db, 6, 'Slashed', { provider: PROVIDER, requested: SLASH, slashed: SLASH, reason }, entity);
        await sql`insert into providers (address, stake, unbonding, metadata_uri, slashed, slashed_amount,
            registered_block, updated_block)
          values (${PROVIDER}, ${(2n * SLASH).toString()}, 0, 'x', 1, ${SLASH.toString()}, 1, 6)`.execute(db);

        assert.deepEqual(await migrateToLatest(db), names.slice(names.indexOf('0008_locked_stake')));

        const row = await db
          .selectFrom('providers')
          .select(['stake', 'locked_stake', 'slashed'])
          .where('address', '=', PROVIDER)
          .executeTakeFirstOrThrow();
        assert.deepEqual(
          { stake: String(row.stake), locked: String(row.locked_stake), slashed: Number(row.slashed) },
          { stake: (2n * SLASH).toString(), locked: SLASH.toString(), slashed: 1 },
        );
        const entities = await db
          .selectFrom('chain_events')
          .select('entity')
          .where('event', 'in', ['StakeLocked', 'StakeUnlocked'])
          .execute();
        assert.deepEqual(
          entities.map((e) => e.entity),
          [entity, entity, entity, entity],
        );
      } finally {
        await db.close();
        await drop();
      }
    });
  });
}
