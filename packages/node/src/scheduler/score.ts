/**
 * Provider scoring for compute jobs. A provider first passes hard filters (spec, budget, capacity, stake — see
 * {@link specRejectReason}); then seven factors, each normalised to [0, 1], are combined into one weighted sum:
 *
 * | factor | formula |
 * | --- | --- |
 * | fit | memory headroom: `clamp(log(memory / minMemory) / log(memoryHeadroom), 0, 1)`; 1 when the job names no memory |
 * | reputation | `(completed + α) / (completed + failed + w·slashed + α + β)` (Beta-prior posterior mean) |
 * | price | `1 − ask / maxPricePerProvider` (1 when the job's budget is 0 and the ask is 0) |
 * | load | `1 − running / maxConcurrency` |
 * | latency | `L / (L + latencyMs)` for a reference latency L; `unknownLatency` when never measured |
 * | stake | `clamp(log(stake / minStake) / log(stakeSaturation), 0, 1)` |
 * | cache | 1 when the provider advertises the job's model CID, else 0 |
 *
 * The weights ({@link defaultScoreWeights}) are normalised to sum to 1, so a score is also in [0, 1]. Every factor is
 * a pure function of one provider and the job, so scores need no pass over the whole pool and selection can stream
 * (see `select.ts`). `docs/scheduler.md` explains the choices.
 */
import type { Address } from 'viem';
import { InvalidJobRequirementsError, InvalidScoreOptionsError, type RejectReason } from './errors.ts';

/** What the scheduler knows about one provider: on-chain state from the indexer plus its last heartbeat. */
export type ProviderSnapshot = {
  /** The provider's address (lowercase hex, as the indexer stores it; compared as given). */
  address: Address;
  /** Who runs it (an operator id). Providers of one operator are never picked for the same job. */
  operator: string;
  /** Bonded stake, in wei of the SOUK token. */
  stake: bigint;
  /** Jobs it completed (on-chain reputation counter). */
  completed: number;
  /** Jobs it failed (on-chain counter; every slash also counts a failure there). */
  failed: number;
  /** Times it was slashed (on-chain counter). */
  slashed: number;
  /** Its ask per job, in wei of the payment currency. */
  priceWei: bigint;
  /** Runtimes it can run, e.g. `onnxruntime`. */
  runtimes: string[];
  /** Pipelines it can run, e.g. `ocr`, `text-classification`. */
  pipelines: string[];
  /** Execution providers it has, e.g. `cpu`, `cuda`. */
  executionProviders: string[];
  /** Memory available to jobs, in bytes. */
  memoryBytes: number;
  /** Jobs it runs at once. */
  maxConcurrency: number;
  /** Jobs it runs now. */
  running: number;
  /** EWMA of observed job latency, in milliseconds; `null` before the first observation (see {@link updateLatencyEwma}). */
  latencyMs: number | null;
  /** Model CIDs it holds locally (no download needed). */
  cachedModels: string[];
  /** When its last heartbeat arrived, in milliseconds since the epoch. */
  lastHeartbeatMs: number;
};

/** What a job needs from each of its providers. */
export type JobRequirements = {
  /** CID of the model (or agent) to run; providers caching it get the cache bonus. */
  modelCid: string;
  /** Required runtime, e.g. `onnxruntime`. */
  runtime: string;
  /** Required pipeline, if any. */
  pipeline?: string | undefined;
  /** Required execution provider (e.g. `cuda`), if any. */
  executionProvider?: string | undefined;
  /** Least memory a provider must have, in bytes. */
  minMemoryBytes?: number | undefined;
  /** Most the job pays each provider, in wei of the payment currency (the reward split over r). */
  maxPricePerProviderWei: bigint;
  /** Independent providers that must agree (r), 1..5. */
  redundancy: number;
};

