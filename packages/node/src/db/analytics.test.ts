/**
 * Analytics over compute orders and providers: `ordersOverTime` sums the signed orders settled on-chain per currency
 * and counts disputes and slashings, `providerStats` totals the stake locked by open assignments, and the provider
 * counters and earnings come from the indexed ComputeEscrow events: one more `completed` per `JobSettled` that pays
 * a provider, one more `failed` per `DisputeSettled` that slashes it, and `listProviders` earnings of
 * `amount * providerBps / 10_000 / r` per paid order, with the split in force at that settlement.
 * On PGlite and on the machine's PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { computeEscrowAbi, providerRegistryAbi } from '@souk/contracts';
import { type Address, encodeAbiParameters, encodeEventTopics, type Hex, type Log, pad, toHex } from 'viem';
import { rebuildState, recordEvent } from '../indexer/apply.ts';
import { decodeSoukLog } from '../indexer/events.ts';
import type { SoukDb } from './index.ts';
import { listProviders, ordersOverTime, providerStats } from './queries.ts';
import { dbVariants } from './test-utils.ts';

let logIndex = 0;
let chainLogIndex = 0;
/** An ABI-encoded log of `contract` at `block`, decoded and recorded exactly as the indexer does. */
async function indexLog(
  db: SoukDb,
  contract: 'providerRegistry' | 'computeEscrow',
  block: number,
  eventName: string,
  args: Record<string, unknown>,
) {
  const abi = contract === 'computeEscrow' ? computeEscrowAbi : providerRegistryAbi;
  const event = (abi as readonly { type: string; name?: string }[]).find(
    (item) => item.type === 'event' && item.name === eventName,
  ) as (typeof computeEscrowAbi)[number] | undefined;
  if (event?.type !== 'event') throw new Error(`no event ${eventName}`);
  const inputs = event.inputs.filter((input) => !input.indexed);
  chainLogIndex += 1;
  const log = {
    address: `0x${(contract === 'computeEscrow' ? 'e5' : 'aa').repeat(20)}`,
    topics: encodeEventTopics({ abi: [event], eventName, args } as never) as [Hex, ...Hex[]],
    data: encodeAbiParameters(
      inputs,
      inputs.map((input) => args[input.name as string]),
    ),
    blockNumber: BigInt(block),
    blockHash: pad(toHex(block), { size: 32 }),
    transactionHash: pad(toHex(1_000_000 + chainLogIndex), { size: 32 }),
    logIndex: chainLogIndex,
    transactionIndex: 0,
    removed: false,
  } as Log;
  const decoded = decodeSoukLog(log, contract, new Date(block * 1000));
  assert.ok(decoded, `the ABI knows ${eventName}`);
  await db.transaction().execute((trx) => recordEvent(trx, decoded, log));
}

/** An `order_settlements` row, as the indexer writes one per ComputeEscrow `JobSettled` / `DisputeSettled` log. */
async function settlement(
  db: SoukDb,
  orderHash: string,
  at: string,
  row: { kind?: 'batch' | 'dispute'; currency?: string; amount?: bigint; slashed?: string[] } = {},
) {
  logIndex += 1;
  const batch = (row.kind ?? 'batch') === 'batch';
  await db
    .insertInto('order_settlements')
    .values({
      tx_hash: `0x${logIndex.toString(16).padStart(64, '0')}`,
      log_index: logIndex,
      order_hash: orderHash,
      kind: row.kind ?? 'batch',
      requester: batch ? `0x${'88'.repeat(20)}` : null,
      model_id: batch ? '1' : null,
      currency: batch ? (row.currency ?? `0x${'00'.repeat(20)}`) : null,
      amount: batch ? String(row.amount ?? 0n) : null,
      result_hash: `0x${'cd'.repeat(32)}`,
      paid: JSON.stringify([`0x${'66'.repeat(20)}`]),
      slashed: JSON.stringify(row.slashed ?? []),
      block_number: logIndex,
      timestamp: new Date(at),
    })
    .execute();
}

