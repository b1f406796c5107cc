/**
 * A provider pool kept ready for repeated selections. Heartbeats go in through {@link ProviderPool.upsert} (O(1) per
 * scoring context and candidate index); {@link selectFromPool} then returns exactly what `selectProviders` returns on
 * the same snapshots while visiting only the few candidates that can still reach the top k.
 *
 * Layout. The numbers a selection reads (heartbeat time, memory, ask) are typed columns. Per scoring context the pool
 * keeps each provider's job-independent score part (reputation, load, latency; stake separately, so a full score is
 * summed in `providerScore`'s order) and its *key*, that part plus the stake term. Per (context, runtime, pipeline)
 * an index holds the providers that have the runtime and pipeline, a free slot and the minimum stake, binned by key
 * in {@link KEY_BINS} bins; an inverted index lists the providers caching each model CID. A selection first visits
 * the candidates caching the job's model, then walks the bins from the best down, skipping those, and stops at the
 * first bin whose best possible score (bin top + the largest fit and price terms; the cache term is 0 there) is
 * below the k-th score found so far.
 * `docs/compute.md`, "Cost of a selection", and `bench/REPORT.md` have the figures.
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

/** Bins of a candidate index; the walk stops at bin granularity, so more bins prune more finely. */
export const KEY_BINS = 1024;

/** Coarse bins of a per-model index: a run of `KEY_BINS / HIT_BINS` key bins each. */
const HIT_BINS = 64;
const HIT_SHIFT = KEY_BINS / HIT_BINS;

/** Per-model indexes a candidate index keeps (the oldest built is dropped past this, and rebuilt when asked). */
export const MAX_MODEL_INDEXES = 64;

/** Scoring contexts a pool keeps indexes for at once (the oldest is dropped past this); the coordinator uses one. */
export const MAX_POOL_CONTEXTS = 4;

/** Slack on pruning bounds, far above float rounding of a sum of seven terms in [0, 1] (as in `score.ts`). */
const BOUND_EPSILON = 1e-9;

const sameStrings = (a: readonly string[], b: readonly string[]): boolean =>
  a === b || (a.length === b.length && a.every((x, j) => x === b[j]));

const grown = <T extends Float64Array | Int32Array | Uint8Array>(array: T, capacity: number, fill = 0): T => {
  const out = new (array.constructor as new (n: number) => T)(capacity);
  out.set(array);
  if (fill !== 0) out.fill(fill, array.length);
  return out;
};

/**
 * The candidates of a {@link CandidateIndex} that cache one model, in coarse key bins. Sparse (a map per member), as
 * a pool may serve many models.
 */
class ModelIndex {
  readonly bins: number[][] = Array.from({ length: HIT_BINS }, () => []);
  /** Per member: `slot · HIT_BINS + bin`. */
  readonly where = new Map<number, number>();

  bin(i: number): number {
    const at = this.where.get(i);
    return at === undefined ? -1 : at % HIT_BINS;
  }

  add(i: number, b: number): void {
    const list = this.bins[b];
    this.where.set(i, list.length * HIT_BINS + b);
    list.push(i);
  }

  remove(i: number): void {
    const at = this.where.get(i);
    if (at === undefined) return;
    const b = at % HIT_BINS;
    const slot = (at - b) / HIT_BINS;
    const list = this.bins[b];
    const last = list.pop() as number;
    if (last !== i) {
      list[slot] = last;
      this.where.set(last, at);
    }
    this.where.delete(i);
  }

  renumber(from: number, to: number): void {
    const at = this.where.get(from);
    if (at === undefined) return;
    const b = at % HIT_BINS;
    this.bins[b][(at - b) / HIT_BINS] = to;
    this.where.delete(from);
    this.where.set(to, at);
  }
}

/** The providers of one (runtime, pipeline) with a free slot and the minimum stake, binned by key. */
class CandidateIndex {
  readonly runtime: string;
  readonly pipeline: string | undefined;
  /** Provider indexes per bin (packed SMI arrays; order within a bin is irrelevant). */
  readonly bins: number[][] = Array.from({ length: KEY_BINS }, () => []);
  /** Bin of each provider, −1 when it is not a candidate. */
  bin: Int32Array;
  /** Position of each provider in its bin's list. */
  slot: Int32Array;
  /** Per model CID asked for, its candidates caching it (built on first use from the pool's inverted index). */
  readonly models = new Map<string, ModelIndex>();