/** Weight of each factor. Only ratios matter: weights are normalised to sum to 1. */
export type ScoreWeights = {
  /** Soft spec fit (memory headroom). */
  fit: number;
  /** Smoothed success rate from the on-chain counters. */
  reputation: number;
  /** Cheaper asks score higher. */
  price: number;
  /** Idle capacity scores higher. */
  load: number;
  /** Faster providers score higher. */
  latency: number;
  /** More stake (more to lose) scores higher, log-scaled. */
  stake: number;
  /** Providers already holding the model score higher. */
  cache: number;
};

/** The names of the factors, in a fixed order. */
export const scoreFactorNames = ['fit', 'reputation', 'price', 'load', 'latency', 'stake', 'cache'] as const;

/**
 * Default weights (sum 1). Reputation leads because a wrong or missing result costs a dispute or a reassignment;
 * price next because the requester pays it; load and latency decide how soon the result comes; stake is skin in the
 * game; the cache bonus saves a model download; fit only breaks near-ties.
 *
 * @example
 * ```ts
 * import { defaultScoreWeights } from './score.ts'
 * const weights = { ...defaultScoreWeights, price: 0.4 } // normalised again when used
 * ```
 */
export const defaultScoreWeights: Readonly<ScoreWeights> = Object.freeze({
  fit: 0.05,
  reputation: 0.3,
  price: 0.2,
  load: 0.15,
  latency: 0.1,
  stake: 0.1,
  cache: 0.1,
});

/** Options of the scoring functions; every field has a default. */
export type ScoreOptions = {
  /** Factor weights; missing ones take {@link defaultScoreWeights}, then all are normalised to sum 1. */
  weights?: Partial<ScoreWeights> | undefined;
  /** Minimum stake, in wei of SOUK: providers below it are filtered; the stake factor is relative to it. @default 0n */
  minStakeWei?: bigint | undefined;
  /** α of the Beta(α, β) prior: pseudo-successes. @default 1 */
  reputationAlpha?: number | undefined;
  /** β of the Beta(α, β) prior: pseudo-failures. @default 1 */
  reputationBeta?: number | undefined;
  /** Failures each slash counts for, on top of the `failed` increment the contract already makes. @default 3 */
  slashWeight?: number | undefined;
  /** Reference latency L in ms: a provider at L scores 0.5 on latency. @default 1000 */
  latencyReferenceMs?: number | undefined;
  /** Latency factor of a provider with no measurement yet. @default 0.5 */
  unknownLatency?: number | undefined;
  /** Stake multiple of the minimum at which the stake factor reaches 1. @default 100 */
  stakeSaturation?: number | undefined;
  /** Memory multiple of the job's minimum at which the fit factor reaches 1. @default 2 */
  memoryHeadroom?: number | undefined;
};

/** {@link ScoreOptions} resolved and validated once, with derived constants; build it with {@link createScoringContext}. */
export type ScoringContext = {
  /** Normalised weights (sum 1). */
  readonly weights: Readonly<ScoreWeights>;
  /** Minimum stake, in wei of SOUK. */
  readonly minStakeWei: bigint;
  /** Stake the stake factor is measured against: the minimum, or 1 SOUK (1e18 wei) when the minimum is 0. */
  readonly stakeReference: number;
  /** `log(stakeSaturation)`. */
  readonly logStakeSaturation: number;
  /** Prior pseudo-successes α. */
  readonly reputationAlpha: number;
  /** Prior pseudo-failures β. */
  readonly reputationBeta: number;
  /** Failures per slash. */
  readonly slashWeight: number;
  /** Reference latency, in ms. */
  readonly latencyReferenceMs: number;
  /** Latency factor when unmeasured. */
  readonly unknownLatency: number;
  /** `log(memoryHeadroom)`. */
  readonly logMemoryHeadroom: number;
};

/** One provider's score and the factor values it came from (each in [0, 1]). */
export type ScoreBreakdown = {
  /** The weighted sum, in [0, 1]. */
  score: number;
  /** Each factor, before weighting. */
  factors: Record<keyof ScoreWeights, number>;
};

const ONE_TOKEN = 1e18;

const positive = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidScoreOptionsError({ reason: `${name} must be > 0` });
  return value;
};

