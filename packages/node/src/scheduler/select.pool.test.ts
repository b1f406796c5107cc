/**
 * `selectFromPool` (scheduler/pool.ts) returns exactly what `selectProviders` returns on the same snapshots: same
 * providers, same scores, same order, same errors — over random pools, filters, exclusions, updates and the price
 * and stake edges where a double cannot tell two wei amounts apart.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotEnoughProvidersError } from './errors.ts';
import { ProviderPool, selectFromPool } from './pool.ts';
import { createScoringContext, type JobRequirements, type ProviderSnapshot } from './score.ts';
import { type SelectProvidersOptions, selectProviders } from './select.ts';
import { MIN_STAKE, MODEL_CIDS, makeJob, makeProvider, randomProviders, seededRandom } from './testing.ts';

const GiB = 2 ** 30;
const PIPELINES = [undefined, 'ocr', 'text-classification', 'embedding', 'image-classification'];

/** Both selections, as values or as the error they throw. */
function both(pool: ProviderPool, job: JobRequirements, options: SelectProvidersOptions) {
  const run = (f: () => unknown) => {
    try {
      return { value: f() };
    } catch (error) {
      return { error };
    }
  };
  return {
    fast: run(() => selectFromPool(pool, job, options)),
    exact: run(() => selectProviders(pool.snapshots, job, options)),
  };
}

function assertSame(pool: ProviderPool, job: JobRequirements, options: SelectProvidersOptions, label: string) {
  const { fast, exact } = both(pool, job, options);
  if ('error' in exact) {
    assert.ok('error' in fast, `${label}: selectFromPool returned where selectProviders threw`);
    assert.ok(fast.error instanceof NotEnoughProvidersError && exact.error instanceof NotEnoughProvidersError);
    assert.deepEqual({ ...fast.error }, { ...exact.error }, label);
  } else {
    assert.ok('value' in fast, `${label}: selectFromPool threw ${String(fast.error)}`);
    assert.deepEqual(fast.value, exact.value, label);
  }
}

