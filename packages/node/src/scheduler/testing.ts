/**
 * Test and benchmark helpers for `src/scheduler` (imported by `*.test.ts` and `*.bench.ts` only): a seeded PRNG
 * and reproducible pools of random providers.
 */
import type { Address } from 'viem';
import type { JobRequirements, ProviderSnapshot } from './score.ts';

/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every machine.
 *
 * @param seed Any 32-bit integer.
 * @returns A function returning floats in [0, 1).
 *
 * @example
 * ```ts
 * import { seededRandom } from './testing.ts'
 * const random = seededRandom(42)
 * random() // 0.6011…
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One SOUK (or one unit of an 18-decimals payment token), in wei. */
export const ONE = 10n ** 18n;
/** The minimum stake the random pools assume, in wei of SOUK. */
export const MIN_STAKE = 100n * ONE;
/** Model CIDs the random pools cache from. */
export const MODEL_CIDS = Array.from({ length: 20 }, (_, i) => `bafkreimodel${String(i).padStart(4, '0')}`);

const PIPELINES = ['ocr', 'text-classification', 'embedding', 'image-classification'];
const GiB = 2 ** 30;

/**
 * A provider with sensible defaults (fresh heartbeat at `now = 1_000_000`, idle, cheap, staked 10× the minimum),
 * overridden by `fields`.
 *
 * @param fields Fields to set.
 * @returns A provider snapshot.
 *
 * @example
 * ```ts
 * import { makeProvider } from './testing.ts'
 * const p = makeProvider({ address: '0x01', operator: 'a', completed: 50 })
 * ```
 */
export function makeProvider(fields: Partial<ProviderSnapshot> = {}): ProviderSnapshot {
  return {
    address: '0x0000000000000000000000000000000000000001',
    operator: 'op-1',
    stake: 10n * MIN_STAKE,
    completed: 10,
    failed: 1,
    slashed: 0,
    priceWei: ONE / 1000n,
    runtimes: ['onnxruntime'],
    pipelines: ['ocr'],
    executionProviders: ['cpu'],
    memoryBytes: 16 * GiB,
    maxConcurrency: 4,
    running: 1,
    latencyMs: 800,
    cachedModels: [],
    lastHeartbeatMs: 1_000_000,
    ...fields,
  };
}

/**
 * A job that most random providers can take: onnxruntime, OCR, 4 GiB, 0.01 token per provider.
 *
 * @param fields Fields to override.
 * @returns Job requirements.
 *
 * @example
 * ```ts
 * import { makeJob } from './testing.ts'
 * const job = makeJob({ redundancy: 3 })
 * ```
 */
export function makeJob(fields: Partial<JobRequirements> = {}): JobRequirements {
  return {
    modelCid: MODEL_CIDS[0],
    runtime: 'onnxruntime',
    pipeline: 'ocr',
    minMemoryBytes: 4 * GiB,
    maxPricePerProviderWei: ONE / 100n,
    redundancy: 3,
    ...fields,
  };
}

/**
 * A reproducible pool of `n` random providers: about n / 3 operators, 5 % stale heartbeats (at `now = 1_000_000`
 * with a 30 s timeout), 10 % never measured, mixed runtimes, pipelines, execution providers, memory, load, prices
 * (some over the default job's budget), stakes and caches.
 *
 * @param n Providers to make.
 * @param seed PRNG seed.
 * @returns The pool.
 *
 * @example
 * ```ts
 * import { randomProviders } from './testing.ts'
 * const pool = randomProviders(10_000, 1)
 * ```
 */
export function randomProviders(n: number, seed: number): ProviderSnapshot[] {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const operators = Math.max(1, Math.floor(n / 3));
  const out: ProviderSnapshot[] = [];
  for (let i = 0; i < n; i++) {
    const maxConcurrency = int(1, 8);
    const pipelines = PIPELINES.filter(() => random() < 0.6);
    const cachedModels: string[] = [];
    for (let c = int(0, 3); c > 0; c--) cachedModels.push(MODEL_CIDS[int(0, MODEL_CIDS.length - 1)]);
    const completed = int(0, 2000);
    out.push({
      address: `0x${(i + 1).toString(16).padStart(40, '0')}` as Address,
      operator: `op-${int(0, operators - 1)}`,
      stake: MIN_STAKE + BigInt(int(0, 100_000)) * (MIN_STAKE / 100n),
      completed,
      failed: int(0, Math.ceil(completed / 10)),
      slashed: random() < 0.1 ? int(1, 5) : 0,
      priceWei: BigInt(int(1, 1500)) * 10n ** 13n,
      runtimes: random() < 0.9 ? ['onnxruntime'] : ['llama.cpp'],
      pipelines,
      executionProviders: random() < 0.3 ? ['cpu', 'cuda'] : ['cpu'],
      memoryBytes: int(2, 64) * GiB,
      maxConcurrency,
      running: int(0, maxConcurrency),
      latencyMs: random() < 0.1 ? null : int(50, 5000),
      cachedModels,
      lastHeartbeatMs: random() < 0.05 ? 1_000_000 - 60_000 : 1_000_000 - int(0, 20_000),
    });
  }
  return out;
}