/**
 * Merges partial weights over {@link defaultScoreWeights} and normalises them to sum to 1.
 *
 * @param weights Weights to override; only ratios matter.
 * @returns Weights summing to 1.
 * @throws {InvalidScoreOptionsError} When a weight is negative or not finite, a key is unknown, or all are 0.
 *
 * @example
 * ```ts
 * import { resolveScoreWeights } from './score.ts'
 * resolveScoreWeights({ price: 0 }) // price ignored, the other defaults scaled up to sum 1
 * ```
 */
export function resolveScoreWeights(weights: Partial<ScoreWeights> = {}): ScoreWeights {
  for (const key of Object.keys(weights)) {
    if (!(scoreFactorNames as readonly string[]).includes(key)) {
      throw new InvalidScoreOptionsError({ reason: `unknown weight "${key}"` });
    }
  }
  const merged = { ...defaultScoreWeights };
  for (const name of scoreFactorNames) {
    const value = weights[name];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidScoreOptionsError({ reason: `weight "${name}" must be a finite number >= 0` });
    }
    merged[name] = value;
  }
  let sum = 0;
  for (const name of scoreFactorNames) sum += merged[name];
  if (sum <= 0) throw new InvalidScoreOptionsError({ reason: 'at least one weight must be > 0' });
  for (const name of scoreFactorNames) merged[name] /= sum;
  return merged;
}

/**
 * Parses weights from text, e.g. an environment variable: `reputation=0.4,price=0.3,cache=0`.
 *
 * @param text Comma-separated `factor=weight` pairs; whitespace is ignored; empty text gives `{}`.
 * @returns The weights named (pass them to {@link resolveScoreWeights} or as `weights`).
 * @throws {InvalidScoreOptionsError} On a malformed pair, an unknown factor or a bad number.
 *
 * @example
 * ```ts
 * import { parseScoreWeights } from './score.ts'
 * const weights = parseScoreWeights(process.env.SOUK_SCHEDULER_WEIGHTS ?? '')
 * ```
 */
export function parseScoreWeights(text: string): Partial<ScoreWeights> {
  const out: Partial<ScoreWeights> = {};
  for (const raw of text.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const match = /^([a-zA-Z]+)\s*=\s*([0-9.eE+-]+)$/.exec(pair);
    if (!match) throw new InvalidScoreOptionsError({ reason: `"${pair}" is not factor=weight` });
    const name = match[1] as keyof ScoreWeights;
    if (!(scoreFactorNames as readonly string[]).includes(name)) {
      throw new InvalidScoreOptionsError({ reason: `unknown weight "${name}"` });
    }
    const value = Number(match[2]);
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidScoreOptionsError({ reason: `weight "${name}" must be a finite number >= 0` });
    }
    out[name] = value;
  }
  return out;
}

/**
 * Resolves and validates {@link ScoreOptions} once, so scoring 10k providers does no option handling.
 *
 * @param options Scoring options.
 * @returns The context every scoring function takes.
 * @throws {InvalidScoreOptionsError} On an invalid weight or option.
 *
 * @example
 * ```ts
 * import { createScoringContext, scoreProvider } from './score.ts'
 * const ctx = createScoringContext({ minStakeWei: 100n * 10n ** 18n })
 * const { score, factors } = scoreProvider(provider, job, ctx)
 * ```
 */
