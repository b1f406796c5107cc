/**
 * A struct-of-arrays provider pool for repeated selections: the providers' numbers live in typed arrays, the
 * candidates of a (runtime, pipeline) pair are listed once, and the job-independent part of each score is computed
 * once per scoring context. {@link selectFromPool} then returns exactly what `selectProviders` returns on the same
 * snapshots, in a fraction of the time. `docs/scheduler.md`, "The pool", has the layout and the figures.
 */
import {
  assertJobRequirements,
  compareRanked,
  createScoringContext,
  type JobRequirements,
  latencyFactor,
  loadFactor,
  type ProviderSnapshot,
  reputationFactor,
  type ScoringContext,
  stakeFactor,
} from './score.ts';
import { type SelectedProvider, type SelectProvidersOptions, selectProviders } from './select.ts';

/** What a pool caches per scoring context. */
type ContextPart = {
  /** `w.reputation·rep + w.load·load + w.latency·latency`, summed in `scoreIfAtLeast`'s order. */
  prefix: Float64Array;
  /** `stakeFactor`. */
  stake: Float64Array;
  /** 1 when stake ≥ the context's minimum stake. */
  staked: Uint8Array;
};

const BOUND_EPSILON = 1e-9;

/**
 * Providers laid out for {@link selectFromPool}. Build it once from the snapshots and keep it while they do not
 * change; {@link ProviderPool.update} replaces one provider in place (a heartbeat, a reservation).
 *
 * @example
 * ```ts
 * import { ProviderPool, selectFromPool } from './pool.ts'
 * const pool = new ProviderPool(snapshots)
 * const ctx = createScoringContext({ minStakeWei })
 * const picked = selectFromPool(pool, job, { now: Date.now(), heartbeatTimeoutMs: 30_000, context: ctx })
 * ```
 */
export class ProviderPool {
  /** The snapshots, by index (`update` replaces entries). */
  readonly snapshots: ProviderSnapshot[];
  readonly #index = new Map<string, number>();
  #heartbeat: Float64Array;
  #free: Uint8Array;
  #memory: Float64Array;
  #price: Float64Array;
  /** Candidates per `runtime \0 pipeline` (pipeline empty = any), built on first use. */
  #buckets = new Map<string, Int32Array>();
  /** Providers per cached model CID. */
  #cached = new Map<string, number[]>();
  /** Providers per execution provider, as a mask, built on first use. */
  #executionProviders = new Map<string, Uint8Array>();
  #contexts = new WeakMap<ScoringContext, ContextPart>();
  /** Scratch marks (exclusions, cache hits), cleared after each call. */
  #excluded: Uint8Array;
  #hit: Uint8Array;

  /**
   * @param snapshots The providers (copied by reference; treat them as immutable and use {@link update}).
   * @throws {Error} When two snapshots share an address.
   */
  constructor(snapshots: readonly ProviderSnapshot[]) {
    const n = snapshots.length;
    this.snapshots = [...snapshots];
    this.#heartbeat = new Float64Array(n);
    this.#free = new Uint8Array(n);
    this.#memory = new Float64Array(n);
    this.#price = new Float64Array(n);
    this.#excluded = new Uint8Array(n);
    this.#hit = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const p = this.snapshots[i];
      if (this.#index.has(p.address)) throw new Error(`Provider ${p.address} is in the pool twice.`);
      this.#index.set(p.address, i);
      this.#fill(i, p);
      for (const cid of p.cachedModels) {
        const list = this.#cached.get(cid);
        if (list) list.push(i);
        else this.#cached.set(cid, [i]);
      }
    }
  }

  /** Providers in the pool. */
  get size(): number {
    return this.snapshots.length;
  }

