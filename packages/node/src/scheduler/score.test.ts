import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidScoreOptionsError } from './errors.ts';
import {
  createScoringContext,
  defaultScoreWeights,
  type ProviderSnapshot,
  parseScoreWeights,
  providerScore,
  reputationFactor,
  resolveScoreWeights,
  scoreFactorNames,
  scoreIfAtLeast,
  scoreProvider,
  specRejectReason,
  stakeFactor,
  updateLatencyEwma,
} from './score.ts';
import { MIN_STAKE, MODEL_CIDS, makeJob, makeProvider, randomProviders } from './testing.ts';

const ctx = createScoringContext({ minStakeWei: MIN_STAKE });
const job = makeJob();
// Random providers that pass the hard filters of `job`, as bases for "all else equal" properties.
const bases = randomProviders(3000, 7)
  .filter((p) => specRejectReason(p, job, ctx) === null)
  .slice(0, 300);
const score = (p: ProviderSnapshot) => providerScore(p, job, ctx);

describe('weights', () => {
  test('the defaults sum to 1', () => {
    const sum = scoreFactorNames.reduce((s, name) => s + defaultScoreWeights[name], 0);
    assert.ok(Math.abs(sum - 1) < 1e-12);
  });

  test('overrides are merged over the defaults and normalised to sum 1', () => {
    const w = resolveScoreWeights({ price: 0.8 });
    const sum = scoreFactorNames.reduce((s, name) => s + w[name], 0);
    assert.ok(Math.abs(sum - 1) < 1e-12);
    assert.ok(Math.abs(w.price / w.reputation - 0.8 / defaultScoreWeights.reputation) < 1e-12);
  });

  test('rejects negative, non-finite, unknown and all-zero weights', () => {
    assert.throws(() => resolveScoreWeights({ price: -1 }), InvalidScoreOptionsError);
    assert.throws(() => resolveScoreWeights({ price: Number.NaN }), InvalidScoreOptionsError);
    assert.throws(() => resolveScoreWeights({ speed: 1 } as never), InvalidScoreOptionsError);
    const zeros = Object.fromEntries(scoreFactorNames.map((n) => [n, 0]));
    assert.throws(() => resolveScoreWeights(zeros), InvalidScoreOptionsError);
  });

  test('parses factor=weight lists, as from an environment variable', () => {
    assert.deepEqual(parseScoreWeights(' reputation=0.4, price = 0.3,cache=0 '), {
      reputation: 0.4,
      price: 0.3,
      cache: 0,
    });
    assert.deepEqual(parseScoreWeights(''), {});
    assert.throws(() => parseScoreWeights('reputation'), InvalidScoreOptionsError);
    assert.throws(() => parseScoreWeights('speed=1'), InvalidScoreOptionsError);
  });
});

describe('factors', () => {
  test('every factor and the score stay in [0, 1], and the score is the weighted sum', () => {
    for (const p of bases) {
      const { score: s, factors } = scoreProvider(p, job, ctx);
      let sum = 0;
      for (const name of scoreFactorNames) {
        assert.ok(factors[name] >= 0 && factors[name] <= 1, `${name} = ${factors[name]}`);
        sum += ctx.weights[name] * factors[name];
      }
      assert.ok(s >= 0 && s <= 1);
      assert.ok(Math.abs(s - sum) < 1e-12);
      assert.equal(s, providerScore(p, job, ctx));
    }
  });

  test('reputation is the Beta(1, 1) posterior mean with slashes counted 3 extra times', () => {
    assert.equal(reputationFactor(makeProvider({ completed: 0, failed: 0, slashed: 0 }), ctx), 0.5);
    assert.equal(reputationFactor(makeProvider({ completed: 98, failed: 0, slashed: 0 }), ctx), 0.99);
    // (8 + 1) / (8 + 2 + 3·1 + 2) = 9 / 15
    assert.equal(reputationFactor(makeProvider({ completed: 8, failed: 2, slashed: 1 }), ctx), 9 / 15);
  });

  test('stake is log-scaled from the minimum and saturates at 100×', () => {
    assert.equal(stakeFactor(makeProvider({ stake: MIN_STAKE }), ctx), 0);
    assert.ok(Math.abs(stakeFactor(makeProvider({ stake: 10n * MIN_STAKE }), ctx) - 0.5) < 1e-12);
    assert.equal(stakeFactor(makeProvider({ stake: 1000n * MIN_STAKE }), ctx), 1);
  });

  test('the bounded score equals the full score when it does not prune, and prunes only below the threshold', () => {
    const maxPrice = Number(job.maxPricePerProviderWei);
    for (const p of bases) {
      const s = score(p);
      assert.equal(scoreIfAtLeast(p, job, ctx, maxPrice, s), s);
      const pruned = scoreIfAtLeast(p, job, ctx, maxPrice, s + 0.01);
      assert.ok(pruned === s || pruned === Number.NEGATIVE_INFINITY);
    }
  });

  test('updates the latency EWMA', () => {
    assert.equal(updateLatencyEwma(null, 400), 400);
    assert.equal(updateLatencyEwma(400, 900), 500);
    assert.throws(() => updateLatencyEwma(400, -1), InvalidScoreOptionsError);
  });
});