for (const variant of await dbVariants()) {
  describe(`compute analytics (${variant.name})`, { skip: variant.skip }, () => {
    let db: SoukDb;
    before(async () => {
      db = await variant.open();
    });
    after(async () => {
      await variant.dispose(db);
    });

    test('ordersOverTime sums settled orders per currency and counts disputes and slashings', async () => {
      const native = `0x${'00'.repeat(20)}`;
      const usd = `0x${'aa'.repeat(20)}`;
      const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
      // Order 1 was accepted by this market's node at 10:00:00 and settled at 10:00:04.
      await db
        .insertInto('orders')
        .values({
          order_hash: hash(1),
          requester: `0x${'88'.repeat(20)}`,
          model_id: '1',
          model_version: 0,
          input_hash: hash(0),
          input_cid: 'bafkqaaa',
          input_size: 0,
          currency: native,
          max_price: '100',
          amount: '80',
          redundancy: 2,
          deadline: 0,
          nonce: '1',
          requester_signature: '0x',
          phase: 'settled',
          state: '{}',
          created_at: new Date('2026-11-03T10:00:00Z'),
        })
        .execute();
      await settlement(db, hash(1), '2026-11-03T10:00:04Z', { amount: 80n });
      await settlement(db, hash(2), '2026-11-03T11:00:00Z', { amount: 20n });
      await settlement(db, hash(3), '2026-11-03T12:00:00Z', { amount: 7n, currency: usd });
      // Order 2 was also disputed: the referee paid one provider and slashed two.
      await settlement(db, hash(2), '2026-11-03T11:05:00Z', { kind: 'dispute', slashed: ['0x1', '0x2'] });

      const rows = await ordersOverTime(db, { bucket: 'day', since: new Date('2026-11-03T00:00:00Z') });
      assert.deepEqual(
        rows.map(({ bucket, latencyP50, latencyP95, ...row }) => ({ bucket: bucket.toISOString(), ...row })),
        [
          { bucket: '2026-11-03T00:00:00.000Z', currency: native, settled: 2, volume: '100', disputed: 1, slashed: 2 },
          { bucket: '2026-11-03T00:00:00.000Z', currency: usd, settled: 1, volume: '7', disputed: 0, slashed: 0 },
        ],
      );
      assert.equal(rows[0].latencyP50, 4, 'acceptance → settlement of the one order this market accepted');
      assert.equal(rows[1].latencyP50, null);
      assert.deepEqual(await ordersOverTime(db, { bucket: 'day', since: new Date('2026-11-04T00:00:00Z') }), []);
    });

    test('providerStats totals the stake locked by open assignments', async () => {
      for (const [n, stake, locked] of [
        [1, 300n, 200n],
        [2, 500n, 0n],
        [3, 100n, 100n],
      ] as const) {
        await db
          .insertInto('providers')
          .values({
            address: `0x${n.toString(16).padStart(40, '0')}`,
            stake: stake.toString(),
            locked_stake: locked.toString(),
            unbonding: '0',
            metadata_uri: `ipfs://p${n}`,
            registered_block: n,
            updated_block: n,
          })
          .execute();
      }
      const { totals, providers } = await providerStats(db);
      assert.equal(totals.stake, '900');
      assert.equal(totals.locked, '300');
      assert.deepEqual(providers.map((p) => [p.address.slice(-1), String(p.locked_stake)]).sort(), [
        ['1', '200'],
        ['2', '0'],
        ['3', '100'],
      ]);
    });

    test('JobSettled / DisputeSettled count completed / failed, and earnings are amount·providerBps/10 000/r per paid order with the split in force', async () => {
      const [p1, p2, p3] = ['0a', '0b', '0c'].map((n) => `0x${n.repeat(20)}` as Address);
      const requester = `0x${'77'.repeat(20)}` as Address;
      const native = `0x${'00'.repeat(20)}` as Address;
      const orderHash = (n: number) => pad(toHex(0xf00 + n), { size: 32 });
      const result = pad('0xc0ffee', { size: 32 });
      const split = (block: number, providerBps: number, treasuryBps: number) =>
        indexLog(db, 'computeEscrow', block, 'RevenueSplitSet', { providerBps, treasuryBps, creatorBps: 500 });
      const settled = (block: number, n: number, amount: bigint, providers: Address[]) =>
        indexLog(db, 'computeEscrow', block, 'JobSettled', {
          orderHash: orderHash(n),
          requester,
          modelId: 1n,
          currency: native,
          amount,
          resultHash: result,
          providers,
        });
      const disputed = (block: number, n: number, paid: Address[], slashed: Address[]) =>
        indexLog(db, 'computeEscrow', block, 'DisputeSettled', {
          orderHash: orderHash(n),
          correctResultHash: result,
          paid,
          slashed,
        });

      for (const p of [p1, p2, p3]) {
        await indexLog(db, 'providerRegistry', 100, 'ProviderRegistered', {
          provider: p,
          stake: 1000n,
          metadataURI: `ipfs://${p}`,
        });
      }
      await split(100, 8_000, 1_500); // the constructor's split
      // Order 1 (r = 3) at 8,000 bps; order 2 (r = 2) at 7,000 bps; a new split in order 2's block but after its log
      // is not in force for it; order 3 disputed: the referee pays p1 (its JobSettled at 6,000 bps) and slashes p2;
      // order 4 disputed with nobody charged: p3 slashed, nobody paid.
      const amounts = [10n ** 18n + 3n, 999n, 1_001n];
      await settled(101, 1, amounts[0], [p1, p2, p3]);
      await split(102, 7_000, 2_500);
      await settled(103, 2, amounts[1], [p1, p2]);
      await split(103, 6_000, 3_500);
      await settled(104, 3, amounts[2], [p1]);
      await disputed(104, 3, [p1], [p2]);
      await disputed(105, 4, [], [p3]);

      const share = (amount: bigint, bps: bigint, r: bigint) => (amount * bps) / 10_000n / r;
      const expected = {
        [p1]: {
          earned: share(amounts[0], 8_000n, 3n) + share(amounts[1], 7_000n, 2n) + share(amounts[2], 6_000n, 1n),
          paid: 3,
          completed: 3,
          failed: 0,
        },
        [p2]: {
          earned: share(amounts[0], 8_000n, 3n) + share(amounts[1], 7_000n, 2n),
          paid: 2,
          completed: 2,
          failed: 1,
        },
        [p3]: { earned: share(amounts[0], 8_000n, 3n), paid: 1, completed: 1, failed: 1 },
      };
      // Exact to the wei: integer division in the contract's order, (amount · bps / 10 000) / r.
      assert.equal(expected[p1].earned, 266_666_666_666_666_667n + 349n + 600n);

      const listed = async () => {
        const { items } = await listProviders(db, { addresses: [p1, p2, p3] });
        return Object.fromEntries(
          items.map((p) => [
            p.address,
            { earned: BigInt(p.earned), paid: p.paid_jobs, completed: Number(p.completed), failed: Number(p.failed) },
          ]),
        );
      };
      assert.deepEqual(await listed(), expected);
      // One provider alone (a page of one): the same figures.
      const { items: alone } = await listProviders(db, { addresses: [p2] });
      assert.deepEqual([alone[0].earned, alone[0].paid_jobs], [String(expected[p2].earned), 2]);

      // The counters are a fold of the stored events: a full rebuild (as after a reorg) recounts the same.
      await db.transaction().execute((trx) => rebuildState(trx));
      assert.deepEqual(await listed(), expected);
      const { providers } = await providerStats(db, { limit: 100 });
      const p1Stats = providers.find((p) => p.address === p1);
      assert.equal(p1Stats?.success_rate, 1);
      assert.equal(providers.find((p) => p.address === p2)?.success_rate, 2 / 3);
    });
  });
}