  #fill(i: number, p: ProviderSnapshot) {
    this.#heartbeat[i] = p.lastHeartbeatMs;
    this.#free[i] = p.running < p.maxConcurrency ? 1 : 0;
    this.#memory[i] = p.memoryBytes;
    this.#price[i] = Number(p.priceWei);
  }

  /**
   * Replaces a provider's snapshot (same address), keeping every cache exact.
   * @throws {Error} When no provider of that address is in the pool.
   */
  update(snapshot: ProviderSnapshot): void {
    const i = this.#index.get(snapshot.address);
    if (i === undefined) throw new Error(`Provider ${snapshot.address} is not in the pool.`);
    const before = this.snapshots[i];
    this.snapshots[i] = snapshot;
    this.#fill(i, snapshot);
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, j) => x === b[j]);
    if (!same(before.runtimes, snapshot.runtimes) || !same(before.pipelines, snapshot.pipelines)) this.#buckets.clear();
    if (!same(before.executionProviders, snapshot.executionProviders)) this.#executionProviders.clear();
    if (!same(before.cachedModels, snapshot.cachedModels)) {
      for (const cid of before.cachedModels) {
        const list = this.#cached.get(cid);
        if (list) list.splice(list.indexOf(i), 1);
      }
      for (const cid of snapshot.cachedModels) {
        const list = this.#cached.get(cid);
        if (list) list.push(i);
        else this.#cached.set(cid, [i]);
      }
    }
    this.#contexts = new WeakMap();
  }

  /** @internal The candidate list of a runtime and pipeline. */
  bucket(runtime: string, pipeline: string | undefined): Int32Array {
    const key = `${runtime}\0${pipeline ?? ''}`;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      const out: number[] = [];
      for (let i = 0; i < this.snapshots.length; i++) {
        const p = this.snapshots[i];
        if (p.runtimes.includes(runtime) && (pipeline === undefined || p.pipelines.includes(pipeline))) out.push(i);
      }
      bucket = Int32Array.from(out);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  /** @internal The job-independent score parts under a context. */
  context(ctx: ScoringContext): ContextPart {
    let part = this.#contexts.get(ctx);
    if (!part) {
      const n = this.snapshots.length;
      part = { prefix: new Float64Array(n), stake: new Float64Array(n), staked: new Uint8Array(n) };
      const w = ctx.weights;
      for (let i = 0; i < n; i++) {
        const p = this.snapshots[i];
        let s = w.reputation * reputationFactor(p, ctx);
        if (w.load !== 0) s += w.load * loadFactor(p);
        if (w.latency !== 0) s += w.latency * latencyFactor(p, ctx);
        part.prefix[i] = s;
        part.stake[i] = stakeFactor(p, ctx);
        part.staked[i] = p.stake >= ctx.minStakeWei ? 1 : 0;
      }
      this.#contexts.set(ctx, part);
    }
    return part;
  }

  /** @internal */
  executionProviderMask(name: string): Uint8Array {
    let mask = this.#executionProviders.get(name);
    if (!mask) {
      mask = Uint8Array.from(this.snapshots, (p) => (p.executionProviders.includes(name) ? 1 : 0));
      this.#executionProviders.set(name, mask);
    }
    return mask;
  }

  /** @internal Typed columns and scratch marks. */
  columns() {
    return {
      heartbeat: this.#heartbeat,
      free: this.#free,
      memory: this.#memory,
      price: this.#price,
      excluded: this.#excluded,
      hit: this.#hit,
      index: this.#index,
      cached: this.#cached,
    };
  }
}

/**
 * `selectProviders` over a {@link ProviderPool}: the same r providers (same scores, same order), the same errors.
 * One pass over the job's (runtime, pipeline) candidates only, reading typed arrays; a candidate whose best possible
 * score cannot enter the top k is dropped after one addition. Time O(c + k² log(c / k)) for c candidates; the
 * cases the top-k buffer cannot settle (operators crowding the buffer, too few providers) are handed to
 * `selectProviders` on the pool's snapshots, which is exact.
 *
 * Pass `options.context` (built once with `createScoringContext`): the pool caches the job-independent score parts
 * per context object, so a new context per call costs one O(n) pass.
 *
 * @param pool The providers.
 * @param job The job's requirements; `redundancy` is r.
 * @param options As for `selectProviders`.
 * @returns r providers of distinct operators, best first.
 * @throws {NotEnoughProvidersError} When fewer than r distinct operators have an eligible provider.
 * @throws {InvalidJobRequirementsError} When r is not in 1..5 or the budget is negative.
 * @throws {InvalidScoreOptionsError} When the weights or scoring options are invalid.
 *
 * @example
 * ```ts
 * import { ProviderPool, selectFromPool } from './pool.ts'
 * const picked = selectFromPool(new ProviderPool(snapshots), job, { now: Date.now(), heartbeatTimeoutMs: 30_000, context })
 * ```
 */
