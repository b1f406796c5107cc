/**
 * The provider daemon (`souk provider start`): registers with stake in ProviderRegistry, advertises itself by
 * heartbeats on the job bus, and runs the jobs the node's scheduler assigns to it:
 *
 * 1. an assignment arrives on `souk.jobs.assigned.<address>` (at least once: the handler is idempotent — it checks
 *    its on-chain assignment first and skips a job it already committed or no longer holds); on every delivery it
 *    first confirms receipt (a `received` notice carrying the assignment's message id), so the node never mistakes a
 *    lost message for a provider that did not work, and re-announces or reassigns instead;
 * 2. it downloads the model bundle (cached by content CID) and the input through the node's job-authorised gateway,
 *    checking both hashes;
 * 3. it runs the pipeline off the main thread (`createJobExecutor`), stores the canonical result on the node, saves
 *    its salt to disk, and commits `keccak256(abi.encode(resultHash, salt, provider))`;
 * 4. a reveal loop reveals once all r providers committed (the job is `Revealing`), also after a restart.
 */
import { randomBytes } from 'node:crypto';
import { computeMarketAbi, providerRegistryAbi, soukTokenAbi } from '@souk/contracts';
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  parseEther,
  sha256,
} from 'viem';
import { InvalidInputError } from '../errors.ts';
import { detectHardware, type HardwareInfo } from '../hardware.ts';
import { createJobExecutor, type ExecutedJob, type JobExecutor, supportedPipelines } from '../jobs/execute.ts';
import { canonicalJson, type JsonValue } from '../result.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import type { ExecutionProvider, GraphOptimizationLevel } from '../runtime/types.ts';
import { reportJobFailure } from './failure.ts';
import type { AssignmentMessage, HeartbeatMessage, ProviderBus, ProviderBusMessage, ResultNotice } from './messages.ts';
import { downloadJobContent, type NodeApiContext, uploadJobResult } from './nodeApi.ts';
import { type OrderWorker, startOrderWorker } from './orders.ts';
import { openRevealStore, type RevealStore } from './revealStore.ts';

/** ComputeMarket job statuses, as the contract numbers them. */
const Status = { None: 0, Open: 1, Assigned: 2, Revealing: 3, Disputed: 4, Finalized: 5, Refunded: 6 } as const;

/** Parameters of {@link createProviderAgent}. */
export type CreateProviderAgentParameters = {
  /** The provider's key (its address is its identity on-chain and on the bus). */
  account: LocalAccount;
  /** EVM JSON-RPC URL. */
  rpcUrl: string;
  /** EIP-155 chain id. */
  chainId: number;
  /** Souk contract addresses (from `deployments/<chainId>.json`). */
  contracts: { computeMarket: Address; providerRegistry: Address; soukToken: Address };
  /** The job bus (in-process for local providers, NATS for remote ones). */
  bus: ProviderBus;
  /** Directory for this provider's pending reveals. */
  dataDir: string;
  /** Price asked per job, wei. @default 0 (any price) */
  priceWei?: bigint | undefined;
  /** Stake bonded at registration, SOUK wei. @default 1,000 SOUK (the default minimum) */
  stakeWei?: bigint | undefined;
  /** Operator label: the scheduler never puts two providers of one operator on a job. @default the address */
  operator?: string | undefined;
  /** Heartbeat period, ms. @default 2,000 */
  heartbeatIntervalMs?: number | undefined;
  /** How often pending reveals are checked, ms. @default 500 */
  revealPollMs?: number | undefined;
  /**
   * How often the chain is polled while waiting for a transaction's receipt, ms. @default 50 on a local devnet
   * (chain id 31337 or 1337, which mines each transaction at once), else viem's default (4,000)
   */
  pollingIntervalMs?: number | undefined;
  /** ONNX Runtime intra-op threads. @default 1 */
  threads?: number | undefined;
  /** Execution provider to ask for. @default 'cpu' */
  executionProvider?: ExecutionProvider | undefined;
  /** ONNX Runtime graph optimisation level (`createRuntime`). @default 'all' */
  graphOptimizationLevel?: GraphOptimizationLevel | undefined;
  /**
   * Fault injection for tests and drills: `corruptResult` alters every output before hashing (a cheating or broken
   * provider); `neverCommit` accepts assignments and does nothing (a provider that dies after assignment).
   */
  faults?:
    | {
        corruptResult?: boolean | ((jobId: bigint) => boolean) | undefined;
        neverCommit?: boolean | ((jobId: bigint) => boolean) | undefined;
        /**
         * Awaited after the result is stored and its salt saved, right before the commit transaction: a slow
         * provider (drills that need another provider to commit first). Resolve it to go on.
         */
        holdCommit?: ((jobId: bigint) => Promise<void> | undefined) | undefined;
        /** Runs the job, then reports it as impossible (a provider lying to dodge work) instead of committing. */
        falseFailure?: boolean | ((jobId: bigint) => boolean) | undefined;
        /**
         * Orders (protocol v2): adds this amount to every float of the output before hashing (a provider whose
         * numbers are off, e.g. a cheaper model), when it returns a number for the order (its hash as a bigint).
         */
        perturbResult?: ((orderId: bigint) => number | undefined) | undefined;
      }
    | undefined;
  /** Progress lines. */
  log?: ((line: string) => void) | undefined;
};

