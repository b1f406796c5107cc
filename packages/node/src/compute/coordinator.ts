/**
 * The node's compute coordinator: the scheduler loop that drives every running ComputeMarket job to settlement.
 * It holds SCHEDULER_ROLE and REFEREE_ROLE (the node operator's key) and reads every decision's inputs from the
 * chain, so a restarted node resumes each job where the chain says it is, and the contract's state machine makes
 * every settlement happen exactly once.
 *
 * Per tick (every `tickMs`, and at once on a relevant indexed event), for each job the index lists as running:
 *
 * | on-chain status | action |
 * | --- | --- |
 * | Open | select r providers (`scheduler/select.ts`) → `assignProviders` → assignment messages on the bus; after the deadline, `refund` |
 * | Assigned | no `received` notice from a provider `receiptTimeoutMs` after its assignment message → announce it again (a new message id); still none after `maxAnnouncements` → `reassignProvider` (no slash: it never got the work), or, when no replacement is available (or too little time is left to assign one), `releaseProvider` (slot vacated, no failure counted, stake lock released, never slashed); a vacated slot is filled (`reassignProvider(job, 0x0, replacement)`) once a provider is available with at least the minimum working time left. A provider that has not committed `commitTimeoutMs` after its assignment (or reported failure) → `reassignProvider` to the next best; after the deadline, `refund` (slashes the ones that never committed) |
 * | Revealing, all revealed (agreeing) | with probability `auditRate` re-execute (audit): equal → `finalize`; different → `challenge` + `settleDispute`; else `finalize` |
 * | Revealing, deadline passed | `refund` (slashes providers that did not reveal) |
 * | Disputed | re-execute as referee → `settleDispute(correctHash)` (the wrong side is slashed) |
 * | Open / Assigned, a provider's signed failure report | the referee runs the job: fails the same way → `failJob` (refund, nobody slashed); runs → the reporter missed its commit (`failure.ts`) |
 *
 * Audits make cheating unprofitable at r = 1: a provider that fakes a result gains at most the job's payment P,
 * and is caught with probability p = `auditRate`, losing the slash amount S; cheating has negative expectation
 * when p·S > (1 − p)·P, i.e. roughly S ≥ P / p (stake ≥ payment / audit rate). With the defaults (S = 100 SOUK,
 * p = 5 %) jobs paying up to the value of 5 SOUK are covered; raise p or S for larger jobs (docs/compute.md).
 */
import { randomInt } from 'node:crypto';
import { computeMarketAbi, providerRegistryAbi } from '@souk/contracts';
import type { AssignmentMessage, HeartbeatMessage, ResultNotice } from '@souk/provider';
import { type Abi, type Address, type Hex, zeroAddress } from 'viem';
import { assignmentMessageId, messageScope, revealMessageId } from '../bus/messageIds.ts';
import type { JobBus } from '../bus/types.ts';
import { txSenderFor } from '../chain/txSender.ts';
import { assetManifest } from '../gateway/assetContent.ts';
import { NotEnoughProvidersError } from '../scheduler/errors.ts';
import type { ScoreWeights } from '../scheduler/score.ts';
import { selectProviders } from '../scheduler/select.ts';
import type { NodeServices } from '../services.ts';
import { chainNow } from './chainClock.ts';
import { createFailureDesk } from './failure.ts';
import { JobStatusCode } from './jobAccess.ts';
import { createProviderPool, type ProviderPool } from './providerPool.ts';
import type { Referee } from './referee.ts';

const ZERO = `0x${'0'.repeat(64)}` as Hex;

/** Settings of the coordinator. */
export type CoordinatorOptions = {
  /** Base URL of this node (put in assignment messages: where providers download from). */
  nodeUrl: string;
  /** Loop period, ms. @default 500 */
  tickMs?: number | undefined;
  /** Time a provider has from its assignment to its commit before it is replaced, ms. @default 60,000 */
  commitTimeoutMs?: number | undefined;
  /** Providers whose last heartbeat is older are not selected, ms. @default 10,000 */
  heartbeatTimeoutMs?: number | undefined;
  /**
   * Time a provider has to confirm receipt of an assignment message (a `received` notice) before it is announced
   * again, ms. @default 5,000
   */
  receiptTimeoutMs?: number | undefined;
  /**
   * Announcements of an assignment without a confirmed receipt before the provider is reassigned (which does not
   * slash it: a provider that never got its work is not punished for it). @default 3
   */
  maxAnnouncements?: number | undefined;
  /** Probability that an agreeing job is re-executed by the node before it is finalized, 0…1. @default 0.05 */
  auditRate?: number | undefined;
  /** Scoring weights (`scheduler/score.ts`). */
  weights?: Partial<ScoreWeights> | undefined;
  /** Log lines. */
  log?: ((line: string) => void) | undefined;
};