export function createScoringContext({
  weights,
  minStakeWei = 0n,
  reputationAlpha = 1,
  reputationBeta = 1,
  slashWeight = 3,
  latencyReferenceMs = 1000,
  unknownLatency = 0.5,
  stakeSaturation = 100,
  memoryHeadroom = 2,
}: ScoreOptions = {}): ScoringContext {
  if (minStakeWei < 0n) throw new InvalidScoreOptionsError({ reason: 'minStakeWei must be >= 0' });
  if (!Number.isFinite(slashWeight) || slashWeight < 0) {
    throw new InvalidScoreOptionsError({ reason: 'slashWeight must be >= 0' });
  }
  if (!(unknownLatency >= 0 && unknownLatency <= 1)) {
    throw new InvalidScoreOptionsError({ reason: 'unknownLatency must be in [0, 1]' });
  }
  if (!(stakeSaturation > 1) || !(memoryHeadroom > 1)) {
    throw new InvalidScoreOptionsError({ reason: 'stakeSaturation and memoryHeadroom must be > 1' });
  }
  return Object.freeze({
    weights: Object.freeze(resolveScoreWeights(weights)),
    minStakeWei,
    stakeReference: minStakeWei > 0n ? Number(minStakeWei) : ONE_TOKEN,
    logStakeSaturation: Math.log(stakeSaturation),
    reputationAlpha: positive('reputationAlpha', reputationAlpha),
    reputationBeta: positive('reputationBeta', reputationBeta),
    slashWeight,
    latencyReferenceMs: positive('latencyReferenceMs', latencyReferenceMs),
    unknownLatency,
    logMemoryHeadroom: Math.log(memoryHeadroom),
  });
}

/**
 * Checks that job requirements are usable before any provider is scored.
 *
 * @param job The job's requirements.
 * @throws {InvalidJobRequirementsError} When r is not an integer in 1..5, the budget is negative or the memory is
 *   not a number ≥ 0.
 *
 * @example
 * ```ts
 * import { assertJobRequirements } from './score.ts'
 * assertJobRequirements({ modelCid, runtime: 'onnxruntime', maxPricePerProviderWei: 10n ** 15n, redundancy: 3 })
 * ```
 */
export function assertJobRequirements(job: JobRequirements): void {
  if (!Number.isInteger(job.redundancy) || job.redundancy < 1 || job.redundancy > 5) {
    throw new InvalidJobRequirementsError({ reason: `redundancy must be an integer in 1..5, got ${job.redundancy}` });
  }
  if (job.maxPricePerProviderWei < 0n) {
    throw new InvalidJobRequirementsError({ reason: 'maxPricePerProviderWei must be >= 0' });
  }
  if (job.minMemoryBytes !== undefined && !(job.minMemoryBytes >= 0)) {
    throw new InvalidJobRequirementsError({ reason: 'minMemoryBytes must be >= 0' });
  }
}

/**
 * The hard filter of one provider for one job, cheapest checks first: capacity, memory, budget, runtime, pipeline,
 * execution provider, stake. (Heartbeat staleness and exclusions depend on the call, so `selectProviders` checks
 * them.)
 *
 * @param p The provider.
 * @param job The job's requirements.
 * @param ctx Scoring context (for the minimum stake).
 * @returns `null` when the provider can take the job, else the first reason it cannot.
 *
 * @example
 * ```ts
 * import { createScoringContext, specRejectReason } from './score.ts'
 * if (specRejectReason(provider, job, createScoringContext()) === 'overBudget') console.log('too expensive')
 * ```
 */
export function specRejectReason(p: ProviderSnapshot, job: JobRequirements, ctx: ScoringContext): RejectReason | null {
  if (!(p.running < p.maxConcurrency)) return 'full';
  if (job.minMemoryBytes !== undefined && p.memoryBytes < job.minMemoryBytes) return 'memory';
  if (p.priceWei > job.maxPricePerProviderWei) return 'overBudget';
  if (!p.runtimes.includes(job.runtime)) return 'runtime';
  if (job.pipeline !== undefined && !p.pipelines.includes(job.pipeline)) return 'pipeline';
  if (job.executionProvider !== undefined && !p.executionProviders.includes(job.executionProvider)) {
    return 'executionProvider';
  }
  if (p.stake < ctx.minStakeWei) return 'understaked';
  return null;
}

/**
 * Soft spec fit: memory headroom above the job's minimum, log-scaled, reaching 1 at `memoryHeadroom` × the minimum
 * (less risk of running out of memory on inputs larger than expected). 1 when the job names no memory.
 *
 * @param p An eligible provider.
 * @param job The job's requirements.
 * @param ctx Scoring context.
 * @returns The fit factor in [0, 1].
 *
 * @example
 * ```ts
 * import { createScoringContext, fitFactor } from './score.ts'
 * fitFactor({ ...p, memoryBytes: 8 << 30 }, { ...job, minMemoryBytes: 4 << 30 }, createScoringContext()) // 1
 * ```
 */
