/**
 * Stake locks as the node sees them: the indexer folds `StakeLocked`/`StakeUnlocked`/`Slashed` into
 * `providers.locked_stake` (also when an entity is rebuilt after a reorg), and the provider pool leaves out a
 * provider whose free stake (stake − locked) is below the minimum asked for (`snapshots({ minFreeStakeWei })`).
 *
 * A unit test over a real index (PGlite and PostgreSQL): the logs are ABI-encoded ProviderRegistry logs, decoded and
 * recorded exactly as the indexer does; the pool reads the index it writes. No chain, no fake chain reader.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { computeEscrowAbi, providerRegistryAbi } from '@souk/contracts';
import type { HeartbeatMessage } from '@souk/protocol';
import { type Address, encodeAbiParameters, encodeEventTopics, type Hex, type Log, pad, toHex } from 'viem';
import type { SoukDb } from '../db/index.ts';
import { dbVariants } from '../db/test-utils.ts';
import { rebuildEntities, recordEvent } from '../indexer/apply.ts';
import { decodeSoukLog } from '../indexer/events.ts';
import { createProviderPool } from './providerPool.ts';

const REGISTRY = '0x00000000000000000000000000000000000000aa' as Address;
const ALICE = '0x00000000000000000000000000000000000a11ce' as Address;
const BOB = '0x0000000000000000000000000000000000000b0b' as Address;
const SOUK = 10n ** 18n;
const SLASH = 100n * SOUK;

let logIndex = 0;
/** An ABI-encoded ProviderRegistry (or, with `abi`, ComputeEscrow) log at `block`. */
function registryLog(
  block: number,
  eventName: string,
  args: Record<string, unknown>,
  abi: typeof providerRegistryAbi | typeof computeEscrowAbi = providerRegistryAbi,
): Log {
  const event = (abi as readonly { type: string; name?: string }[]).find(
    (item) => item.type === 'event' && item.name === eventName,
  ) as (typeof providerRegistryAbi)[number] | undefined;
  if (event?.type !== 'event') throw new Error(`no event ${eventName}`);
  const topics = encodeEventTopics({ abi: [event], eventName, args } as never) as [Hex, ...Hex[]];
  const data = encodeAbiParameters(
    event.inputs.filter((input) => !input.indexed),
    event.inputs.filter((input) => !input.indexed).map((input) => args[input.name as string]),
  );
  logIndex += 1;
  return {
    address: REGISTRY,
    topics,
    data,
    blockNumber: BigInt(block),
    blockHash: pad(toHex(block), { size: 32 }),
    transactionHash: pad(toHex(logIndex), { size: 32 }),
    logIndex,
    transactionIndex: 0,
    removed: false,
  } as Log;
}

async function index(db: SoukDb, logs: Log[], contract: 'providerRegistry' | 'computeEscrow' = 'providerRegistry') {
  await db.transaction().execute(async (trx) => {
    for (const log of logs) {
      const event = decodeSoukLog(log, contract, new Date(Number(log.blockNumber) * 1000));
      assert.ok(event, 'the ABI knows the event');
      await recordEvent(trx, event, log);
    }
  });
}

const lockedOf = async (db: SoukDb, provider: Address) =>
  (
    await db
      .selectFrom('providers')
      .select(['stake', 'locked_stake'])
      .where('address', '=', provider.toLowerCase())
      .executeTakeFirstOrThrow()
  ).locked_stake.toString();

function heartbeat(address: Address, operator: string): HeartbeatMessage {
  return {
    address,
    operator,
    priceWei: '1000',
    runtimes: ['onnxruntime@1.30.0'],
    pipelines: ['image-classification'],
    executionProviders: ['cpu'],
    memoryBytes: 8 * 2 ** 30,
    cpu: 'test',
    gpus: [],
    maxConcurrency: 4,
    running: 0,
    latencyMs: null,
    cachedModels: [],
    sentAtMs: Date.now(),
  };
}