/** What `status()` reports. */
export type ProviderAgentStatus = {
  address: Address;
  registered: boolean;
  /** SOUK wei. */
  stake: bigint;
  /** SOUK wei. */
  unbonding: bigint;
  /** Unix seconds; 0 when nothing unbonds. */
  unbondableAt: number;
  completed: number;
  failed: number;
  slashed: number;
  active: boolean;
  running: number;
  pendingReveals: number;
  hardware: HardwareInfo;
};

/** A running provider. */
export type ProviderAgent = {
  readonly address: Address;
  /** Registers if needed, subscribes to assignments, starts heartbeats and the reveal loop. */
  start(): Promise<void>;
  /** Stops taking jobs; waits for the running one; closes the runtime. Pending reveals stay on disk. */
  stop(): Promise<void>;
  /** Stops at once without finishing anything (a crash, for fault drills). */
  kill(): Promise<void>;
  /** Registration, stake, reputation counters and local state. */
  status(): Promise<ProviderAgentStatus>;
};

/**
 * Creates a provider agent.
 * @example
 * ```ts
 * const agent = createProviderAgent({ account, rpcUrl, chainId, contracts, bus, dataDir: '.souk/provider' })
 * await agent.start()
 * ```
 */
export function createProviderAgent(parameters: CreateProviderAgentParameters): ProviderAgent {
  const {
    account,
    rpcUrl,
    chainId,
    contracts,
    bus,
    priceWei = 0n,
    stakeWei = parseEther('1000'),
    heartbeatIntervalMs = 2_000,
    revealPollMs = 500,
    faults = {},
    log = () => {},
  } = parameters;
  const address = account.address;
  const chain: Chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const pollingInterval = parameters.pollingIntervalMs ?? (chainId === 31337 || chainId === 1337 ? 50 : undefined);
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval }) as PublicClient;
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl), pollingInterval });
  const api: NodeApiContext = { account, chainId, computeMarket: contracts.computeMarket };
  const reveals: RevealStore = openRevealStore(parameters.dataDir);
  let hardware: HardwareInfo | undefined;
  let killed = false;
  let runtime: Runtime | undefined;
  let executor: JobExecutor | undefined;
  const bundles = new Map<string, Uint8Array>(); // content CID → plaintext bundle (bounded below)
  let running = 0;
  let latencyMs: number | null = null;
  let stopped = true;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let revealTimer: NodeJS.Timeout | undefined;
  let subscription: { close(): Promise<void> } | undefined;
  let orderWorker: OrderWorker | undefined;
  let current: Promise<unknown> = Promise.resolve();

  // One transaction at a time from this account, so nonces never collide.
  let txChain: Promise<unknown> = Promise.resolve();
  function send(call: Parameters<typeof wallet.writeContract>[0]): Promise<Hex> {
    const next = txChain.then(async () => {
      const [{ request }, gas] = await Promise.all([
        publicClient.simulateContract({ ...call, account } as never),
        publicClient.estimateContractGas({ ...call, account } as never),
      ]);
      // Headroom: another provider's commit mined first can make this one the last (it then opens the reveals,
      // which costs more gas than the estimate saw).
      const hash = await wallet.writeContract({ ...(request as object), gas: gas + gas / 4n } as never);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
      return hash;
    });
    txChain = next.catch(() => {});
    return next;
  }

  const readJob = (jobId: bigint) =>
    publicClient.readContract({
      address: contracts.computeMarket,
      abi: computeMarketAbi,
      functionName: 'getJob',
      args: [jobId],
    });
  const readAssignment = (jobId: bigint) =>
    publicClient.readContract({
      address: contracts.computeMarket,
      abi: computeMarketAbi,
      functionName: 'getAssignment',
      args: [jobId, address],
    });

  /** The executor, created on first use (one runtime per agent, shared by both protocol versions). */
  function getExecutor(): JobExecutor {
    if (!executor) {
      runtime = createRuntime({
        threads: parameters.threads,
        executionProvider: parameters.executionProvider,
        graphOptimizationLevel: parameters.graphOptimizationLevel,
      });
      executor = createJobExecutor({ runtime });
    }
    return executor;
  }

  const hw = (): HardwareInfo => {
    if (!hardware) throw new Error('hardware not detected yet');
    return hardware;
  };

  async function ensureRegistered(): Promise<void> {
    const p = await publicClient.readContract({
      address: contracts.providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'getProvider',
      args: [address],
    });
    if (p.registered) return;
    log(`provider ${address}: registering with ${stakeWei} SOUK wei stake`);
    await send({
      address: contracts.soukToken,
      abi: soukTokenAbi,
      functionName: 'approve',
      args: [contracts.providerRegistry, stakeWei],
    } as never);
    const metadata = {
      name: `souk-provider ${address.slice(0, 10)}`,
      pipelines: supportedPipelines,
      cpu: hw().cpu.model,
    };
    await send({
      address: contracts.providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'register',
      args: [`data:application/json,${encodeURIComponent(JSON.stringify(metadata))}`, stakeWei],
    } as never);
  }

  function heartbeat(): HeartbeatMessage {
    return {
      address,
      operator: parameters.operator ?? address.toLowerCase(),
      priceWei: String(priceWei),
      runtimes: [`onnxruntime@${hw().ortVersion}`, 'onnxruntime'],
      pipelines: [...supportedPipelines],
      executionProviders: hw().executionProviders,
      memoryBytes: hw().memory.totalBytes,
      cpu: `${hw().cpu.model} × ${hw().cpu.cores}`,
      gpus: hw().gpus.map((g) => g.name),
      maxConcurrency: 1,
      running,
      latencyMs,
      cachedModels: [...bundles.keys()],
      sentAtMs: Date.now(),
    };
  }

  async function sendHeartbeat(): Promise<void> {
    if (stopped) return;
    await bus.publish(bus.subjects.heartbeat, heartbeat()).catch((error) => log(`heartbeat failed: ${error.message}`));
  }

  async function notify(notice: ResultNotice): Promise<void> {
    // Scoped by the assignment's message id (unique per chain, deployment and assignment): an id made of job id and
    // outcome alone would repeat on a fresh chain sharing the stream, and JetStream would drop the notice.
    await bus
      .publish(bus.subjects.results(notice.jobId), notice, {
        id: `result:${notice.assignmentId ?? notice.jobId}:${address}:${notice.outcome}`,
      })
      .catch(() => {});
  }

  /**
   * Confirms that an assignment message arrived (on every delivery, before any work), so the node stops
   * re-announcing it and never takes this provider for one that lost it.
   */
  async function confirmReceipt(message: ProviderBusMessage<AssignmentMessage>): Promise<void> {
    await bus
      .publish(
        bus.subjects.results(message.data.jobId),
        { jobId: message.data.jobId, provider: address, outcome: 'received', assignmentId: message.id },
        { id: `received:${message.id}:${address}:${message.deliveryCount}` },
      )
      .catch((error) => log(`provider ${address}: receipt of job ${message.data.jobId} not sent: ${error.message}`));
  }

  async function bundleFor(message: AssignmentMessage, jobId: bigint): Promise<Uint8Array> {
    const cached = bundles.get(message.contentCid);
    if (cached) return cached;
    const bytes = await downloadJobContent(api, message.nodeUrl, jobId, 'model', message.contentSha256);
    bundles.set(message.contentCid, bytes);
    while (bundles.size > 4) bundles.delete(bundles.keys().next().value as string);
    return bytes;
  }

  function corrupt(executed: ExecutedJob): { result: Uint8Array; resultHash: Hex } {
    const value = JSON.parse(new TextDecoder().decode(executed.result)) as JsonValue;
    const result = new TextEncoder().encode(canonicalJson({ corrupted: true, original: value }));
    return { result, resultHash: sha256(result) };
  }

  /** Runs one assignment to the commit; idempotent (safe on redelivery). */
  async function runAssignment(message: AssignmentMessage, assignmentId?: string): Promise<void> {
    const jobId = BigInt(message.jobId);
    const assignment = await readAssignment(jobId);
    if (!assignment.assigned || assignment.commitment !== `0x${'0'.repeat(64)}`) return; // not mine, or done
    const job = await readJob(jobId);
    if (job.status !== Status.Assigned) return;
    const fault = (f: boolean | ((jobId: bigint) => boolean) | undefined) =>
      typeof f === 'function' ? f(jobId) : f === true;
    if (fault(faults.neverCommit)) {
      log(`provider ${address}: job ${jobId} accepted and dropped (fault drill)`);
      return;
    }
    const started = Date.now();
    running++;
    void sendHeartbeat(); // the scheduler sees the load at once
    try {
      const [bundle, input] = await Promise.all([
        bundleFor(message, jobId),
        downloadJobContent(api, message.nodeUrl, jobId, 'input', job.inputHash),
      ]);
      const downloaded = Date.now();
      const deadlineMs = Math.max(1, Number(job.deadline) * 1000 - Date.now());
      const executed = await getExecutor().execute({ pipeline: message.pipeline, bundle, input, deadlineMs });
      const { result, resultHash } = fault(faults.corruptResult) ? corrupt(executed) : executed;
      if (fault(faults.falseFailure)) throw new InvalidInputError('The input is not a readable image.');
      if (killed) return; // a crashed provider commits nothing
      const inferred = Date.now();
      await uploadJobResult(api, message.nodeUrl, jobId, result, resultHash, executed.runtimeRecord);
      const uploaded = Date.now();
      const salt = `0x${randomBytes(32).toString('hex')}` as Hex;
      reveals.save({ jobId: String(jobId), resultHash, salt });
      await faults.holdCommit?.(jobId);
      if (killed) return;
      const commitment = keccak256(
        encodeAbiParameters(
          [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'address' }],
          [resultHash, salt, address],
        ),
      );
      await send({
        address: contracts.computeMarket,
        abi: computeMarketAbi,
        functionName: 'commitResult',
        args: [jobId, commitment],
      } as never);
      const durationMs = Date.now() - started;
      latencyMs = latencyMs === null ? durationMs : Math.round(0.8 * latencyMs + 0.2 * durationMs);
      log(
        `provider ${address}: job ${jobId} committed ${resultHash.slice(0, 12)}… in ${durationMs} ms ` +
          `(download ${downloaded - started} ms, inference ${inferred - downloaded} ms, ` +
          `upload ${uploaded - inferred} ms, commit ${Date.now() - uploaded} ms)`,
      );
      await notify({ jobId: String(jobId), provider: address, outcome: 'committed', durationMs, assignmentId });
      void revealNow(); // the last commitment opens the reveals: at r = 1, that is this one
    } catch (error) {
      log(`provider ${address}: job ${jobId} failed: ${(error as Error).message}`);
      // The job itself cannot run (its input): a signed report, which the node's referee reproduces.
      const reported = await reportJobFailure({
        bus,
        account,
        chainId,
        computeMarket: contracts.computeMarket,
        jobId,
        error,
        scope: assignmentId,
      });
      if (reported.published) {
        log(`provider ${address}: job ${jobId} cannot run (${reported.reason}); reported to the node`);
        return;
      }
      await notify({
        jobId: String(jobId),
        provider: address,
        outcome: 'failed',
        reason: (error as Error).message,
        assignmentId,
      });
    } finally {
      running--;
      void sendHeartbeat(); // a free slot: the scheduler can assign the next job at once
    }
  }

  let revealing: Promise<void> | undefined;
  let revealAgain = false;
  /** Runs a reveal pass now (one at a time; a request during a pass runs one more pass after it). */
  function revealNow(): Promise<void> {
    if (revealing) {
      revealAgain = true;
      return revealing;
    }
    revealing = revealPending()
      .catch(() => {})
      .finally(() => {
        revealing = undefined;
        if (revealAgain && !stopped) {
          revealAgain = false;
          void revealNow();
        }
      });
    return revealing;
  }

  /** Reveals every saved commitment whose job reached `Revealing`; forgets the ones that ended. */
  async function revealPending(): Promise<void> {
    for (const pending of reveals.list()) {
      if (stopped) return;
      const jobId = BigInt(pending.jobId);
      try {
        const [job, assignment] = await Promise.all([readJob(jobId), readAssignment(jobId)]);
        if (!assignment.assigned || assignment.result !== `0x${'0'.repeat(64)}` || job.status > Status.Revealing) {
          reveals.remove(pending.jobId);
          continue;
        }
        if (job.status !== Status.Revealing) continue;
        await send({
          address: contracts.computeMarket,
          abi: computeMarketAbi,
          functionName: 'revealResult',
          args: [jobId, pending.resultHash, pending.salt],
        } as never);
        reveals.remove(pending.jobId);
        log(`provider ${address}: job ${jobId} revealed`);
      } catch (error) {
        log(`provider ${address}: reveal of job ${jobId} failed, will retry: ${(error as Error).message}`);
      }
    }
  }

  function scheduleReveals(): void {
    if (stopped) return;
    revealTimer = setTimeout(async () => {
      await revealNow();
      scheduleReveals();
    }, revealPollMs);
  }

  async function halt(): Promise<void> {
    stopped = true;
    clearInterval(heartbeatTimer);
    clearTimeout(revealTimer);
  }

  return {
    address,
    async start() {
      if (!stopped) return;
      killed = false;
      hardware ??= await detectHardware();
      await ensureRegistered();
      stopped = false;
      subscription = await bus.subscribe<AssignmentMessage>(
        bus.subjects.assigned(address.toLowerCase()),
        async (message) => {
          if (stopped) throw new Error('provider stopping'); // hand it back: redelivered after a restart
          if (message.data.purpose === 'reveal') {
            void revealNow(); // not awaited: an assignment behind it should not wait for the reveal transaction
            return;
          }
          await confirmReceipt(message);
          const run = runAssignment(message.data, message.id);
          current = run;
          await run;
        },
        { durable: `provider-${address.toLowerCase()}`, ackWaitMs: 120_000, maxDeliver: 3, backoffMs: 500 },
      );
      const asPredicate = (f: boolean | ((id: bigint) => boolean) | undefined) =>
        f === undefined ? undefined : (orderHash: Hex) => (typeof f === 'function' ? f(BigInt(orderHash)) : f);
      orderWorker = await startOrderWorker(
        {
          account,
          bus,
          executor: getExecutor,
          bundles,
          onStart() {
            running++;
            void sendHeartbeat(); // the scheduler sees the load at once
          },
          onEnd(durationMs) {
            running--;
            latencyMs = latencyMs === null ? durationMs : Math.round(0.8 * latencyMs + 0.2 * durationMs);
            void sendHeartbeat(); // a free slot: the scheduler can assign the next order at once
          },
          faults: {
            corruptResult: asPredicate(faults.corruptResult),
            neverCommit: asPredicate(faults.neverCommit),
            perturbResult: faults.perturbResult && ((hash: Hex) => faults.perturbResult?.(BigInt(hash))),
          },
          log,
        },
        contracts.computeMarket,
      );
      await sendHeartbeat();
      heartbeatTimer = setInterval(() => void sendHeartbeat(), heartbeatIntervalMs);
      scheduleReveals();
      log(`provider ${address} is up (${hw().cpu.model}, ${hw().cpu.cores} cores; bus ${bus.kind})`);
    },
    async stop() {
      await halt();
      await subscription?.close();
      await orderWorker?.close();
      await current.catch(() => {});
      await runtime?.close();
      runtime = undefined;
      executor = undefined;
    },
    async kill() {
      killed = true;
      await halt();
      await subscription?.close().catch(() => {});
      await orderWorker?.close().catch(() => {});
      await runtime?.close().catch(() => {});
      runtime = undefined;
      executor = undefined;
    },
    async status() {
      hardware ??= await detectHardware();
      const [p, active] = await Promise.all([
        publicClient.readContract({
          address: contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'getProvider',
          args: [address],
        }),
        publicClient.readContract({
          address: contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'isActive',
          args: [address],
        }),
      ]);
      return {
        address,
        registered: p.registered,
        stake: p.stake,
        unbonding: p.unbonding,
        unbondableAt: Number(p.unbondableAt),
        completed: Number(p.completed),
        failed: Number(p.failed),
        slashed: Number(p.slashed),
        active,
        running,
        pendingReveals: reveals.list().length,
        hardware: hw(),
      };
    },
  };
}