  constructor(runtime: string, pipeline: string | undefined, capacity: number) {
    this.runtime = runtime;
    this.pipeline = pipeline;
    this.bin = new Int32Array(capacity).fill(-1);
    this.slot = new Int32Array(capacity);
  }

  admits(p: ProviderSnapshot, staked: boolean): boolean {
    return (
      staked &&
      p.running < p.maxConcurrency &&
      p.runtimes.includes(this.runtime) &&
      (this.pipeline === undefined || p.pipelines.includes(this.pipeline))
    );
  }

  add(i: number, b: number): void {
    const list = this.bins[b];
    this.slot[i] = list.length;
    list.push(i);
    this.bin[i] = b;
  }

  remove(i: number): void {
    const b = this.bin[i];
    if (b < 0) return;
    const list = this.bins[b];
    const last = list.pop() as number;
    if (last !== i) {
      list[this.slot[i]] = last;
      this.slot[last] = this.slot[i];
    }
    this.bin[i] = -1;
  }

  /** The candidates caching `cid`, given every provider caching it. */
  model(cid: string, caching: readonly number[]): ModelIndex {
    let index = this.models.get(cid);
    if (index === undefined) {
      index = new ModelIndex();
      for (const i of caching) if (this.bin[i] >= 0) index.add(i, Math.floor(this.bin[i] / HIT_SHIFT));
      this.models.set(cid, index);
      if (this.models.size > MAX_MODEL_INDEXES) this.models.delete(this.models.keys().next().value as string);
    }
    return index;
  }

  /** Moves provider i between the model indexes of `cids` after its bin became `target` (−1: not a candidate). */
  remodel(i: number, p: ProviderSnapshot, cids: Iterable<string>, target: number): void {
    for (const cid of cids) {
      const index = this.models.get(cid);
      if (index === undefined) continue;
      const to = target >= 0 && p.cachedModels.includes(cid) ? Math.floor(target / HIT_SHIFT) : -1;
      if (index.bin(i) === to) continue;
      index.remove(i);
      if (to >= 0) index.add(i, to);
    }
  }

  grow(capacity: number): void {
    this.bin = grown(this.bin, capacity, -1);
    this.slot = grown(this.slot, capacity);
  }
}

/** What a pool keeps per scoring context. */
class ContextPart {
  readonly ctx: ScoringContext;
  /** `w.reputation·rep + w.load·load + w.latency·latency`, summed in `scoreIfAtLeast`'s order. */
  prefix: Float64Array;
  /** `stakeFactor`. */
  stake: Float64Array;
  /** 1 when stake ≥ the context's minimum stake. */
  staked: Uint8Array;
  /** `prefix + w.stake·stake`: the job-independent part of the score, the key the indexes bin by. */
  key: Float64Array;
  /** Bins per unit of key: `KEY_BINS / (w.reputation + w.load + w.latency + w.stake)`, 0 when that sum is 0. */
  readonly scale: number;
  /** Candidate indexes by `runtime \0 pipeline` (pipeline empty = any). */
  readonly indexes = new Map<string, CandidateIndex>();

  constructor(ctx: ScoringContext, capacity: number) {
    this.ctx = ctx;
    this.prefix = new Float64Array(capacity);
    this.stake = new Float64Array(capacity);
    this.staked = new Uint8Array(capacity);
    this.key = new Float64Array(capacity);
    const w = ctx.weights;
    const keyMax = w.reputation + w.load + w.latency + w.stake;
    this.scale = keyMax > 0 ? KEY_BINS / keyMax : 0;
  }

  binOf(key: number): number {
    const b = Math.floor(key * this.scale);
    return b >= KEY_BINS ? KEY_BINS - 1 : b > 0 ? b : 0;
  }

