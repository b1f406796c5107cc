import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InvalidCursorError, InvalidQueryError } from './errors.ts';
import type { SoukDb } from './index.ts';
import {
  type AssetSort,
  assetsOfOwner,
  getAsset,
  licencesOf,
  licencesOverTime,
  listAssets,
  listListings,
  marketVolume,
  providerStats,
  setAssetMetadata,
  topAssets,
} from './queries.ts';
import type { AssetKind } from './schema.ts';
import { dbVariants } from './test-utils.ts';

const NATIVE = '0x0000000000000000000000000000000000000000';
const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const KINDS: AssetKind[] = ['model', 'agent', 'dataset'];
const NAMES = ['llama tiny', 'whisper small', 'census 2020', 'agent smith', 'llama big', 'weather data', 'chat agent'];
const day = (d: number, h = 0) => new Date(Date.UTC(2025, 0, d, h));

/** 21 assets: kind cycles, creators 1–3, some priced (with ties), blocks 10, 10, 11, 11, … */
async function seed(db: SoukDb) {
  for (let i = 1; i <= 21; i++) {
    const priced = i % 4 !== 0;
    await db
      .insertInto('assets')
      .values({
        id: String(i),
        kind: KINDS[i % 3],
        creator: addr(1 + (i % 3)),
        owner: addr(10 + (i % 2)),
        royalty_bps: 250,
        manifest_uri: `ipfs://m${i}`,
        version_count: 1,
        name: NAMES[i % NAMES.length],
        description: i % 5 === 0 ? 'Weights for 100% offline use' : null,
        price_wei: priced ? String(BigInt(i % 5) * 10n ** 18n) : null,
        currency: priced ? NATIVE : null,
        created_block: 10 + Math.floor(i / 2),
        created_at: day(1),
        updated_block: 10 + Math.floor(i / 2),
      })
      .execute();
  }
  const ev = (i: number) => ({ tx_hash: `0x${i.toString(16).padStart(64, '0')}`, log_index: 0, block_number: 100 + i });
  await db
    .insertInto('sales')
    .values([
      {
        ...ev(1),
        token_id: '1',
        seller: addr(1),
        buyer: addr(2),
        currency: NATIVE,
        price: '100',
        royalty_receiver: addr(1),
        royalty: '5',
        fee: '2',
        timestamp: day(1, 1),
      },
      {
        ...ev(2),
        token_id: '1',
        seller: addr(2),
        buyer: addr(3),
        currency: NATIVE,
        price: '300',
        royalty_receiver: addr(1),
        royalty: '15',
        fee: '7',
        timestamp: day(1, 5),
      },
      {
        ...ev(3),
        token_id: '2',
        seller: addr(1),
        buyer: addr(3),
        currency: NATIVE,
        price: '50',
        royalty_receiver: addr(1),
        royalty: '0',
        fee: '1',
        timestamp: day(2, 3),
      },
    ])
    .execute();
  await db
    .insertInto('licence_purchases')
    .values([
      {
        ...ev(4),
        asset_id: '3',
        buyer: addr(7),
        licensee: addr(7),
        currency: NATIVE,
        price: '1000',
        royalty: '0',
        fee: '25',
        expires_at: null,
        timestamp: day(1, 2),
      },
      {
        ...ev(5),
        asset_id: '3',
        buyer: addr(8),
        licensee: addr(8),
        currency: NATIVE,
        price: '1000',
        royalty: '0',
        fee: '25',
        expires_at: day(9),
        timestamp: day(2, 2),
      },
    ])
    .execute();
  await db
    .insertInto('licences')
    .values([
      {
        asset_id: '3',
        licensee: addr(7),
        expires_at: null,
        currency: NATIVE,
        price: '1000',
        purchases: 1,
        first_block: 104,
        updated_block: 104,
      },
      {
        asset_id: '6',
        licensee: addr(7),
        expires_at: day(2),
        currency: NATIVE,
        price: '10',
        purchases: 2,
        first_block: 90,
        updated_block: 95,
      },
    ])
    .execute();
  for (const [i, token] of [
    [1, '4'],
    [2, '8'],
    [3, '12'],
  ] as const) {
    await db
      .insertInto('listings')
      .values({
        token_id: token,
        seller: addr(1),
        currency: NATIVE,
        price: String(i * 100),
        active: i !== 2,
        listed_block: 200 + i,
        listed_at: day(3),
        updated_block: 200 + i,
      })
      .execute();
  }
  await db
    .insertInto('providers')
    .values([
      {
        address: addr(20),
        stake: '2000',
        unbonding: '0',
        completed: 5,
        failed: 1,
        metadata_uri: 'a',
        registered_block: 1,
        updated_block: 1,
      },
      {
        address: addr(21),
        stake: '500',
        unbonding: '100',
        completed: 0,
        failed: 0,
        slashed: 1,
        slashed_amount: '100',
        metadata_uri: 'b',
        registered_block: 1,
        updated_block: 1,
      },
    ])
    .execute();
  await db
    .insertInto('chain_events')
    .values({
      tx_hash: '0x01',
      log_index: 0,
      block_number: 1,
      block_hash: '0x1',
      contract: 'providerRegistry',
      address: addr(99),
      event: 'MinStakeSet',
      entity: null,
      args: JSON.stringify({ minStake: '1000' }),
      topics: '[]',
      data: '0x',
      timestamp: day(1),
    })
    .execute();
}