describe('selectFromPool', () => {
  test('matches selectProviders over random pools, jobs, exclusions and candidate factors', () => {
    for (const seed of [1, 7, 42]) {
      const snapshots = randomProviders(3_000, seed);
      const pool = new ProviderPool(snapshots);
      const random = seededRandom(seed * 31);
      const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
      const context = createScoringContext(base);
      for (let t = 0; t < 60; t++) {
        const job = makeJob({
          modelCid: MODEL_CIDS[Math.floor(random() * MODEL_CIDS.length)],
          pipeline: PIPELINES[t % PIPELINES.length],
          executionProvider: t % 4 === 0 ? 'cuda' : undefined,
          minMemoryBytes: t % 3 === 0 ? undefined : (1 + Math.floor(random() * 40)) * GiB,
          maxPricePerProviderWei: t % 11 === 0 ? 0n : BigInt(Math.floor(random() * 2000)) * 10n ** 13n,
          redundancy: 1 + (t % 5),
        });
        const exclude = new Set(snapshots.filter(() => random() < 0.05).map((p) => p.address));
        const options = { ...base, context, exclude, candidateFactor: 1 + (t % 4) };
        assertSame(pool, job, options, `seed ${seed}, job ${t}`);
      }
    }
  });

  test('matches when operators crowd the top-k buffer (the exact fallback)', () => {
    // Ten excellent providers of one operator, then ordinary ones of distinct operators.
    const snapshots: ProviderSnapshot[] = [];
    for (let i = 0; i < 40; i++) {
      snapshots.push(
        makeProvider({
          address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
          operator: i < 10 ? 'crowd' : `op-${i}`,
          completed: i < 10 ? 5000 : 10,
          running: 0,
        }),
      );
    }
    const pool = new ProviderPool(snapshots);
    const options = { now: 1_000_000, heartbeatTimeoutMs: 30_000, candidateFactor: 1 };
    assertSame(pool, makeJob({ redundancy: 3 }), options, 'crowded');
    assert.equal(selectFromPool(pool, makeJob({ redundancy: 3 }), options)[0].provider.operator, 'crowd');
  });

  test('throws the same NotEnoughProvidersError, with the same rejection counts', () => {
    const pool = new ProviderPool(randomProviders(200, 3));
    const job = makeJob({ pipeline: 'ocr', executionProvider: 'cuda', minMemoryBytes: 60 * GiB, redundancy: 5 });
    const options = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
    assert.throws(() => selectFromPool(pool, job, options), NotEnoughProvidersError);
    assertSame(pool, job, options, 'too few');
  });

  test('a price one wei over budget is refused even where doubles round both to one value', () => {
    const budget = 2n ** 60n; // doubles are 256 wei apart here
    const over = makeProvider({ address: '0x00000000000000000000000000000000000000aa', priceWei: budget + 1n });
    const at = makeProvider({
      address: '0x00000000000000000000000000000000000000bb',
      operator: 'op-2',
      priceWei: budget,
    });
    assert.equal(Number(over.priceWei), Number(budget));
    const pool = new ProviderPool([over, at]);
    const job = makeJob({ maxPricePerProviderWei: budget, redundancy: 1 });
    const options = { now: 1_000_000, heartbeatTimeoutMs: 30_000 };
    const picked = selectFromPool(pool, job, options);
    assert.deepEqual(
      picked.map((p) => p.provider.address),
      [at.address],
    );
    assertSame(pool, job, options, 'price edge');
  });

  test('update() keeps the pool exact: load, heartbeat, pipelines, cached models, stake', () => {
    const snapshots = randomProviders(1_000, 9);
    const pool = new ProviderPool(snapshots);
    const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
    const options = { ...base, context: createScoringContext(base) };
    const job = makeJob({ pipeline: 'ocr', modelCid: MODEL_CIDS[3], redundancy: 3 });
    const first = selectFromPool(pool, job, options);
    // The winners fill up, go stale, drop the pipeline, lose their stake or the cache; others gain the model.
    const [a, b, c] = first.map((s) => s.provider);
    pool.update({ ...a, running: a.maxConcurrency });
    pool.update({ ...b, lastHeartbeatMs: 0 });
    pool.update({ ...c, pipelines: ['embedding'], cachedModels: [] });
    for (const p of snapshots.slice(0, 50)) pool.update({ ...p, cachedModels: [MODEL_CIDS[3]], running: 0 });
    const second = selectFromPool(pool, job, options);
    for (const s of second) assert.ok(![a.address, b.address, c.address].includes(s.provider.address));
    assertSame(pool, job, options, 'after updates');
    assert.throws(() => pool.update(makeProvider({ address: '0x00000000000000000000000000000000deadbeef' })));
  });

  test('upsert() adds new providers and remove() drops them; selections stay exact throughout', () => {
    const snapshots = randomProviders(1_500, 11);
    // Start with a third, so most providers arrive later and the columns grow past their first capacity.
    const pool = new ProviderPool(snapshots.slice(0, 500));
    const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
    const options = { ...base, context: createScoringContext(base) };
    const random = seededRandom(5);
    const jobs = PIPELINES.map((pipeline, t) => makeJob({ pipeline, modelCid: MODEL_CIDS[t], redundancy: 1 + t }));
    for (const job of jobs) assertSame(pool, job, options, 'before');
    for (const p of snapshots.slice(500)) pool.upsert(p);
    assert.equal(pool.size, 1_500);
    for (const job of jobs) assertSame(pool, job, options, 'after adding');
    // Heartbeats: load, latency and reputation change; some providers leave.
    for (let step = 0; step < 400; step++) {
      const p: ProviderSnapshot = pool.snapshots[Math.floor(random() * pool.size)];
      if (step % 10 === 0) {
        assert.equal(pool.remove(p.address), true);
        assert.equal(pool.get(p.address), undefined);
      } else {
        const running = Math.floor(random() * (p.maxConcurrency + 1));
        pool.upsert({ ...p, running, latencyMs: 50 + Math.floor(random() * 3000), completed: p.completed + 1 });
      }
      if (step % 40 === 0) assertSame(pool, jobs[(step / 40) % jobs.length], options, `step ${step}`);
    }
    assert.equal(pool.size, 1_460);
    assert.equal(pool.remove('0x00000000000000000000000000000000deadbeef'), false);
    for (const job of jobs) assertSame(pool, job, options, 'after heartbeats and removals');
  });

  test('keeps the per-model indexes exact as providers gain, lose and move models', () => {
    const snapshots = randomProviders(1_200, 19);
    const pool = new ProviderPool(snapshots);
    const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
    const options = { ...base, context: createScoringContext(base) };
    const random = seededRandom(23);
    const jobs = MODEL_CIDS.slice(0, 6).map((modelCid, t) => makeJob({ modelCid, redundancy: 1 + (t % 5) }));
    for (const job of jobs) assertSame(pool, job, options, 'built');
    for (let step = 0; step < 600; step++) {
      const p: ProviderSnapshot = pool.snapshots[Math.floor(random() * pool.size)];
      if (step % 25 === 0) pool.remove(p.address);
      else {
        // Mostly the models being asked for, sometimes listed twice, with a new load.
        const cachedModels = Array.from(
          { length: Math.floor(random() * 4) },
          () => MODEL_CIDS[Math.floor(random() * 7)],
        );
        pool.upsert({ ...p, cachedModels, running: Math.floor(random() * (p.maxConcurrency + 1)) });
      }
      if (step % 30 === 0) assertSame(pool, jobs[(step / 30) % jobs.length], options, `step ${step}`);
    }
    for (const job of jobs) assertSame(pool, job, options, 'after');
  });

  test('a removed provider leaves every index: the winners, caching the model, are dropped one by one', () => {
    const pool = new ProviderPool(randomProviders(600, 29));
    const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE, weights: { cache: 10 } };
    const options = { ...base, context: createScoringContext(base) };
    const job = makeJob({ modelCid: MODEL_CIDS[2], redundancy: 2 });
    for (let round = 0; round < 30; round++) {
      assertSame(pool, job, options, `round ${round}`);
      const [best] = selectFromPool(pool, job, options);
      if (round < 6) assert.ok(best.provider.cachedModels.includes(MODEL_CIDS[2]), 'the cache bonus decides');
      // Alternate between a winner in the middle (the last provider takes its index) and the last index itself.
      const last = pool.snapshots[pool.size - 1].address;
      pool.remove(round % 2 === 0 ? best.provider.address : last);
      if (round % 2 === 0)
        assert.notEqual(selectFromPool(pool, job, options)[0].provider.address, best.provider.address);
    }
  });

  test('matches under weights that put nothing on the job-independent factors (one key bin)', () => {
    const snapshots = randomProviders(800, 13);
    const pool = new ProviderPool(snapshots);
    const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
    for (const weights of [
      { reputation: 0, load: 0, latency: 0, stake: 0, fit: 1, price: 1, cache: 1 },
      { reputation: 1, load: 0, latency: 0, stake: 0, fit: 0, price: 0, cache: 0 },
      { price: 5 },
    ]) {
      const options = { ...base, weights, context: createScoringContext({ ...base, weights }) };
      for (let r = 1; r <= 5; r++) assertSame(pool, makeJob({ redundancy: r, pipeline: undefined }), options, `${r}`);
    }
  });

  test('keeps several scoring contexts exact, dropping the oldest past the limit', () => {
    const snapshots = randomProviders(600, 17);
    const pool = new ProviderPool(snapshots);
    const base = { now: 1_000_000, heartbeatTimeoutMs: 30_000 };
    const contexts = [0n, MIN_STAKE, 5n * MIN_STAKE, 20n * MIN_STAKE, 50n * MIN_STAKE, 90n * MIN_STAKE].map(
      (minStakeWei) => createScoringContext({ minStakeWei }),
    );
    const job = makeJob({ redundancy: 2 });
    for (let round = 0; round < 3; round++) {
      for (const context of contexts) assertSame(pool, job, { ...base, context }, `round ${round}`);
      const p = pool.snapshots[round];
      pool.upsert({ ...p, stake: p.stake * 100n, running: 0 });
    }
    // Without a context the options are resolved per call, as selectProviders does.
    assertSame(pool, job, { ...base, minStakeWei: MIN_STAKE }, 'no context');
  });

  test('refuses a pool with two snapshots of one address', () => {
    const p = makeProvider();
    assert.throws(() => new ProviderPool([p, { ...p }]), /twice/);
  });
});