export function selectFromPool(
  pool: ProviderPool,
  job: JobRequirements,
  options: SelectProvidersOptions,
): SelectedProvider[] {
  assertJobRequirements(job);
  const ctx = options.context ?? createScoringContext(options);
  const withContext = options.context === ctx ? options : { ...options, context: ctx };
  const { now, heartbeatTimeoutMs, exclude, candidateFactor = 4 } = options;
  const r = job.redundancy;
  const k = r * Math.max(1, Math.floor(candidateFactor));
  const oldest = now - heartbeatTimeoutMs;
  const { heartbeat, free, memory, price, excluded, hit, index, cached } = pool.columns();
  const { prefix, stake, staked } = pool.context(ctx);
  const candidates = pool.bucket(job.runtime, job.pipeline);
  const epMask = job.executionProvider === undefined ? undefined : pool.executionProviderMask(job.executionProvider);
  const snapshots = pool.snapshots;
  const w = ctx.weights;
  const minMemory = job.minMemoryBytes;
  const fitMin = minMemory !== undefined && minMemory > 0 ? minMemory : 0;
  const budget = job.maxPricePerProviderWei;
  const maxPrice = Number(budget);
  const headroom = w.fit + w.price + w.stake + w.cache + BOUND_EPSILON;

  const marked: number[] = [];
  if (exclude !== undefined) {
    for (const address of exclude) {
      const i = index.get(address);
      if (i !== undefined && excluded[i] === 0) {
        excluded[i] = 1;
        marked.push(i);
      }
    }
  }
  const hits = cached.get(job.modelCid) ?? [];
  for (const i of hits) hit[i] = 1;

  const topScore = new Float64Array(k);
  const topIndex = new Int32Array(k);
  let count = 0;
  let threshold = Number.NEGATIVE_INFINITY;
  try {
    for (let c = 0; c < candidates.length; c++) {
      const i = candidates[c];
      if (heartbeat[i] < oldest || excluded[i] === 1 || free[i] === 0 || staked[i] === 0) continue;
      if (minMemory !== undefined && memory[i] < minMemory) continue;
      // Number() rounds monotonically, so only equal doubles need the exact bigint comparison.
      const ask = price[i];
      if (ask > maxPrice || (ask === maxPrice && snapshots[i].priceWei > budget)) continue;
      if (epMask !== undefined && epMask[i] === 0) continue;
      let s = prefix[i];
      if (count === k && s + headroom < threshold) continue;
      if (w.fit !== 0) {
        let f = 1;
        if (fitMin > 0) {
          f = Math.log(memory[i] / fitMin) / ctx.logMemoryHeadroom;
          f = f >= 1 ? 1 : f > 0 ? f : 0;
        }
        s += w.fit * f;
      }
      if (w.price !== 0) {
        let f: number;
        if (maxPrice <= 0) f = snapshots[i].priceWei <= 0n ? 1 : 0;
        else {
          f = 1 - ask / maxPrice;
          f = f > 0 ? (f < 1 ? f : 1) : 0;
        }
        s += w.price * f;
      }
      if (w.stake !== 0) s += w.stake * stake[i];
      if (w.cache !== 0) s += w.cache * hit[i];
      if (count === k) {
        if (s < threshold || (s === threshold && snapshots[i].address > snapshots[topIndex[k - 1]].address)) continue;
      }
      const address = snapshots[i].address;
      let j = count < k ? count++ : k - 1;
      while (j > 0 && compareRanked(s, address, topScore[j - 1], snapshots[topIndex[j - 1]].address) < 0) {
        topScore[j] = topScore[j - 1];
        topIndex[j] = topIndex[j - 1];
        j--;
      }
      topScore[j] = s;
      topIndex[j] = i;
      if (count === k) threshold = topScore[k - 1];
    }
  } finally {
    for (const i of marked) excluded[i] = 0;
    for (const i of hits) hit[i] = 0;
  }

  const picked: SelectedProvider[] = [];
  const operators = new Set<string>();
  for (let j = 0; j < count && picked.length < r; j++) {
    const p = snapshots[topIndex[j]];
    if (operators.has(p.operator)) continue;
    operators.add(p.operator);
    picked.push({ provider: p, score: topScore[j] });
  }
  if (picked.length === r) return picked;
  // Operators crowd the buffer, or too few are eligible: the exact path (its fallback, or the error with the
  // rejection counts).
  return selectProviders(snapshots, job, withContext);
}