/** Every page of a listing, following cursors. */
async function allPages(db: SoukDb, parameters: Parameters<typeof listAssets>[1]) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const page = await listAssets(db, { ...parameters, cursor });
    ids.push(...page.items.map((a) => a.id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('pagination does not end');
}

for (const variant of await dbVariants()) {
  describe(`queries (${variant.name})`, { skip: variant.skip }, () => {
    let db: SoukDb;
    before(async () => {
      db = await variant.open();
      await seed(db);
    });
    after(() => variant.dispose(db));

    describe('listAssets', () => {
      test('filters by kind, creator, owner and price range', async () => {
        const models = await allPages(db, { kind: 'dataset', limit: 100 });
        assert.deepEqual(
          models.map(Number).sort((a, b) => a - b),
          [2, 5, 8, 11, 14, 17, 20],
        );
        const byCreator = await listAssets(db, { creator: addr(2).toUpperCase().replace('0X', '0x'), limit: 100 });
        assert.ok(byCreator.items.every((a) => a.creator === addr(2)));
        assert.equal(byCreator.items.length, 7);
        const byOwner = await listAssets(db, { owner: addr(10), limit: 100 });
        assert.ok(byOwner.items.every((a) => Number(a.id) % 2 === 0));
        const ranged = await listAssets(db, { minPrice: 2n * 10n ** 18n, maxPrice: '3000000000000000000', limit: 100 });
        assert.ok(ranged.items.length > 0);
        for (const a of ranged.items) assert.ok([2, 3].includes(Number(BigInt(a.price_wei as string) / 10n ** 18n)));
      });

      test('searches name and description by word and by substring', async () => {
        const llama = await listAssets(db, { q: 'llama', limit: 100 });
        assert.ok(llama.items.length > 0);
        assert.ok(llama.items.every((a) => a.name?.includes('llama')));
        const sub = await listAssets(db, { q: 'eathe', limit: 100 });
        assert.ok(sub.items.length > 0 && sub.items.every((a) => a.name === 'weather data'));
        const percent = await listAssets(db, { q: '100%', limit: 100 });
        assert.ok(percent.items.length > 0 && percent.items.every((a) => a.description?.includes('100%')));
        assert.equal((await listAssets(db, { q: 'nothing-like-this' })).items.length, 0);
      });

      for (const sort of ['newest', 'oldest', 'price_asc', 'price_desc'] as AssetSort[]) {
        test(`pages through "${sort}" with cursors: same order as one page, no duplicates`, async () => {
          const whole = (await listAssets(db, { sort, limit: 100 })).items;
          assert.equal(whole.length, 21);
          const paged = await allPages(db, { sort, limit: 4 });
          assert.deepEqual(
            paged,
            whole.map((a) => a.id),
          );
          const key = (a: (typeof whole)[number]) =>
            sort === 'newest' || sort === 'oldest'
              ? BigInt(a.created_block)
              : a.price_wei === null
                ? null
                : BigInt(a.price_wei);
          for (let i = 1; i < whole.length; i++) {
            const [prev, cur] = [key(whole[i - 1]), key(whole[i])];
            if (prev === null) assert.equal(cur, null, 'unpriced assets come last');
            else if (cur !== null) assert.ok(sort === 'newest' || sort === 'price_desc' ? prev >= cur : prev <= cur);
          }
        });
      }

      test('pages with a filter keep the filter', async () => {
        const paged = await allPages(db, { kind: 'model', sort: 'price_desc', limit: 2 });
        const whole = (await listAssets(db, { kind: 'model', sort: 'price_desc', limit: 100 })).items.map((a) => a.id);
        assert.deepEqual(paged, whole);
      });

      test('rejects a cursor of another sort, a garbage cursor and a bad limit', async () => {
        const { nextCursor } = await listAssets(db, { sort: 'newest', limit: 2 });
        assert.ok(nextCursor);
        await assert.rejects(listAssets(db, { sort: 'price_asc', cursor: nextCursor }), InvalidCursorError);
        await assert.rejects(listAssets(db, { cursor: 'not-a-cursor' }), InvalidCursorError);
        await assert.rejects(listAssets(db, { limit: 0 }), InvalidQueryError);
        await assert.rejects(listAssets(db, { creator: 'bob' }), InvalidQueryError);
      });
    });

    test('getAsset returns versions and listing; undefined for an unknown id', async () => {
      await db
        .insertInto('asset_versions')
        .values({ asset_id: '4', version: 0, uri: 'ipfs://m4', block_number: 12, tx_hash: '0x4', created_at: day(1) })
        .execute();
      const asset = await getAsset(db, { id: 4n });
      assert.ok(asset);
      assert.equal(asset.versions.length, 1);
      assert.equal(asset.listing?.price, '100');
      assert.equal(await getAsset(db, { id: '999' }), undefined);
    });

    test('listListings pages active listings newest first', async () => {
      const first = await listListings(db, { limit: 1 });
      assert.equal(first.items[0].token_id, '12');
      assert.ok(first.nextCursor);
      const second = await listListings(db, { limit: 1, cursor: first.nextCursor });
      assert.deepEqual(
        second.items.map((l) => l.token_id),
        ['4'],
      );
      assert.equal(second.nextCursor, null);
    });

    test('assetsOfOwner and licencesOf', async () => {
      assert.equal((await assetsOfOwner(db, { address: addr(11) })).length, 11);
      const licences = await licencesOf(db, { address: addr(7) });
      assert.equal(licences.length, 2);
      assert.deepEqual(Object.fromEntries(licences.map((l) => [l.asset_id, l.active])), { '3': true, '6': false });
      assert.deepEqual(
        (await licencesOf(db, { address: addr(7), activeOnly: true })).map((l) => l.asset_id),
        ['3'],
      );
    });

    test('marketVolume buckets sales and licences by hour and day (UTC)', async () => {
      const daily = await marketVolume(db, { bucket: 'day' });
      assert.deepEqual(
        daily.map((r) => [r.bucket.toISOString(), r.sales, r.sales_volume, r.licences, r.licence_volume]),
        [
          [day(1).toISOString(), 2, '400', 1, '1000'],
          [day(2).toISOString(), 1, '50', 1, '1000'],
        ],
      );
      const hourly = await marketVolume(db, { bucket: 'hour', since: day(1, 2), until: day(2) });
      assert.deepEqual(
        hourly.map((r) => r.bucket.getUTCHours()),
        [2, 5],
      );
    });

    test('topAssets ranks by sales + licence volume', async () => {
      const top = await topAssets(db, { limit: 5 });
      assert.deepEqual(
        top.map((t) => [t.id, t.volume, t.sales, t.licences]),
        [
          ['3', '2000', 0, 2],
          ['1', '400', 2, 0],
          ['2', '50', 1, 0],
        ],
      );
    });

    test('licencesOverTime counts purchases and licensees per bucket', async () => {
      const series = await licencesOverTime(db, { bucket: 'day', assetId: 3n });
      assert.deepEqual(
        series.map((r) => [r.bucket.toISOString(), r.purchases, r.licensees, r.volume]),
        [
          [day(1).toISOString(), 1, 1, '1000'],
          [day(2).toISOString(), 1, 1, '1000'],
        ],
      );
    });

    test('providerStats totals and ranks providers against the minimum stake', async () => {
      const stats = await providerStats(db);
      assert.deepEqual(stats.totals, {
        providers: 2,
        active: 1,
        stake: '2500',
        unbonding: '100',
        locked: '0',
        completed: 5,
        failed: 1,
        slashes: 1,
        slashed_amount: '100',
        min_stake: '1000',
      });
      assert.equal(stats.providers[0].address, addr(20));
      assert.equal(stats.providers[0].active, true);
      assert.ok(Math.abs((stats.providers[0].success_rate as number) - 5 / 6) < 1e-9);
      assert.equal(stats.providers[1].success_rate, null);
    });

    test('setAssetMetadata fills an indexed asset and keeps metadata for one not yet indexed', async () => {
      assert.equal(
        await setAssetMetadata(db, 5n, {
          name: 'Renamed',
          description: 'New',
          manifestCid: 'bafyA',
          contentCid: 'bafyB',
        }),
        true,
      );
      const asset = await getAsset(db, { id: 5n });
      assert.equal(asset?.name, 'Renamed');
      assert.equal(asset?.content_cid, 'bafyB');
      assert.equal((await listAssets(db, { q: 'renamed' })).items[0]?.id, '5');
      assert.equal(
        await setAssetMetadata(db, 777n, { name: 'Later', description: null, manifestCid: null, contentCid: null }),
        false,
      );
      const kept = await db.selectFrom('asset_metadata').selectAll().where('asset_id', '=', '777').executeTakeFirst();
      assert.equal(kept?.name, 'Later');
    });
  });
}