  /**
   * Recomputes provider i's parts and moves it between bins as needed.
   * @param models The models whose indexes to re-check: those it caches, and those its previous snapshot cached.
   */
  refresh(i: number, p: ProviderSnapshot, models: Iterable<string> = p.cachedModels): void {
    const ctx = this.ctx;
    const w = ctx.weights;
    let s = w.reputation * reputationFactor(p, ctx);
    if (w.load !== 0) s += w.load * loadFactor(p);
    if (w.latency !== 0) s += w.latency * latencyFactor(p, ctx);
    const stake = stakeFactor(p, ctx);
    const staked = p.stake >= ctx.minStakeWei;
    this.prefix[i] = s;
    this.stake[i] = stake;
    this.staked[i] = staked ? 1 : 0;
    this.key[i] = s + w.stake * stake;
    const b = this.binOf(this.key[i]);
    for (const index of this.indexes.values()) {
      const target = index.admits(p, staked) ? b : -1;
      if (index.models.size > 0) index.remodel(i, p, models, target);
      if (target === index.bin[i]) continue;
      index.remove(i);
      if (target >= 0) index.add(i, target);
    }
  }

  index(runtime: string, pipeline: string | undefined, snapshots: readonly ProviderSnapshot[]): CandidateIndex {
    const name = `${runtime}\0${pipeline ?? ''}`;
    let index = this.indexes.get(name);
    if (index === undefined) {
      index = new CandidateIndex(runtime, pipeline, this.key.length);
      for (let i = 0; i < snapshots.length; i++) {
        if (index.admits(snapshots[i], this.staked[i] === 1)) index.add(i, this.binOf(this.key[i]));
      }
      this.indexes.set(name, index);
    }
    return index;
  }

  grow(capacity: number): void {
    this.prefix = grown(this.prefix, capacity);
    this.stake = grown(this.stake, capacity);
    this.staked = grown(this.staked, capacity);
    this.key = grown(this.key, capacity);
    for (const index of this.indexes.values()) index.grow(capacity);
  }

  /** Provider `from` (snapshot `p`) takes index `to` (the pool's swap-remove). */
  move(from: number, to: number, p: ProviderSnapshot): void {
    this.prefix[to] = this.prefix[from];
    this.stake[to] = this.stake[from];
    this.staked[to] = this.staked[from];
    this.key[to] = this.key[from];
    for (const index of this.indexes.values()) {
      const b = index.bin[from];
      index.bin[to] = b;
      index.slot[to] = index.slot[from];
      if (b >= 0) index.bins[b][index.slot[from]] = to;
      index.bin[from] = -1;
      for (const cid of p.cachedModels) index.models.get(cid)?.renumber(from, to);
    }
  }
}

/**
 * Providers laid out for {@link selectFromPool}. Build it once, feed it every heartbeat with {@link upsert} and
 * drop providers with {@link remove}; each costs O(1) per scoring context and candidate index (a provider that
 * changes runtimes or pipelines also re-checks its membership). Indexes are built on first use per scoring context
 * and (runtime, pipeline), in O(n); keep one scoring context (`createScoringContext`) for the pool's lifetime.
 *
 * Snapshots are held by reference: never mutate one in place, pass a new object to {@link upsert}.
 *
 * @example
 * ```ts
 * import { ProviderPool, selectFromPool } from './pool.ts'
 * import { createScoringContext } from './score.ts'
 * const pool = new ProviderPool(snapshots)
 * const context = createScoringContext({ minStakeWei })
 * bus.onHeartbeat((snapshot) => pool.upsert(snapshot))
 * const picked = selectFromPool(pool, job, { now: Date.now(), heartbeatTimeoutMs: 30_000, context })
 * ```
 */
export class ProviderPool {
  readonly #snapshots: ProviderSnapshot[] = [];
  readonly #index = new Map<string, number>();
  #capacity: number;
  #heartbeat: Float64Array;
  #memory: Float64Array;
  #price: Float64Array;
  /** Scratch exclusion marks, cleared after each call. */
  #excluded: Uint8Array;
  /** Providers per cached model CID (each provider once per CID). */
  readonly #cached = new Map<string, number[]>();
  /** Providers per execution provider, as a mask, built on first use. */
  readonly #executionProviders = new Map<string, Uint8Array>();
  /** Per scoring context, in insertion order (the first is dropped past {@link MAX_POOL_CONTEXTS}). */
  readonly #contexts = new Map<ScoringContext, ContextPart>();
  /** Scratch top-k buffer, grown to the largest k asked. */
  #topScore = new Float64Array(20);
  #topIndex = new Int32Array(20);