export function fitFactor(p: ProviderSnapshot, job: JobRequirements, ctx: ScoringContext): number {
  const min = job.minMemoryBytes;
  if (min === undefined || min <= 0) return 1;
  const f = Math.log(p.memoryBytes / min) / ctx.logMemoryHeadroom;
  return f >= 1 ? 1 : f > 0 ? f : 0;
}

/**
 * Reputation: the posterior mean of a Beta(α, β) prior on the success rate, counting each slash as `slashWeight`
 * extra failures — `(completed + α) / (completed + failed + slashWeight·slashed + α + β)`. With α = β = 1 this is
 * Laplace's rule of succession, the estimator of Jøsang & Ismail's Beta Reputation System (2002): a newcomer scores
 * 0.5 and a few lucky jobs cannot outrank a long record.
 *
 * @param p The provider.
 * @param ctx Scoring context (α, β, slash weight).
 * @returns The reputation factor in (0, 1).
 *
 * @example
 * ```ts
 * import { createScoringContext, reputationFactor } from './score.ts'
 * reputationFactor({ ...p, completed: 98, failed: 0, slashed: 0 }, createScoringContext()) // 0.99
 * ```
 */
export function reputationFactor(p: ProviderSnapshot, ctx: ScoringContext): number {
  const good = p.completed + ctx.reputationAlpha;
  return good / (good + p.failed + ctx.slashWeight * p.slashed + ctx.reputationBeta);
}

/**
 * Price: the share of the per-provider budget the provider leaves unspent, `1 − ask / max`. 1 when both are 0.
 *
 * @param p A provider within budget.
 * @param job The job's requirements.
 * @returns The price factor in [0, 1].
 *
 * @example
 * ```ts
 * import { priceFactor } from './score.ts'
 * priceFactor({ ...p, priceWei: 25n }, { ...job, maxPricePerProviderWei: 100n }) // 0.75
 * ```
 */
export function priceFactor(p: ProviderSnapshot, job: JobRequirements): number {
  return priceShare(p.priceWei, Number(job.maxPricePerProviderWei));
}

const priceShare = (priceWei: bigint, max: number): number => {
  if (max <= 0) return priceWei <= 0n ? 1 : 0;
  const f = 1 - Number(priceWei) / max;
  return f > 0 ? (f < 1 ? f : 1) : 0;
};

/**
 * Load: the share of the provider's slots that are free, `1 − running / maxConcurrency`.
 *
 * @param p The provider.
 * @returns The load factor in [0, 1].
 *
 * @example
 * ```ts
 * import { loadFactor } from './score.ts'
 * loadFactor({ ...p, running: 1, maxConcurrency: 4 }) // 0.75
 * ```
 */
export function loadFactor(p: ProviderSnapshot): number {
  if (!(p.maxConcurrency > 0)) return 0;
  const f = 1 - p.running / p.maxConcurrency;
  return f > 0 ? (f < 1 ? f : 1) : 0;
}

/**
 * Latency: `L / (L + latencyMs)` for the reference latency L, so 0 ms scores 1, L scores 0.5 and the factor falls
 * smoothly towards 0. Needs no minimum or maximum over the pool, so it is stable as providers come and go.
 *
 * @param p The provider (its `latencyMs` is an EWMA, see {@link updateLatencyEwma}).
 * @param ctx Scoring context.
 * @returns The latency factor in [0, 1]; `ctx.unknownLatency` when never measured.
 *
 * @example
 * ```ts
 * import { createScoringContext, latencyFactor } from './score.ts'
 * latencyFactor({ ...p, latencyMs: 1000 }, createScoringContext()) // 0.5
 * ```
 */
export function latencyFactor(p: ProviderSnapshot, ctx: ScoringContext): number {
  const ms = p.latencyMs;
  if (ms === null || !(ms >= 0)) return ctx.unknownLatency;
  return ctx.latencyReferenceMs / (ctx.latencyReferenceMs + ms);
}