for (const variant of await dbVariants()) {
  describe(`stake locks in the index and the provider pool (${variant.name})`, { skip: variant.skip }, () => {
    let db: SoukDb;
    before(async () => {
      db = await variant.open();
    });
    after(async () => {
      await variant.dispose(db);
    });

    test('StakeLocked / StakeUnlocked / Slashed fold into providers.locked_stake, and a rebuild replays them', async () => {
      const reason = pad('0x01', { size: 32 });
      await index(db, [
        registryLog(1, 'ProviderRegistered', { provider: ALICE, stake: 2n * SLASH, metadataURI: 'ipfs://a' }),
        registryLog(1, 'ProviderRegistered', { provider: BOB, stake: 3n * SLASH, metadataURI: 'ipfs://b' }),
        // Two open jobs lock all of Alice's stake; Bob has one.
        registryLog(2, 'StakeLocked', { provider: ALICE, amount: SLASH, locked: SLASH }),
        registryLog(2, 'StakeLocked', { provider: ALICE, amount: SLASH, locked: 2n * SLASH }),
        registryLog(2, 'StakeLocked', { provider: BOB, amount: SLASH, locked: SLASH }),
      ]);
      assert.equal(await lockedOf(db, ALICE), (2n * SLASH).toString());
      assert.equal(await lockedOf(db, BOB), SLASH.toString());

      // Bob's job settles (unlock); Alice is slashed for one fault: the lock that backed it is released.
      await index(db, [
        registryLog(3, 'StakeUnlocked', { provider: BOB, amount: SLASH, locked: 0n }),
        registryLog(3, 'Slashed', { provider: ALICE, requested: SLASH, slashed: SLASH, reason }),
      ]);
      assert.equal(await lockedOf(db, BOB), '0');
      assert.equal(await lockedOf(db, ALICE), SLASH.toString());

      // A reorg rebuild re-derives the provider from its events alone: the locks must be among them.
      await db.transaction().execute((trx) => rebuildEntities(trx, [`provider:${ALICE.toLowerCase()}`]));
      assert.equal(await lockedOf(db, ALICE), SLASH.toString());
      await db.transaction().execute((trx) => rebuildEntities(trx, [`provider:${BOB.toLowerCase()}`]));
      assert.equal(await lockedOf(db, BOB), '0');
    });

    test('governance parameter events are recorded (no entity) and change no state row', async () => {
      const before = await db.selectFrom('providers').selectAll().orderBy('address').execute();
      await index(db, [registryLog(20, 'MinUnbondingPeriodSet', { period: 86_400n })]);
      await index(
        db,
        [
          registryLog(20, 'DisputePeriodSet', { period: 3_600n }, computeEscrowAbi),
          registryLog(20, 'SlashAmountSet', { amount: SLASH }, computeEscrowAbi),
        ],
        'computeEscrow',
      );
      const stored = await db
        .selectFrom('chain_events')
        .select(['event', 'entity', 'args'])
        .where('block_number', '=', 20)
        .orderBy('log_index')
        .execute();
      assert.deepEqual(
        stored.map((row) => [row.event, row.entity, row.args]),
        [
          ['MinUnbondingPeriodSet', null, { period: '86400' }],
          ['DisputePeriodSet', null, { period: '3600' }],
          ['SlashAmountSet', null, { amount: SLASH.toString() }],
        ],
      );
      assert.deepEqual(await db.selectFrom('providers').selectAll().orderBy('address').execute(), before);
    });

    test('a provider whose stake is all locked by open jobs is not offered for a job locking the slash amount', async () => {
      const carol = '0x00000000000000000000000000000000000ca401' as Address;
      const dave = '0x00000000000000000000000000000000000da7e0' as Address;
      await index(db, [
        registryLog(10, 'ProviderRegistered', { provider: carol, stake: 2n * SLASH, metadataURI: 'ipfs://c' }),
        registryLog(10, 'ProviderRegistered', { provider: dave, stake: 2n * SLASH, metadataURI: 'ipfs://d' }),
        registryLog(11, 'StakeLocked', { provider: carol, amount: SLASH, locked: SLASH }),
        registryLog(11, 'StakeLocked', { provider: carol, amount: SLASH, locked: 2n * SLASH }),
        registryLog(11, 'StakeLocked', { provider: dave, amount: SLASH, locked: SLASH }),
      ]);
      const pool = createProviderPool(db);
      pool.heartbeat(heartbeat(carol, 'carol'));
      pool.heartbeat(heartbeat(dave, 'dave'));

      const all = await pool.snapshots();
      const byAddress = new Map(all.map((s) => [s.address, s]));
      assert.deepEqual(
        {
          stake: byAddress.get(carol)?.stake,
          locked: byAddress.get(carol)?.lockedStake,
          free: byAddress.get(carol)?.freeStake,
        },
        { stake: 2n * SLASH, locked: 2n * SLASH, free: 0n },
      );
      assert.equal(byAddress.get(dave)?.freeStake, SLASH);

      const offered = await pool.snapshots({ minFreeStakeWei: SLASH });
      assert.deepEqual(
        offered.map((s) => s.address),
        [dave],
        'Carol (0 free) is left out, Dave (exactly the slash amount free) stays',
      );
      assert.deepEqual(await pool.snapshots({ minFreeStakeWei: SLASH + 1n }), []);

      // One of Carol's jobs settles: she can take a job again.
      await index(db, [registryLog(12, 'StakeUnlocked', { provider: carol, amount: SLASH, locked: SLASH })]);
      assert.deepEqual(
        (await pool.snapshots({ minFreeStakeWei: SLASH })).map((s) => s.address).sort(),
        [carol, dave].sort(),
      );
    });
  });
}