/** A running coordinator. */
export type Coordinator = {
  readonly pool: ProviderPool;
  /** Runs one pass now (tests and events call it; the loop calls it every tick). */
  tick(): Promise<void>;
  /** Schedules a pass as soon as possible. */
  kick(): void;
  /** Stops the loop and the bus subscriptions, waiting for the pass in progress. */
  stop(): Promise<void>;
};

/**
 * Starts the coordinator.
 * @param services - The node's services (chain with an operator key, database, storage).
 * @param bus - The job bus.
 * @param referee - Re-executes jobs for disputes and audits.
 * @throws {Error} When the node has no operator key (no SCHEDULER_ROLE to act with).
 */
export async function startCoordinator(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'> & Partial<Pick<NodeServices, 'indexer'>>,
  bus: JobBus,
  referee: Referee,
  options: CoordinatorOptions,
): Promise<Coordinator> {
  const { chain, db } = services;
  const operator = chain.operator;
  if (!operator) throw new Error('The compute coordinator needs the operator key (SOUK_OPERATOR_KEY).');
  const {
    nodeUrl,
    tickMs = 500,
    commitTimeoutMs = 60_000,
    heartbeatTimeoutMs = 10_000,
    auditRate = 0.05,
    receiptTimeoutMs = 5_000,
    maxAnnouncements = 3,
    weights,
    log = () => {},
  } = options;
  const market = chain.deployment.contracts.computeMarket;
  const pool = createProviderPool(db);

  /** When each (job, provider) assignment was first seen by this process, ms. */
  const assignedAt = new Map<string, number>();
  /** Assignments announced on the bus by this process. */
  const announced = new Set<string>();
  /** Providers that failed or were replaced, per job: never picked again for it. */
  const failed = new Map<string, Set<string>>();
  /** Providers that reported failure, per `job:provider`. */
  const reportedFailed = new Set<string>();
  /** Per job, whether it is audited (decided once per process). */
  const audited = new Map<string, boolean>();
  /** Jobs already reported as waiting for providers (logged once). */
  const waiting = new Set<string>();

  // The operator's transactions go through its one shared sender (one nonce sequence for every component).
  const sender = txSenderFor(chain.publicClient, operator);
  const write = async (functionName: string, args: readonly unknown[]): Promise<Hex> =>
    (await sender.send({ address: market, abi: computeMarketAbi as Abi, functionName, args })).hash;
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    chain.publicClient.readContract({
      address: market,
      abi: computeMarketAbi as Abi,
      functionName,
      args,
    }) as Promise<T>;

  /** Failure reports (`failure.ts`): reproduced → `failJob` (nobody slashed); not reproduced → missed commit. */
  const failures = createFailureDesk(services, referee, { write, log });
  /**
   * Decides a job's failure reports: `failed` when the job was failed, `pending` while the referee could not decide
   * yet (its own run failed transiently) — the job must then wait, since `refund` would slash a reporter that may be
   * right — and `none` otherwise.
   */
  async function decideFailure(jobId: bigint): Promise<'failed' | 'pending' | 'none'> {
    const decision = await failures.decide(jobId);
    if (decision?.kind === 'rejected') {
      for (const provider of decision.reporters) reportedFailed.add(`${jobId}:${provider.toLowerCase()}`);
    }
    return decision?.kind === 'failed' ? 'failed' : decision?.kind === 'pending' ? 'pending' : 'none';
  }

  type ChainJob = {
    requester: Address;
    deadline: number;
    redundancy: number;
    status: number;
    committedCount: number;
    revealedCount: number;
    modelId: bigint;
    reward: bigint;
    inputHash: Hex;
    resultHash: Hex;
    /** SOUK wei slashed per fault and locked per assignment (snapshot at submission). */
    slashAmount?: bigint;
  };
  type Assignment = { commitment: Hex; result: Hex; assigned: boolean };

  /** What the job's model needs, from its manifest. */
  const requirementsCache = new Map<string, { pipeline: string; contentCid: string; contentSha256: string }>();
  async function modelOf(modelId: bigint) {
    const key = String(modelId);
    let hit = requirementsCache.get(key);
    if (!hit) {
      const { manifest } = await assetManifest(services, modelId);
      hit = {
        pipeline: manifest.runtime?.pipeline ?? 'onnx',
        contentCid: manifest.content.cid,
        contentSha256: manifest.content.sha256,
      };
      requirementsCache.set(key, hit);
    }
    return hit;
  }

  const providerBps = BigInt(await read<number>('providerBps', []));
  // Providers below the registry's minimum stake (e.g. after a slash) are inactive: never select them.
  const registry = chain.deployment.contracts.providerRegistry;
  const minStake = (await chain.publicClient.readContract({
    address: registry,
    abi: providerRegistryAbi as Abi,
    functionName: 'minStake',
    args: [],
  })) as bigint;

  /**
   * Seconds that must be left before a job's deadline at every assignment (`ComputeMarket.minWorkingTime`, governed;
   * read once per start). The coordinator never sends an assignment or reassignment that would revert for it.
   */
  const minWorkingTime = Number(await read<bigint>('minWorkingTime', []).catch(() => 0n));
  /** The earliest timestamp of the next block, Unix seconds (refreshed every pass). */
  let nextBlockTime = 0;
  /** Jobs already reported as too close to their deadline to (re)assign (logged once). */
  const outOfTime = new Set<string>();
  /**
   * Whether a provider can still be given the job: more than the minimum working time left at the chain's clock, with
   * a 2 s margin for the transaction to be mined (`SoukNotEnoughTimeLeft` otherwise). Logs once when not.
   */
  function hasWorkingTime(jobId: bigint, job: ChainJob, chainTime: number): boolean {
    const left = Number(job.deadline) - Math.max(chainTime, nextBlockTime);
    if (left > minWorkingTime + 2) return true;
    if (!outOfTime.has(String(jobId))) {
      log(`job ${jobId}: ${left} s left, under the minimum working time (${minWorkingTime} s): no (re)assignment`);
    }
    outOfTime.add(String(jobId));
    return false;
  }

  /**
   * Providers whose free stake (bonded − locked by open assignments) is below the job's slash amount: assigning one
   * would revert (`SoukInsufficientFreeStake`), since every assignment locks that much of its stake.
   */
  async function lackingFreeStake(job: ChainJob, snapshots: Awaited<ReturnType<ProviderPool['snapshots']>>) {
    const lacking = new Set<string>();
    const lock = BigInt(job.slashAmount ?? 0n);
    if (lock === 0n) return lacking;
    await Promise.all(
      snapshots.map(async ({ address, stake }) => {
        const locked = (await chain.publicClient.readContract({
          address: registry,
          abi: providerRegistryAbi as Abi,
          functionName: 'lockedStake',
          args: [address],
        })) as bigint;
        if (BigInt(stake) - locked < lock) lacking.add(address.toLowerCase());
      }),
    );
    return lacking;
  }

  async function pick(jobId: bigint, job: ChainJob, count: number, exclude: Set<string>): Promise<Address[]> {
    const model = await modelOf(job.modelId);
    const snapshots = await pool.snapshots();
    for (const address of await lackingFreeStake(job, snapshots)) exclude = new Set([...exclude, address]);
    const picked = selectProviders(
      snapshots,
      {
        modelCid: model.contentCid,
        runtime: 'onnxruntime',
        pipeline: model.pipeline,
        maxPricePerProviderWei: (job.reward * providerBps) / 10_000n / BigInt(job.redundancy),
        redundancy: count,
      },
      { now: Date.now(), heartbeatTimeoutMs, exclude, weights, minStakeWei: minStake },
    );
    for (const p of picked) pool.reserve(p.provider.address);
    void jobId;
    return picked.map((p) => p.provider.address);
  }

  /** Bus message ids are scoped by chain and deployment (`bus/messageIds.ts`). */
  const scope = { chainId: chain.deployment.chainId, computeMarket: market };
  const scopePrefix = `assign:${messageScope(scope)}:`;
  /** Per `job:provider`: the announcements of the current assignment and whether the provider confirmed one. */
  const deliveries = new Map<string, { blockHash: Hex; announcements: number; lastAt: number }>();
  /** Receipts confirmed by providers: `job:provider:blockHash` of the assignment. */
  const receipts = new Set<string>();

  /** Hash of the block that mined a transaction of ours (what assignment message ids are made of). */
  const blockOf = async (hash: Hex): Promise<Hex> =>
    (await chain.publicClient.getTransactionReceipt({ hash })).blockHash;

  /**
   * Hash of the block holding the latest `ProviderAssigned(jobId, provider)` event: for assignments this process did
   * not make (after a restart). Logs are read from the job's first indexed event on, else from the deployment block.
   */
  async function assignmentBlock(jobId: bigint, provider: Address): Promise<Hex> {
    const first = await db
      .selectFrom('job_events')
      .select((eb) => eb.fn.min('block_number').as('block'))
      .where('job_id', '=', String(jobId))
      .executeTakeFirst();
    const logs = await chain.publicClient.getContractEvents({
      address: market,
      abi: computeMarketAbi,
      eventName: 'ProviderAssigned',
      args: { jobId, provider },
      fromBlock: BigInt(first?.block ?? chain.deployment.blockNumber),
    });
    const last = logs.at(-1);
    if (!last?.blockHash) throw new Error(`no ProviderAssigned event of job ${jobId} for ${provider}`);
    return last.blockHash;
  }

  /**
   * Publishes the next announcement of an assignment (the first when `blockHash` names a new one). Each has its own
   * message id — unique per chain, deployment, assignment and announcement — so JetStream's de-duplication never
   * drops one.
   */
  async function publishAssignment(jobId: bigint, job: ChainJob, provider: Address, blockHash?: Hex): Promise<void> {
    const key = `${jobId}:${provider.toLowerCase()}`;
    let delivery = deliveries.get(key);
    if (!delivery || (blockHash && delivery.blockHash !== blockHash)) {
      delivery = { blockHash: blockHash ?? (await assignmentBlock(jobId, provider)), announcements: 0, lastAt: 0 };
      deliveries.set(key, delivery);
    }
    const model = await modelOf(job.modelId);
    const message: AssignmentMessage = {
      jobId: String(jobId),
      modelId: String(job.modelId),
      pipeline: model.pipeline,
      contentCid: model.contentCid,
      contentSha256: model.contentSha256,
      nodeUrl,
      deadlineSeconds: job.deadline,
    };
    const announcement = delivery.announcements + 1;
    await bus.publish(bus.subjects.assigned(provider.toLowerCase()), message, {
      id: assignmentMessageId(scope, { jobId, provider, blockHash: delivery.blockHash }, announcement),
    });
    delivery.announcements = announcement;
    delivery.lastAt = Date.now();
  }

  async function announce(jobId: bigint, job: ChainJob, provider: Address, blockHash?: Hex): Promise<void> {
    const key = `${jobId}:${provider.toLowerCase()}`;
    assignedAt.set(key, Date.now());
    if (announced.has(key)) return;
    await publishAssignment(jobId, job, provider, blockHash);
    announced.add(key);
  }

  /** Records a provider's `received` notice when it answers an assignment of this deployment. */
  function recordReceipt(notice: ResultNotice): void {
    const id = notice.assignmentId;
    if (!id?.startsWith(scopePrefix)) return; // another chain or deployment on the same stream
    const [jobId, provider, blockHash] = id.slice(scopePrefix.length).split(':');
    if (jobId !== notice.jobId || provider !== notice.provider.toLowerCase()) return;
    receipts.add(`${jobId}:${provider}:${blockHash}`);
  }

  /**
   * Chases an assignment whose provider has not confirmed receipt: re-announces it every `receiptTimeoutMs`, and
   * after `maxAnnouncements` unconfirmed announcements says it should be reassigned (it keeps re-announcing while
   * no replacement is available).
   * @returns `true` when the provider never confirmed receipt and the assignment should move to another provider.
   */
  async function chaseReceipt(jobId: bigint, job: ChainJob, provider: Address): Promise<boolean> {
    const key = `${jobId}:${provider.toLowerCase()}`;
    const delivery = deliveries.get(key);
    if (!delivery || receipts.has(`${key}:${delivery.blockHash.toLowerCase()}`)) return false;
    if (Date.now() - delivery.lastAt < receiptTimeoutMs) return false;
    if (delivery.announcements < maxAnnouncements || waiting.has(key)) {
      log(`job ${jobId}: ${provider} has not confirmed its assignment; announcing it again`);
      await publishAssignment(jobId, job, provider);
    }
    return delivery.announcements >= maxAnnouncements;
  }

  async function handleOpen(jobId: bigint, job: ChainJob): Promise<void> {
    let providers: Address[];
    try {
      providers = await pick(jobId, job, job.redundancy, failed.get(String(jobId)) ?? new Set());
    } catch (error) {
      if (error instanceof NotEnoughProvidersError) {
        if (!waiting.has(String(jobId))) log(`job ${jobId}: waiting for providers (${error.message})`);
        waiting.add(String(jobId));
        return;
      }
      throw error;
    }
    waiting.delete(String(jobId));
    const blockHash = await blockOf(await write('assignProviders', [jobId, providers]));
    log(`job ${jobId}: assigned ${providers.join(', ')}`);
    for (const provider of providers) await announce(jobId, job, provider, blockHash);
  }

  /**
   * Releases a provider that never confirmed receipt of its assignment (`releaseProvider`): its slot is vacated
   * without counting a failure, so `refund` cannot slash it for work it never got. Used when nobody can take its place.
   */
  async function release(jobId: bigint, provider: Address, why: string): Promise<void> {
    const key = `${jobId}:${provider.toLowerCase()}`;
    await write('releaseProvider', [jobId, provider]);
    log(`job ${jobId}: ${provider} never confirmed its assignment and ${why}; released (not slashed)`);
    waiting.delete(key);
    deliveries.delete(key);
    announced.delete(key);
    assignedAt.delete(key);
  }

  /** Fills a slot vacated by {@link release} when a provider is available (`reassignProvider(job, 0x0, p)`). */
  async function fillVacantSlot(jobId: bigint, job: ChainJob, excluded: Set<string>): Promise<void> {
    const key = `${jobId}:vacant`;
    let replacement: Address | undefined;
    try {
      [replacement] = await pick(jobId, job, 1, excluded);
    } catch (error) {
      if (error instanceof NotEnoughProvidersError) {
        if (!waiting.has(key)) log(`job ${jobId}: a slot is vacant and no provider is available`);
        waiting.add(key); // a heartbeat of a provider with room triggers another pass
        return;
      }
      throw error;
    }
    waiting.delete(key);
    const blockHash = await blockOf(await write('reassignProvider', [jobId, zeroAddress, replacement]));
    log(`job ${jobId}: vacant slot filled by ${replacement}`);
    excluded.add((replacement as Address).toLowerCase());
    await announce(jobId, job, replacement as Address, blockHash);
  }

  async function handleAssigned(jobId: bigint, job: ChainJob, canReassign = true): Promise<void> {
    const slots = await read<Address[]>('providersOf', [jobId]);
    const excluded = failed.get(String(jobId)) ?? new Set<string>();
    failed.set(String(jobId), excluded);
    let vacant = 0;
    for (const provider of slots) {
      if (provider === zeroAddress) {
        vacant++; // released earlier: filled below when a provider is available
        continue;
      }
      const a = await read<Assignment>('getAssignment', [jobId, provider]);
      if (a.commitment !== ZERO) continue;
      const key = `${jobId}:${provider.toLowerCase()}`;
      if (!announced.has(key)) await announce(jobId, job, provider); // e.g. after a node restart
      const late = Date.now() - (assignedAt.get(key) ?? Date.now()) > commitTimeoutMs;
      const unreceived = await chaseReceipt(jobId, job, provider);
      if (!late && !reportedFailed.has(key) && !unreceived) continue;
      if (!canReassign) {
        // Too close to the deadline for a reassignment (it would revert); one that never got the work is released.
        if (unreceived) await release(jobId, provider, 'too little time is left to replace it');
        continue;
      }
      excluded.add(provider.toLowerCase());
      for (const s of slots) if (s !== zeroAddress) excluded.add(s.toLowerCase());
      let replacement: Address | undefined;
      try {
        [replacement] = await pick(jobId, { ...job, redundancy: job.redundancy }, 1, excluded);
      } catch (error) {
        if (error instanceof NotEnoughProvidersError) {
          if (unreceived) {
            await release(jobId, provider, 'no replacement is available');
            vacant++;
            continue;
          }
          if (!waiting.has(key)) log(`job ${jobId}: ${provider} is late and no replacement is available`);
          waiting.add(key);
          continue;
        }
        throw error;
      }
      const blockHash = await blockOf(await write('reassignProvider', [jobId, provider, replacement]));
      const why = late ? 'missed its commit' : unreceived ? 'never confirmed its assignment' : 'failed';
      log(`job ${jobId}: ${provider} ${why}; reassigned to ${replacement}`);
      reportedFailed.delete(key);
      excluded.add((replacement as Address).toLowerCase()); // it holds a slot now: not a candidate for another
      await announce(jobId, job, replacement as Address, blockHash);
    }
    if (!canReassign) return; // under the minimum working time: a fill would revert (`SoukNotEnoughTimeLeft`)
    for (const s of slots) if (s !== zeroAddress) excluded.add(s.toLowerCase());
    for (; vacant > 0; vacant--) await fillVacantSlot(jobId, job, excluded);
  }

  /** Jobs whose providers were told they can reveal. */
  const nudged = new Set<string>();
  /**
   * Tells the job's providers, once, that every commitment is in: they reveal at once instead of at their next
   * reveal poll (which stays their fallback, e.g. after a restart).
   */
  async function nudgeReveals(jobId: bigint, job: ChainJob): Promise<void> {
    if (nudged.has(String(jobId))) return;
    nudged.add(String(jobId));
    const model = await modelOf(job.modelId);
    for (const provider of await read<Address[]>('providersOf', [jobId])) {
      const message: AssignmentMessage = {
        jobId: String(jobId),
        modelId: String(job.modelId),
        pipeline: model.pipeline,
        contentCid: model.contentCid,
        contentSha256: model.contentSha256,
        nodeUrl,
        deadlineSeconds: job.deadline,
        purpose: 'reveal',
      };
      const blockHash =
        deliveries.get(`${jobId}:${provider.toLowerCase()}`)?.blockHash ?? (await assignmentBlock(jobId, provider));
      await bus.publish(bus.subjects.assigned(provider.toLowerCase()), message, {
        id: revealMessageId(scope, { jobId, provider, blockHash }),
      });
    }
  }

  async function handleAllRevealed(jobId: bigint, job: ChainJob): Promise<void> {
    const key = String(jobId);
    if (!audited.has(key)) audited.set(key, auditRate > 0 && randomInt(1_000_000) < auditRate * 1_000_000);
    if (!audited.get(key)) {
      await write('finalize', [jobId]);
      log(`job ${jobId}: finalized (${job.redundancy} agreeing)`);
      return;
    }
    const verdict = await referee.execute(jobId, 'audit');
    if (verdict.resultHash === job.resultHash) {
      await write('finalize', [jobId]);
      log(`job ${jobId}: audited, result confirmed, finalized`);
    } else {
      await write('challenge', [jobId]);
      const hash = await write('settleDispute', [jobId, verdict.resultHash]);
      await referee.recordSettlement(jobId, hash);
      log(`job ${jobId}: audit found a wrong result; providers slashed`);
    }
  }

  async function handleDisputed(jobId: bigint): Promise<void> {
    const verdict = await referee.execute(jobId, 'dispute');
    const hash = await write('settleDispute', [jobId, verdict.resultHash]);
    await referee.recordSettlement(jobId, hash);
    log(`job ${jobId}: dispute settled by re-execution (${verdict.resultHash.slice(0, 12)}…)`);
  }

  async function handle(jobId: bigint, blockTime: number): Promise<void> {
    const job = await read<ChainJob>('getJob', [jobId]);
    const pastDeadline = blockTime > Number(job.deadline);
    switch (job.status) {
      case JobStatusCode.Open:
      case JobStatusCode.Assigned: {
        // A provider reported that the job itself cannot run: the referee decides first (`failure.ts`).
        const failure = await decideFailure(jobId);
        if (failure === 'failed') return;
        if (pastDeadline) {
          // Never refund (which slashes non-committers) while a failure report awaits the referee's verdict.
          if (failure === 'pending') return;
          await write('refund', [jobId]);
          log(`job ${jobId}: no result before the deadline, refunded`);
        } else if (job.status === JobStatusCode.Open) {
          if (hasWorkingTime(jobId, job, blockTime)) await handleOpen(jobId, job);
        } else await handleAssigned(jobId, job, hasWorkingTime(jobId, job, blockTime));
        return;
      }
      case JobStatusCode.Revealing:
        if (job.revealedCount === job.redundancy) await handleAllRevealed(jobId, job);
        else if (pastDeadline) {
          await write('refund', [jobId]);
          log(`job ${jobId}: reveals missing at the deadline, refunded`);
        } else await nudgeReveals(jobId, job);
        return;
      case JobStatusCode.Disputed:
        await handleDisputed(jobId);
        return;
      default:
        return; // settled
    }
  }

  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  const inFlight = new Set<string>();
  async function pass(): Promise<void> {
    const rows = await db
      .selectFrom('jobs')
      .select('id')
      .where('status', 'in', ['open', 'assigned', 'revealing', 'disputed'])
      .orderBy('id')
      .execute();
    if (rows.length === 0) return;
    // Deadlines are compared with the chain's clock (the latest block's time), as the contract does.
    let block = await chain.publicClient.getBlock({ blockTag: 'latest' });
    // When the next block will be mined at the earliest (`chainClock.ts`): what a transaction sent now is checked at.
    nextBlockTime = await chainNow(chain.publicClient);
    if (chain.devnet && nextBlockTime - Number(block.timestamp) > 5) {
      // An idle devnet (automine) mines no blocks, so its clock stands still and deadlines never pass — also when its
      // clock runs ahead of the wall clock (evm_increaseTime): mine one, so calls are simulated at the chain's now.
      await chain.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
      block = await chain.publicClient.getBlock({ blockTag: 'latest' });
    }
    const chainTime = Number(block.timestamp);
    for (const { id } of rows) {
      if (stopped) return;
      if (inFlight.has(id)) continue;
      inFlight.add(id);
      try {
        await handle(BigInt(id), chainTime);
      } catch (error) {
        log(`job ${id}: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`);
      } finally {
        inFlight.delete(id);
      }
    }
  }
  function tick(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((error) => log(`coordinator pass failed: ${(error as Error).message}`))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void tick();
        }
      });
    return running;
  }

  const subscriptions = [
    await bus.subscribe<HeartbeatMessage>(
      bus.subjects.heartbeat,
      (message) => {
        const previous = pool.live().get(message.data.address.toLowerCase())?.message;
        pool.heartbeat(message.data);
        // A new provider, or one with a free slot again (providers beat at once when a job ends): waiting jobs may
        // be assignable now.
        if (!previous || (waiting.size > 0 && message.data.running < message.data.maxConcurrency)) void tick();
      },
      { durable: 'node-heartbeats', deliverPolicy: 'new', maxDeliver: 1 },
    ),
    await bus.subscribe<ResultNotice>(
      bus.subjects.resultsAll,
      (message) => {
        const assignmentId = message.data.assignmentId;
        if (assignmentId && !assignmentId.startsWith(scopePrefix)) return; // another chain or deployment
        if (message.data.outcome === 'received') {
          recordReceipt(message.data);
          return; // nothing changed on-chain: no pass needed
        }
        if (message.data.outcome === 'failed') {
          reportedFailed.add(`${message.data.jobId}:${message.data.provider.toLowerCase()}`);
        }
        void tick();
      },
      { durable: 'node-results', deliverPolicy: 'new' },
    ),
  ];
  subscriptions.push(await failures.subscribe(bus, () => void tick()));
  const timer = setInterval(() => void tick(), tickMs);

  // React to each new block at once where the chain can say so (devnet): index it now — its ComputeMarket events
  // kick a pass through the indexer's onEvent — rather than at the indexer's next poll. A burst of blocks costs one
  // catch-up sync plus at most one more.
  let syncing: Promise<unknown> | undefined;
  let resync = false;
  const syncNow = (): void => {
    const indexer = services.indexer;
    if (!indexer || stopped) return;
    if (syncing) {
      resync = true;
      return;
    }
    syncing = indexer
      .syncOnce()
      .catch((error) => log(`coordinator: indexing on a new block failed: ${(error as Error).message}`))
      .finally(() => {
        syncing = undefined;
        if (resync) {
          resync = false;
          syncNow();
        }
      });
  };
  const unwatchBlocks = services.indexer ? chain.watchBlocks?.(syncNow) : undefined;

  return {
    pool,
    tick,
    kick: () => void tick(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      unwatchBlocks?.();
      await syncing;
      for (const s of subscriptions) await s.close();
      await running;
      await sender.idle();
    },
  };
}