describe('monotonicity (all else equal)', () => {
  /**
   * Each change must raise the score strictly on every base it applies to (`>=` would also pass when the factor is
   * ignored), and apply to enough of them that the property is not vacuous.
   */
  const higher = (
    change: (p: ProviderSnapshot) => Partial<ProviderSnapshot>,
    applies: (p: ProviderSnapshot) => boolean = () => true,
  ) => {
    const applicable = bases.filter(applies);
    assert.ok(applicable.length >= 20, `only ${applicable.length} bases apply`);
    for (const p of applicable) {
      const better = { ...p, ...change(p) };
      const [a, b] = [score(better), score(p)];
      assert.ok(a > b, `${a} vs ${b} for ${p.address}`);
    }
  };

  test('more completed jobs score higher', () => higher((p) => ({ completed: p.completed + 10 })));
  test('more failures score lower', () => {
    for (const p of bases) assert.ok(score(p) > score({ ...p, failed: p.failed + 5 }));
  });
  test('a slash scores lower', () => {
    for (const p of bases) assert.ok(score(p) > score({ ...p, slashed: p.slashed + 1 }));
  });
  test('a lower price scores higher', () =>
    higher(
      (p) => ({ priceWei: p.priceWei / 2n }),
      (p) => p.priceWei > 1n,
    ));
  test('a lower load scores higher', () =>
    higher(
      (p) => ({ running: p.running - 1 }),
      (p) => p.running > 0,
    ));
  test('a lower latency scores higher, strictly, below the reference and above it', () => {
    higher(
      (p) => ({ latencyMs: (p.latencyMs as number) / 2 }),
      (p) => p.latencyMs !== null && p.latencyMs > 0,
    );
    // A measured 0 ms beats an unmeasured provider (the unknown-latency default is below 1).
    const p = makeProvider({ latencyMs: null });
    assert.ok(score({ ...p, latencyMs: 0 }) > score(p));
  });
  test('a cached model scores higher', () =>
    higher(
      (p) => ({ cachedModels: [...p.cachedModels, job.modelCid] }),
      (p) => !p.cachedModels.includes(job.modelCid),
    ));
  test('more stake scores higher, strictly below saturation, and equal above it', () => {
    higher(
      (p) => ({ stake: p.stake * 2n }),
      (p) => stakeFactor(p, ctx) < 1,
    );
    const whale = makeProvider({ stake: 100n * MIN_STAKE });
    assert.equal(score({ ...whale, stake: whale.stake * 2n }), score(whale));
  });
  test('more memory headroom scores higher, strictly up to 2× the minimum', () => {
    const memoryJob = makeJob({ minMemoryBytes: 4 * 2 ** 30 });
    const p = makeProvider({ memoryBytes: 4 * 2 ** 30 });
    const at = (memoryBytes: number) => providerScore({ ...p, memoryBytes }, memoryJob, ctx);
    // 1×, 1.25×, 1.5×, 2× the minimum: strictly increasing; beyond 2× the fit factor is saturated.
    const gib = 2 ** 30;
    assert.ok(at(4 * gib) < at(5 * gib) && at(5 * gib) < at(6 * gib) && at(6 * gib) < at(8 * gib));
    assert.equal(at(16 * gib), at(8 * gib));
  });
  test('a weight of 0 makes its factor irrelevant', () => {
    const noCache = createScoringContext({ minStakeWei: MIN_STAKE, weights: { cache: 0 } });
    const p = makeProvider();
    assert.equal(
      providerScore({ ...p, cachedModels: [job.modelCid] }, job, noCache),
      providerScore({ ...p, cachedModels: [MODEL_CIDS[5]] }, job, noCache),
    );
  });
});

describe('hard filters', () => {
  test('name the first unmet requirement', () => {
    const ok = makeProvider();
    assert.equal(specRejectReason(ok, job, ctx), null);
    assert.equal(specRejectReason({ ...ok, running: 4, maxConcurrency: 4 }, job, ctx), 'full');
    assert.equal(specRejectReason({ ...ok, memoryBytes: 1 }, job, ctx), 'memory');
    assert.equal(specRejectReason({ ...ok, priceWei: job.maxPricePerProviderWei + 1n }, job, ctx), 'overBudget');
    assert.equal(specRejectReason({ ...ok, priceWei: job.maxPricePerProviderWei }, job, ctx), null);
    assert.equal(specRejectReason({ ...ok, runtimes: ['llama.cpp'] }, job, ctx), 'runtime');
    assert.equal(specRejectReason({ ...ok, pipelines: ['embedding'] }, job, ctx), 'pipeline');
    assert.equal(specRejectReason(ok, makeJob({ executionProvider: 'cuda' }), ctx), 'executionProvider');
    assert.equal(specRejectReason({ ...ok, stake: MIN_STAKE - 1n }, job, ctx), 'understaked');
  });
});