/**
 * Stake: `log(stake / minStake) / log(stakeSaturation)`, clamped to [0, 1]. Log-scaled so doubling a stake always
 * adds the same, and saturating so a whale cannot buy the top slot with stake alone. The reference is 1 SOUK when
 * the minimum stake is 0.
 *
 * @param p The provider.
 * @param ctx Scoring context.
 * @returns The stake factor in [0, 1].
 *
 * @example
 * ```ts
 * import { createScoringContext, stakeFactor } from './score.ts'
 * stakeFactor({ ...p, stake: 1000n }, createScoringContext({ minStakeWei: 100n })) // 0.5 (10× of 100× saturation)
 * ```
 */
export function stakeFactor(p: ProviderSnapshot, ctx: ScoringContext): number {
  const ratio = Number(p.stake) / ctx.stakeReference;
  if (!(ratio > 1)) return 0;
  const f = Math.log(ratio) / ctx.logStakeSaturation;
  return f < 1 ? f : 1;
}

/**
 * Cache bonus: 1 when the provider advertises the job's model CID (no download, no cold start), else 0.
 *
 * @param p The provider.
 * @param job The job's requirements.
 * @returns 1 or 0.
 *
 * @example
 * ```ts
 * import { cacheFactor } from './score.ts'
 * cacheFactor({ ...p, cachedModels: [job.modelCid] }, job) // 1
 * ```
 */
export function cacheFactor(p: ProviderSnapshot, job: JobRequirements): number {
  return p.cachedModels.includes(job.modelCid) ? 1 : 0;
}

/**
 * The score of an eligible provider: the weighted sum of the seven factors, with no allocation. Call
 * {@link specRejectReason} first: the result is meaningless for a provider it rejects.
 *
 * @param p An eligible provider.
 * @param job The job's requirements.
 * @param ctx Scoring context.
 * @returns The score in [0, 1].
 *
 * @example
 * ```ts
 * import { createScoringContext, providerScore, specRejectReason } from './score.ts'
 * const ctx = createScoringContext()
 * const score = specRejectReason(p, job, ctx) === null ? providerScore(p, job, ctx) : -1
 * ```
 */
export function providerScore(p: ProviderSnapshot, job: JobRequirements, ctx: ScoringContext): number {
  return scoreIfAtLeast(p, job, ctx, Number(job.maxPricePerProviderWei), Number.NEGATIVE_INFINITY);
}

/** Slack on pruning bounds, far above float rounding of a sum of seven terms in [0, 1]. */
const BOUND_EPSILON = 1e-9;

/**
 * The selection's hot path: the score of an eligible provider, or `-Infinity` as soon as the factors still to
 * compute cannot lift it to `threshold` (branch and bound). The cheap factors (reputation, load, latency, fit) come
 * first, then price, stake and the cache bonus, checking the bound between them; a factor with weight 0 is skipped.
 * When it returns a number, that number is bit-identical to {@link providerScore} (same terms, same order).
 *
 * @param p An eligible provider.
 * @param job The job's requirements.
 * @param ctx Scoring context.
 * @param maxPrice `Number(job.maxPricePerProviderWei)`, converted once per selection.
 * @param threshold The score to reach (the current k-th best); `-Infinity` disables pruning.
 * @returns The score in [0, 1], or `-Infinity` when it is surely below `threshold`.
 *
 * @example
 * ```ts
 * import { createScoringContext, scoreIfAtLeast } from './score.ts'
 * const ctx = createScoringContext()
 * const score = scoreIfAtLeast(p, job, ctx, Number(job.maxPricePerProviderWei), kthBest)
 * if (score !== -Infinity) insert(p, score)
 * ```
 */
