/**
 * Picks the r providers of a compute job: one pass over the pool with a bounded top-k, then a greedy pick of
 * distinct operators. `docs/scheduler.md` has the algorithm, its proof of exactness and its complexity.
 */
import {
  type InvalidJobRequirementsError,
  type InvalidScoreOptionsError,
  NotEnoughProvidersError,
  type RejectReason,
} from './errors.ts';
import {
  assertJobRequirements,
  compareRanked,
  createScoringContext,
  type JobRequirements,
  type ProviderSnapshot,
  providerScore,
  type ScoreOptions,
  type ScoringContext,
  scoreIfAtLeast,
  specRejectReason,
} from './score.ts';

/** Parameters of {@link selectProviders} besides the pool and the job. */
export type SelectProvidersOptions = ScoreOptions & {
  /** The current time, in milliseconds since the epoch (passed in so selection is a pure function). */
  now: number;
  /** A provider whose last heartbeat is more than this many milliseconds old is skipped as stale. */
  heartbeatTimeoutMs: number;
  /** Addresses never to pick, e.g. providers that already failed or hold a slot of this job. */
  exclude?: ReadonlySet<string> | undefined;
  /**
   * Candidates kept per slot: the top-k buffer holds k = r × `candidateFactor` providers, so up to
   * `candidateFactor − 1` of the best providers per slot may share an operator before the exact fallback runs.
   * @default 4
   */
  candidateFactor?: number | undefined;
  /** A context built once with `createScoringContext`; when given, the {@link ScoreOptions} fields are ignored. */
  context?: ScoringContext | undefined;
};

/** One picked provider. */
export type SelectedProvider = {
  /** The provider. */
  provider: ProviderSnapshot;
  /** Its score in [0, 1]. */
  score: number;
};

/** What {@link selectProviders} returns: r providers of distinct operators, best first. */
export type SelectProvidersReturnType = SelectedProvider[];

/** Errors {@link selectProviders} throws. */
export type SelectProvidersErrorType = NotEnoughProvidersError | InvalidJobRequirementsError | InvalidScoreOptionsError;

const newRejectCounts = (): Record<RejectReason, number> => ({
  stale: 0,
  excluded: 0,
  runtime: 0,
  pipeline: 0,
  executionProvider: 0,
  memory: 0,
  overBudget: 0,
  full: 0,
  understaked: 0,
});

/**
 * Chooses `job.redundancy` (r) providers for a job: every one passes the hard filters (live heartbeat, not
 * excluded, spec, budget, a free slot, minimum stake), no two share an operator, and among such sets it is the one
 * a greedy pick down the full ranking (score descending, address ascending) would return.
 *
 * One pass scores each eligible provider and keeps the k = r × `candidateFactor` best in a sorted buffer; the
 * greedy pick then walks that buffer. Time O(n + k² log(n / k)) expected (each provider costs O(1) unless it enters
 * the buffer, which happens O(k log(n / k)) times for a pool in random order), memory O(k). Only when one operator
 * fills so much of the buffer that fewer than r operators remain does a second O(n) pass keep each operator's best
 * provider instead (exact in every case).
 *
 * @param providers The pool (not modified).
 * @param job The job's requirements; `redundancy` is r.
 * @param options Time, heartbeat timeout, exclusions and scoring options.
 * @returns r providers of distinct operators, best first.
 * @throws {NotEnoughProvidersError} When fewer than r distinct operators have an eligible provider.
 * @throws {InvalidJobRequirementsError} When r is not in 1..5 or the budget is negative.
 * @throws {InvalidScoreOptionsError} When the weights or scoring options are invalid.
 *
 * @example
 * ```ts
 * import { selectProviders } from './select.ts'
 * const picked = selectProviders(providers, { modelCid, runtime: 'onnxruntime', maxPricePerProviderWei: 10n ** 15n, redundancy: 3 }, {
 *   now: Date.now(),
 *   heartbeatTimeoutMs: 30_000,
 *   exclude: new Set(failedOnThisJob),
 * })
 * await assignProviders(jobId, picked.map((s) => s.provider.address))
 * ```
 */