  /**
   * @param snapshots The providers (held by reference; see {@link upsert} for changes).
   * @throws {Error} When two snapshots share an address.
   */
  constructor(snapshots: readonly ProviderSnapshot[] = []) {
    this.#capacity = Math.max(16, snapshots.length);
    this.#heartbeat = new Float64Array(this.#capacity);
    this.#memory = new Float64Array(this.#capacity);
    this.#price = new Float64Array(this.#capacity);
    this.#excluded = new Uint8Array(this.#capacity);
    for (const p of snapshots) {
      if (this.#index.has(p.address)) throw new Error(`Provider ${p.address} is in the pool twice.`);
      this.#append(p);
    }
  }

  /** Providers in the pool. */
  get size(): number {
    return this.#snapshots.length;
  }

  /** The snapshots, in the pool's internal order (changes on {@link remove}). Do not modify. */
  get snapshots(): readonly ProviderSnapshot[] {
    return this.#snapshots;
  }

  /** The current snapshot of a provider, or `undefined` when it is not in the pool. */
  get(address: string): ProviderSnapshot | undefined {
    const i = this.#index.get(address);
    return i === undefined ? undefined : this.#snapshots[i];
  }

  /**
   * Adds a provider, or replaces its snapshot (same address): a heartbeat, a reservation, new on-chain counters.
   * Every index stays exact.
   *
   * @param snapshot The provider's new snapshot.
   */
  upsert(snapshot: ProviderSnapshot): void {
    const i = this.#index.get(snapshot.address);
    if (i === undefined) {
      this.#append(snapshot);
      return;
    }
    const before = this.#snapshots[i];
    this.#snapshots[i] = snapshot;
    this.#fill(i, snapshot);
    let models: Iterable<string> = snapshot.cachedModels;
    if (!sameStrings(before.cachedModels, snapshot.cachedModels)) {
      this.#uncache(i, before);
      this.#cache(i, snapshot);
      models = new Set([...before.cachedModels, ...snapshot.cachedModels]);
    }
    if (!sameStrings(before.executionProviders, snapshot.executionProviders)) {
      for (const [name, mask] of this.#executionProviders) mask[i] = snapshot.executionProviders.includes(name) ? 1 : 0;
    }
    for (const part of this.#contexts.values()) part.refresh(i, snapshot, models);
  }

  /**
   * Replaces a provider's snapshot (same address).
   * @throws {Error} When no provider of that address is in the pool.
   */
  update(snapshot: ProviderSnapshot): void {
    if (!this.#index.has(snapshot.address)) throw new Error(`Provider ${snapshot.address} is not in the pool.`);
    this.upsert(snapshot);
  }

  /**
   * Drops a provider (deregistered, or silent for good). The last provider takes its index.
   * @returns Whether it was in the pool.
   */
  remove(address: string): boolean {
    const i = this.#index.get(address);
    if (i === undefined) return false;
    const last = this.#snapshots.length - 1;
    const removed = this.#snapshots[i];
    for (const part of this.#contexts.values()) {
      for (const index of part.indexes.values()) {
        index.remove(i);
        for (const cid of removed.cachedModels) index.models.get(cid)?.remove(i);
      }
    }
    this.#uncache(i, this.#snapshots[i]);
    if (i !== last) {
      const moved = this.#snapshots[last];
      for (const cid of new Set(moved.cachedModels)) {
        const list = this.#cached.get(cid) as number[];
        list[list.indexOf(last)] = i;
      }
      this.#snapshots[i] = moved;
      this.#index.set(moved.address, i);
      this.#heartbeat[i] = this.#heartbeat[last];
      this.#memory[i] = this.#memory[last];
      this.#price[i] = this.#price[last];
      for (const mask of this.#executionProviders.values()) mask[i] = mask[last];
      for (const part of this.#contexts.values()) part.move(last, i, moved);
    }
    this.#snapshots.pop();
    this.#index.delete(address);
    return true;
  }

  #append(p: ProviderSnapshot): void {
    const i = this.#snapshots.length;
    if (i === this.#capacity) this.#grow(this.#capacity * 2);
    this.#snapshots.push(p);
    this.#index.set(p.address, i);
    this.#fill(i, p);
    this.#cache(i, p);
    for (const [name, mask] of this.#executionProviders) mask[i] = p.executionProviders.includes(name) ? 1 : 0;
    for (const part of this.#contexts.values()) part.refresh(i, p);
  }

  #grow(capacity: number): void {
    this.#capacity = capacity;
    this.#heartbeat = grown(this.#heartbeat, capacity);
    this.#memory = grown(this.#memory, capacity);
    this.#price = grown(this.#price, capacity);
    this.#excluded = grown(this.#excluded, capacity);
    for (const [name, mask] of this.#executionProviders) this.#executionProviders.set(name, grown(mask, capacity));
    for (const part of this.#contexts.values()) part.grow(capacity);
  }

  #cache(i: number, p: ProviderSnapshot): void {
    for (const cid of new Set(p.cachedModels)) {
      const list = this.#cached.get(cid);
      if (list === undefined) this.#cached.set(cid, [i]);
      else list.push(i);
    }
  }

  #uncache(i: number, p: ProviderSnapshot): void {
    for (const cid of new Set(p.cachedModels)) {
      const list = this.#cached.get(cid) as number[];
      const at = list.indexOf(i);
      const last = list.pop() as number;
      if (at < list.length) list[at] = last;
      if (list.length === 0) this.#cached.delete(cid);
    }
  }

  #fill(i: number, p: ProviderSnapshot): void {
    this.#heartbeat[i] = p.lastHeartbeatMs;
    this.#memory[i] = p.memoryBytes;
    this.#price[i] = Number(p.priceWei);
  }

  #part(ctx: ScoringContext): ContextPart {
    let part = this.#contexts.get(ctx);
    if (part === undefined) {
      part = new ContextPart(ctx, this.#capacity);
      for (let i = 0; i < this.#snapshots.length; i++) part.refresh(i, this.#snapshots[i]);
      this.#contexts.set(ctx, part);
      if (this.#contexts.size > MAX_POOL_CONTEXTS)
        this.#contexts.delete(this.#contexts.keys().next().value as ScoringContext);
    }
    return part;
  }

  #executionProviderMask(name: string): Uint8Array {
    let mask = this.#executionProviders.get(name);
    if (mask === undefined) {
      mask = new Uint8Array(this.#capacity);
      for (let i = 0; i < this.#snapshots.length; i++) {
        mask[i] = this.#snapshots[i].executionProviders.includes(name) ? 1 : 0;
      }
      this.#executionProviders.set(name, mask);
    }
    return mask;
  }

  /** The body of {@link selectFromPool} (a method, to read the private columns). */
  select(job: JobRequirements, options: SelectProvidersOptions): SelectedProvider[] {
    assertJobRequirements(job);
    const ctx = options.context ?? createScoringContext(options);
    const { now, heartbeatTimeoutMs, exclude, candidateFactor = 4 } = options;
    const r = job.redundancy;
    const k = r * Math.max(1, Math.floor(candidateFactor));
    if (k > this.#topScore.length) {
      this.#topScore = new Float64Array(k);
      this.#topIndex = new Int32Array(k);
    }
    const topScore = this.#topScore;
    const topIndex = this.#topIndex;
    const oldest = now - heartbeatTimeoutMs;
    const snapshots = this.#snapshots;
    const heartbeat = this.#heartbeat;
    const memory = this.#memory;
    const price = this.#price;
    const excluded = this.#excluded;
    const part = this.#part(ctx);
    const { prefix, stake, key } = part;
    const index = part.index(job.runtime, job.pipeline, snapshots);
    const bins = index.bins;
    const epMask = job.executionProvider === undefined ? undefined : this.#executionProviderMask(job.executionProvider);
    const w = ctx.weights;
    const minMemory = job.minMemoryBytes;
    const fitMin = minMemory !== undefined && minMemory > 0 ? minMemory : 0;
    const budget = job.maxPricePerProviderWei;
    const maxPrice = Number(budget);
    const modelCid = job.modelCid;
    const caching = this.#cached.get(modelCid);
    const hits = caching === undefined ? undefined : index.model(modelCid, caching).bins;
    // The most fit and price can add (the key already holds the rest, and providers caching the model, the only
    // ones the cache term lifts, are visited first).
    const headroom = w.fit + w.price + BOUND_EPSILON;
    const binWidth = part.scale > 0 ? 1 / part.scale : Number.POSITIVE_INFINITY;

    let marked: number[] | undefined;
    if (exclude !== undefined && exclude.size > 0) {
      marked = [];
      for (const address of exclude) {
        const i = this.#index.get(address);
        if (i !== undefined && excluded[i] === 0) {
          excluded[i] = 1;
          marked.push(i);
        }
      }
    }

    let count = 0;
    let threshold = Number.NEGATIVE_INFINITY;
    try {
      // Steps 0 … HIT_BINS − 1 walk the candidates caching the job's model (cache term 1), best coarse bin first;
      // the next KEY_BINS steps walk every candidate's bin, best first, skipping those (so the cache term is 0).
      // Each walk ends at the first bin whose top key plus the most the other terms can add misses the k-th score.
      for (let step = hits === undefined ? HIT_BINS : 0; step < HIT_BINS + KEY_BINS; step++) {
        let list: readonly number[];
        let cache = 0;
        const modelWalk = step < HIT_BINS;
        if (modelWalk) {
          const b = HIT_BINS - 1 - step;
          cache = w.cache;
          if (count === k && (b + 1) * HIT_SHIFT * binWidth + headroom + cache < threshold) {
            step = HIT_BINS - 1;
            continue;
          }
          list = (hits as number[][])[b];
        } else {
          const b = KEY_BINS - 1 - (step - HIT_BINS);
          if (count === k && (b + 1) * binWidth + headroom < threshold) break;
          list = bins[b];
        }
        for (let c = 0; c < list.length; c++) {
          const i = list[c];
          if (count === k && key[i] + headroom + cache < threshold) continue;
          // A candidate caching the model was visited (or pruned) in the first walk; checked only for the few here.
          if (!modelWalk && hits !== undefined && snapshots[i].cachedModels.includes(modelCid)) continue;
          if (heartbeat[i] < oldest || excluded[i] === 1) continue;
          if (minMemory !== undefined && memory[i] < minMemory) continue;
          // Number() rounds monotonically, so only equal doubles need the exact bigint comparison.
          const ask = price[i];
          if (ask > maxPrice || (ask === maxPrice && snapshots[i].priceWei > budget)) continue;
          if (epMask !== undefined && epMask[i] === 0) continue;
          // The score, term by term in `scoreIfAtLeast`'s order (so it is bit-identical to `providerScore`).
          let s = prefix[i];
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
          if (w.cache !== 0) s += cache;
          const address = snapshots[i].address;
          if (count === k) {
            if (s < threshold || (s === threshold && address > snapshots[topIndex[k - 1]].address)) continue;
          }
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
      }
    } finally {
      if (marked !== undefined) for (const i of marked) excluded[i] = 0;
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
    return selectProviders(snapshots, job, options.context === ctx ? options : { ...options, context: ctx });
  }
}

/**
 * `selectProviders` over a {@link ProviderPool}: the same r providers (same scores, bit for bit, same order, ties
 * by address), the same errors. The walk visits the job's (runtime, pipeline) candidates from the best key down
 * and stops once no remaining bin can reach the k-th score (k = r × `candidateFactor`); each visited candidate
 * costs a few typed-array reads and, if it can still enter the top k, a score. Nothing is allocated per candidate;
 * per call only the result, a set of operators and, with exclusions, a list of marks. Cases the top-k buffer cannot
 * settle (operators crowding it, too few providers) are handed to `selectProviders` on the pool's snapshots,
 * which is exact.
 *
 * Pass `options.context` built once with `createScoringContext`: the pool keeps its indexes per context object, so
 * a new context per call costs O(n) (and only {@link MAX_POOL_CONTEXTS} are kept).
 *
 * @param pool The providers.
 * @param job The job's requirements; `redundancy` is r.
 * @param options As for `selectProviders`: `now` (ms since the epoch), `heartbeatTimeoutMs`, `exclude`
 *   (addresses), `candidateFactor`, and `context` (or the scoring options it is built from).
 * @returns r providers of distinct operators, best first.
 * @throws {NotEnoughProvidersError} When fewer than r distinct operators have an eligible provider.
 * @throws {InvalidJobRequirementsError} When r is not in 1..5 or the budget is negative.
 * @throws {InvalidScoreOptionsError} When the weights or scoring options are invalid.
 *
 * @example
 * ```ts
 * import { ProviderPool, selectFromPool } from './pool.ts'
 * import { createScoringContext } from './score.ts'
 * const context = createScoringContext({ minStakeWei })
 * const picked = selectFromPool(pool, job, { now: Date.now(), heartbeatTimeoutMs: 30_000, exclude, context })
 * ```
 */
export function selectFromPool(
  pool: ProviderPool,
  job: JobRequirements,
  options: SelectProvidersOptions,
): SelectedProvider[] {
  return pool.select(job, options);
}