export function scoreIfAtLeast(
  p: ProviderSnapshot,
  job: JobRequirements,
  ctx: ScoringContext,
  maxPrice: number,
  threshold: number,
): number {
  const w = ctx.weights;
  let s = w.reputation * reputationFactor(p, ctx);
  if (w.load !== 0) s += w.load * loadFactor(p);
  if (w.latency !== 0) s += w.latency * latencyFactor(p, ctx);
  if (w.fit !== 0) s += w.fit * fitFactor(p, job, ctx);
  if (s + w.price + w.stake + w.cache + BOUND_EPSILON < threshold) return Number.NEGATIVE_INFINITY;
  if (w.price !== 0) {
    s += w.price * priceShare(p.priceWei, maxPrice);
    if (s + w.stake + w.cache + BOUND_EPSILON < threshold) return Number.NEGATIVE_INFINITY;
  }
  if (w.stake !== 0) {
    s += w.stake * stakeFactor(p, ctx);
    if (s + w.cache + BOUND_EPSILON < threshold) return Number.NEGATIVE_INFINITY;
  }
  if (w.cache !== 0) s += w.cache * cacheFactor(p, job);
  return s;
}

/**
 * The score of an eligible provider with every factor, to explain a ranking (API, logs).
 *
 * @param p An eligible provider.
 * @param job The job's requirements.
 * @param ctx Scoring context.
 * @returns The score (equal to {@link providerScore}) and the factor values.
 *
 * @example
 * ```ts
 * import { createScoringContext, scoreProvider } from './score.ts'
 * const { score, factors } = scoreProvider(p, job, createScoringContext())
 * console.log(score.toFixed(3), factors.reputation)
 * ```
 */
export function scoreProvider(p: ProviderSnapshot, job: JobRequirements, ctx: ScoringContext): ScoreBreakdown {
  return {
    score: providerScore(p, job, ctx),
    factors: {
      fit: fitFactor(p, job, ctx),
      reputation: reputationFactor(p, ctx),
      price: priceFactor(p, job),
      load: loadFactor(p),
      latency: latencyFactor(p, ctx),
      stake: stakeFactor(p, ctx),
      cache: cacheFactor(p, job),
    },
  };
}

/**
 * The ranking order: higher score first, then lower address (plain string order), so equal scores always rank the
 * same way.
 *
 * @param aScore Score of the first provider.
 * @param aAddress Address of the first provider.
 * @param bScore Score of the second provider.
 * @param bAddress Address of the second provider.
 * @returns A negative number when the first ranks before the second, positive when after, 0 for the same address.
 *
 * @example
 * ```ts
 * import { compareRanked } from './score.ts'
 * ranked.sort((a, b) => compareRanked(a.score, a.address, b.score, b.address))
 * ```
 */
export function compareRanked(aScore: number, aAddress: string, bScore: number, bAddress: string): number {
  if (aScore !== bScore) return aScore > bScore ? -1 : 1;
  return aAddress < bAddress ? -1 : aAddress > bAddress ? 1 : 0;
}

/**
 * Folds one observed latency into an exponentially weighted moving average: `prev + α·(sample − prev)`.
 * With the default α = 0.2 a sample's weight halves about every 3 observations.
 *
 * @param previousMs The current EWMA in ms, or `null` before the first observation (the sample is then the EWMA).
 * @param sampleMs The observed latency, in ms.
 * @param alpha Smoothing factor in (0, 1]. @default 0.2
 * @returns The new EWMA, in ms.
 * @throws {InvalidScoreOptionsError} When `alpha` is outside (0, 1] or the sample is negative or not finite.
 *
 * @example
 * ```ts
 * import { updateLatencyEwma } from './score.ts'
 * provider.latencyMs = updateLatencyEwma(provider.latencyMs, 420)
 * ```
 */
export function updateLatencyEwma(previousMs: number | null, sampleMs: number, alpha = 0.2): number {
  if (!(alpha > 0 && alpha <= 1)) throw new InvalidScoreOptionsError({ reason: 'alpha must be in (0, 1]' });
  if (!Number.isFinite(sampleMs) || sampleMs < 0) {
    throw new InvalidScoreOptionsError({ reason: 'a latency sample must be a finite number >= 0' });
  }
  return previousMs === null ? sampleMs : previousMs + alpha * (sampleMs - previousMs);
}