export function selectProviders(
  providers: readonly ProviderSnapshot[],
  job: JobRequirements,
  options: SelectProvidersOptions,
): SelectProvidersReturnType {
  assertJobRequirements(job);
  const ctx = options.context ?? createScoringContext(options);
  const { now, heartbeatTimeoutMs, exclude, candidateFactor = 4 } = options;
  const r = job.redundancy;
  const k = r * Math.max(1, Math.floor(candidateFactor));
  const oldest = now - heartbeatTimeoutMs;
  const checkExclude = exclude !== undefined && exclude.size > 0;
  const rejected = newRejectCounts();

  // The top-k buffer, sorted best first: parallel arrays, no allocation per provider.
  const topScore = new Float64Array(k);
  const topIndex = new Int32Array(k);
  let count = 0;
  let eligible = 0;
  let score = 0;
  const maxPrice = Number(job.maxPricePerProviderWei);

  for (let i = 0; i < providers.length; i++) {
    const p = providers[i];
    if (p.lastHeartbeatMs < oldest) {
      rejected.stale++;
      continue;
    }
    if (checkExclude && exclude.has(p.address)) {
      rejected.excluded++;
      continue;
    }
    const reason = specRejectReason(p, job, ctx);
    if (reason !== null) {
      rejected[reason]++;
      continue;
    }
    eligible++;
    if (count < k) {
      score = providerScore(p, job, ctx);
    } else {
      // Branch and bound: stop scoring once the provider surely ranks below the current k-th.
      const lastScore = topScore[k - 1];
      score = scoreIfAtLeast(p, job, ctx, maxPrice, lastScore);
      if (score < lastScore || (score === lastScore && p.address > providers[topIndex[k - 1]].address)) continue;
    }
    // Insertion into the sorted buffer (k ≤ 5 × candidateFactor, so shifting beats a heap).
    let j = count < k ? count++ : k - 1;
    while (j > 0 && compareRanked(score, p.address, topScore[j - 1], providers[topIndex[j - 1]].address) < 0) {
      topScore[j] = topScore[j - 1];
      topIndex[j] = topIndex[j - 1];
      j--;
    }
    topScore[j] = score;
    topIndex[j] = i;
  }

  // Greedy pick of distinct operators down the buffer. The buffer is exactly the first `count` entries of the full
  // ranking, so if the pick completes inside it, it is the pick the full ranking gives.
  const picked: SelectedProvider[] = [];
  const operators = new Set<string>();
  for (let j = 0; j < count && picked.length < r; j++) {
    const p = providers[topIndex[j]];
    if (operators.has(p.operator)) continue;
    operators.add(p.operator);
    picked.push({ provider: p, score: topScore[j] });
  }
  if (picked.length === r) return picked;
  if (eligible <= count) {
    // The buffer held every eligible provider: there are not enough operators.
    throw new NotEnoughProvidersError({ needed: r, eligible, distinctOperators: operators.size, rejected });
  }
  return pickBestPerOperator(providers, job, ctx, oldest, checkExclude ? exclude : undefined, r, eligible, rejected);
}

/**
 * The exact fallback: each operator's best eligible provider, then the r best of those. The greedy pick down the
 * full ranking takes, for each operator, the first (best) of its providers it meets, so the two agree.
 */
function pickBestPerOperator(
  providers: readonly ProviderSnapshot[],
  job: JobRequirements,
  ctx: ScoringContext,
  oldest: number,
  exclude: ReadonlySet<string> | undefined,
  r: number,
  eligible: number,
  rejected: Record<RejectReason, number>,
): SelectedProvider[] {
  const best = new Map<string, SelectedProvider>();
  for (const p of providers) {
    if (p.lastHeartbeatMs < oldest) continue;
    if (exclude?.has(p.address)) continue;
    if (specRejectReason(p, job, ctx) !== null) continue;
    const score = providerScore(p, job, ctx);
    const current = best.get(p.operator);
    if (current === undefined || compareRanked(score, p.address, current.score, current.provider.address) < 0) {
      best.set(p.operator, { provider: p, score });
    }
  }
  if (best.size < r) {
    throw new NotEnoughProvidersError({ needed: r, eligible, distinctOperators: best.size, rejected });
  }
  return [...best.values()]
    .sort((a, b) => compareRanked(a.score, a.provider.address, b.score, b.provider.address))
    .slice(0, r);
}

/**
 * The reference implementation of {@link selectProviders}: filter, score and fully sort the pool, then pick
 * distinct operators greedily. O(n log n); used by tests to check the fast path and handy for explaining a choice.
 *
 * @param providers The pool.
 * @param job The job's requirements.
 * @param options As for {@link selectProviders} (`candidateFactor` is ignored).
 * @returns The same providers {@link selectProviders} returns, or fewer when not enough are eligible (no throw).
 *
 * @example
 * ```ts
 * import { rankAllProviders } from './select.ts'
 * const expected = rankAllProviders(providers, job, { now, heartbeatTimeoutMs: 30_000 })
 * ```
 */
export function rankAllProviders(
  providers: readonly ProviderSnapshot[],
  job: JobRequirements,
  options: SelectProvidersOptions,
): SelectedProvider[] {
  const ctx = options.context ?? createScoringContext(options);
  const oldest = options.now - options.heartbeatTimeoutMs;
  const ranked = providers
    .filter(
      (p) =>
        p.lastHeartbeatMs >= oldest &&
        !(options.exclude?.has(p.address) ?? false) &&
        specRejectReason(p, job, ctx) === null,
    )
    .map((provider) => ({ provider, score: providerScore(provider, job, ctx) }))
    .sort((a, b) => compareRanked(a.score, a.provider.address, b.score, b.provider.address));
  const operators = new Set<string>();
  const picked: SelectedProvider[] = [];
  for (const s of ranked) {
    if (picked.length === job.redundancy) break;
    if (operators.has(s.provider.operator)) continue;
    operators.add(s.provider.operator);
    picked.push(s);
  }
  return picked;
}
