import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Address } from 'viem';
import { InvalidJobRequirementsError, NotEnoughProvidersError, type RejectReason } from './errors.ts';
import { createScoringContext, type ProviderSnapshot, providerScore } from './score.ts';
import { rankAllProviders, type SelectedProvider, selectProviders } from './select.ts';
import { MIN_STAKE, MODEL_CIDS, makeJob, makeProvider, randomProviders, seededRandom } from './testing.ts';

const NOW = 1_000_000;
const opts = { now: NOW, heartbeatTimeoutMs: 30_000, minStakeWei: MIN_STAKE };
const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address;
const addresses = (picked: SelectedProvider[]) => picked.map((s) => s.provider.address);

/** n identical good providers of distinct operators, addresses 1..n. */
const uniform = (n: number, fields: Partial<ProviderSnapshot> = {}) =>
  Array.from({ length: n }, (_, i) => makeProvider({ address: addr(i + 1), operator: `op-${i + 1}`, ...fields }));

describe('selectProviders', () => {
  test('returns r providers, best first', () => {
    const pool = uniform(10).map((p, i) => ({ ...p, completed: 100 * i }));
    const picked = selectProviders(pool, makeJob({ redundancy: 3 }), opts);
    assert.deepEqual(addresses(picked), [addr(10), addr(9), addr(8)]);
    assert.ok(picked[0].score >= picked[1].score && picked[1].score >= picked[2].score);
  });

  describe('filters', () => {
    const ctx = createScoringContext({ minStakeWei: MIN_STAKE });
    /** A provider that out-scores `uniform(3)` on every soft factor: only a hard filter can keep it out. */
    const best = (fields: Partial<ProviderSnapshot>) =>
      makeProvider({
        address: addr(99),
        operator: 'op-99',
        completed: 10_000,
        failed: 0,
        running: 0,
        latencyMs: 1,
        stake: 1000n * MIN_STAKE,
        cachedModels: [makeJob().modelCid],
        ...fields,
      });

    /**
     * The filtered provider must be one that would otherwise win: it out-scores every other provider of the pool
     * (so a missing filter would pick it), it is absent from the pick, and alone it is counted under `reason`.
     */
    const assertFiltered = (
      filtered: ProviderSnapshot,
      reason: RejectReason,
      job = makeJob({ redundancy: 1 }),
      o: typeof opts & { exclude?: ReadonlySet<string> } = opts,
      others = uniform(3),
    ) => {
      const top = Math.max(...others.map((p) => providerScore(p, job, ctx)));
      assert.ok(providerScore(filtered, job, ctx) > top, 'the control: unfiltered, it would win');
      const picked = selectProviders([...others, filtered], job, o);
      assert.deepEqual(addresses(picked), [addr(1)]);
      assert.deepEqual(addresses(rankAllProviders([...others, filtered], job, o)), [addr(1)]);
      assert.throws(
        () => selectProviders([filtered], job, o),
        (err: unknown) => {
          assert.ok(err instanceof NotEnoughProvidersError);
          assert.equal(err.eligible, 0);
          assert.deepEqual(
            Object.entries(err.rejected).filter(([, n]) => n > 0),
            [[reason, 1]],
          );
          return true;
        },
      );
    };

    test('the control: the best provider wins when no filter applies', () => {
      const picked = selectProviders([...uniform(3), best({})], makeJob({ redundancy: 1 }), opts);
      assert.deepEqual(addresses(picked), [addr(99)]);
    });

    test('skips a provider over budget, even one with the best score (one wei over the budget)', () => {
      const job = makeJob({ redundancy: 1 });
      // Priced at the budget it still wins (price is one factor of seven); one wei more and it is filtered.
      assert.deepEqual(
        addresses(selectProviders([...uniform(3), best({ priceWei: job.maxPricePerProviderWei })], job, opts)),
        [addr(99)],
      );
      assertFiltered(best({ priceWei: job.maxPricePerProviderWei + 1n }), 'overBudget', job);
      // A zero budget: free providers only, even against one asking a single wei with the best record.
      const cheapJob = makeJob({ redundancy: 1, maxPricePerProviderWei: 0n });
      const free = uniform(3, { priceWei: 0n });
      const picked = selectProviders([...free, best({ priceWei: 1n })], cheapJob, opts);
      assert.deepEqual(addresses(picked), [addr(1)]);
    });

    test('skips a provider missing the pipeline, the runtime or the execution provider', () => {
      assertFiltered(best({ pipelines: ['embedding'] }), 'pipeline');
      assertFiltered(best({ runtimes: ['llama.cpp'] }), 'runtime');
      assertFiltered(
        best({ executionProviders: ['cpu'] }),
        'executionProvider',
        makeJob({ redundancy: 1, executionProvider: 'cuda' }),
        opts,
        uniform(3, { executionProviders: ['cpu', 'cuda'] }),
      );
    });

    test('skips a provider with too little memory', () => {
      assertFiltered(best({ memoryBytes: 2 ** 30 }), 'memory', makeJob({ redundancy: 1, minMemoryBytes: 2 * 2 ** 30 }));
    });

    test('skips a provider whose heartbeat is stale, and keeps one exactly at the timeout', () => {
      const job = makeJob({ redundancy: 1 });
      assertFiltered(best({ lastHeartbeatMs: NOW - 30_001 }), 'stale', job);
      const edge = selectProviders([...uniform(3), best({ lastHeartbeatMs: NOW - 30_000 })], job, opts);
      assert.equal(edge[0].provider.address, addr(99));
    });

    test('skips excluded providers (e.g. ones that already failed this job)', () => {
      assertFiltered(best({}), 'excluded', makeJob({ redundancy: 1 }), { ...opts, exclude: new Set([addr(99)]) });
    });

    test('skips full and under-staked providers', () => {
      // Full: every slot taken (maxConcurrency 4, running 4); its other factors still beat the pool's.
      assertFiltered(best({ running: 4, maxConcurrency: 4, latencyMs: 0, priceWei: 0n }), 'full');
      // One wei under the minimum stake; the stake factor is 0 there, but reputation, load, latency, price and cache win.
      assertFiltered(best({ stake: MIN_STAKE - 1n, priceWei: 0n }), 'understaked');
      // Exactly the minimum stake is eligible.
      assert.deepEqual(
        addresses(
          selectProviders([...uniform(3), best({ stake: MIN_STAKE, priceWei: 0n })], makeJob({ redundancy: 1 }), opts),
        ),
        [addr(99)],
      );
    });
  });

  test('never picks two providers of one operator', () => {
    // The three best providers share operator A.
    const pool = [
      ...uniform(3, { operator: 'A', completed: 5000 }).map((p, i) => ({ ...p, address: addr(i + 1) })),
      ...uniform(3).map((p, i) => ({ ...p, address: addr(i + 10), operator: `B${i}` })),
    ];
    const picked = selectProviders(pool, makeJob({ redundancy: 3 }), opts);
    const operators = picked.map((s) => s.provider.operator);
    assert.equal(new Set(operators).size, 3);
    assert.equal(picked[0].provider.address, addr(1)); // A's best, then the best of the others
  });

  test('is deterministic: ties go to the lower address, whatever the input order', () => {
    const pool = uniform(20);
    const random = seededRandom(3);
    for (let run = 0; run < 10; run++) {
      const shuffled = [...pool].sort(() => random() - 0.5);
      assert.deepEqual(addresses(selectProviders(shuffled, makeJob({ redundancy: 3 }), opts)), [
        addr(1),
        addr(2),
        addr(3),
      ]);
    }
  });

  test('throws NotEnoughProvidersError with the counts when too few operators are eligible', () => {
    const pool = [
      ...uniform(2, { operator: 'same' }).map((p, i) => ({ ...p, address: addr(i + 1) })),
      makeProvider({ address: addr(3), operator: 'x', lastHeartbeatMs: 0 }),
      makeProvider({ address: addr(4), operator: 'y', priceWei: 10n ** 30n }),
      makeProvider({ address: addr(5), operator: 'z', pipelines: [] }),
    ];
    assert.throws(
      () => selectProviders(pool, makeJob({ redundancy: 2 }), opts),
      (err: unknown) => {
        assert.ok(err instanceof NotEnoughProvidersError);
        assert.equal(err.name, 'NotEnoughProvidersError');
        assert.equal(err.needed, 2);
        assert.equal(err.eligible, 2);
        assert.equal(err.distinctOperators, 1);
        assert.equal(err.rejected.stale, 1);
        assert.equal(err.rejected.overBudget, 1);
        assert.equal(err.rejected.pipeline, 1);
        return true;
      },
    );
  });

  test('throws NotEnoughProvidersError for an empty pool', () => {
    assert.throws(() => selectProviders([], makeJob(), opts), NotEnoughProvidersError);
  });

  test('rejects a redundancy outside 1..5', () => {
    assert.throws(() => selectProviders(uniform(10), makeJob({ redundancy: 0 }), opts), InvalidJobRequirementsError);
    assert.throws(() => selectProviders(uniform(10), makeJob({ redundancy: 6 }), opts), InvalidJobRequirementsError);
  });

  describe('equals a brute-force full sort', () => {
    const pool = randomProviders(10_000, 11);

    test('on 10k random providers, for r = 1..5, several jobs and exclusions', () => {
      const random = seededRandom(5);
      for (let r = 1; r <= 5; r++) {
        for (const modelCid of MODEL_CIDS.slice(0, 4)) {
          const exclude = new Set(Array.from({ length: 50 }, () => pool[Math.floor(random() * pool.length)].address));
          const job = makeJob({ redundancy: r, modelCid, pipeline: r % 2 ? 'ocr' : undefined });
          const o = { ...opts, exclude };
          const fast = selectProviders(pool, job, o);
          assert.equal(fast.length, r);
          assert.deepEqual(fast, rankAllProviders(pool, job, o));
        }
      }
    });

    test('with custom weights and no branch-and-bound slack (price only)', () => {
      const job = makeJob({ redundancy: 3 });
      const o = { ...opts, weights: { fit: 0, reputation: 0, load: 0, latency: 0, stake: 0, cache: 0, price: 1 } };
      assert.deepEqual(selectProviders(pool, job, o), rankAllProviders(pool, job, o));
    });

    test('when one operator holds the whole top of the ranking (the exact fallback)', () => {
      // 40 perfect providers of one operator: the top-k buffer (k = 12) holds only them.
      const dominant = Array.from({ length: 40 }, (_, i) =>
        makeProvider({
          address: addr(1_000_000 + i),
          operator: 'whale',
          completed: 100_000,
          priceWei: 0n,
          running: 0,
          latencyMs: 1,
          stake: 1000n * MIN_STAKE,
          cachedModels: [MODEL_CIDS[0]],
          lastHeartbeatMs: NOW,
        }),
      );
      const mixed = [...pool.slice(0, 5000), ...dominant, ...pool.slice(5000)];
      const job = makeJob({ redundancy: 4 });
      const fast = selectProviders(mixed, job, opts);
      assert.deepEqual(fast, rankAllProviders(mixed, job, opts));
      assert.equal(fast[0].provider.operator, 'whale');
      assert.equal(new Set(fast.map((s) => s.provider.operator)).size, 4);
    });
  });
});
