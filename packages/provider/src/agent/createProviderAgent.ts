/**
 * The provider daemon (`souk provider start`): registers with stake in ProviderRegistry, advertises itself by
 * heartbeats on the job bus, and runs the signed orders (compute protocol v2) the node's scheduler assigns to it
 * (`orders.ts`): it checks each order, runs its pipeline off the main thread (`createJobExecutor`), commits, and
 * reveals its result with a signed ResultAttestation. It sends no transaction per job: it is paid when the node
 * settles the order in a batch (ComputeEscrow), on its signature. Its only transactions are registration and stake.
 */
import { providerRegistryAbi, soukTokenAbi } from '@souk/contracts';
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type LocalAccount,
  type PublicClient,
  parseEther,
} from 'viem';
import { detectHardware, type HardwareInfo } from '../hardware.ts';
import { createJobExecutor, type JobExecutor, supportedPipelines } from '../jobs/execute.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import type { ExecutionProvider, GraphOptimizationLevel } from '../runtime/types.ts';
import type { HeartbeatMessage, ProviderBus } from './messages.ts';
import { type OrderWorker, startOrderWorker } from './orders.ts';

/** Parameters of {@link createProviderAgent}. */
export type CreateProviderAgentParameters = {
  /** The provider's key (its address is its identity on-chain and on the bus). */
  account: LocalAccount;
  /** EVM JSON-RPC URL. */
  rpcUrl: string;
  /** EIP-155 chain id. */
  chainId: number;
  /** Souk contract addresses (from `deployments/<chainId>.json`). */
  contracts: { computeEscrow: Address; providerRegistry: Address; soukToken: Address };
  /** The job bus (in-process for local providers, NATS for remote ones). */
  bus: ProviderBus;
  /** Price asked per job, wei. @default 0 (any price) */
  priceWei?: bigint | undefined;
  /** Stake bonded at registration, SOUK wei. @default 1,000 SOUK (the default minimum) */
  stakeWei?: bigint | undefined;
  /** Operator label: the scheduler never puts two providers of one operator on a job. @default the address */
  operator?: string | undefined;
  /** Heartbeat period, ms. @default 2,000 */
  heartbeatIntervalMs?: number | undefined;
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
   * Fault injection for tests and drills, each a predicate of the order (its EIP-712 hash as a bigint):
   * `corruptResult` alters the output before hashing (a cheating or broken provider); `neverCommit` accepts orders
   * and does nothing (a provider that dies after assignment); `perturbResult` adds the returned amount to every float
   * of the output (a provider whose numbers are off, e.g. a cheaper model).
   */
  faults?:
    | {
        corruptResult?: boolean | ((orderId: bigint) => boolean) | undefined;
        neverCommit?: boolean | ((orderId: bigint) => boolean) | undefined;
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
  hardware: HardwareInfo;
};

/** A running provider. */
export type ProviderAgent = {
  readonly address: Address;
  /** Registers if needed, subscribes to order assignments, starts heartbeats. */
  start(): Promise<void>;
  /** Stops taking orders; closes the runtime. */
  stop(): Promise<void>;
  /** Stops at once without finishing anything (a crash, for fault drills): nothing more is committed or revealed. */
  kill(): Promise<void>;
  /** Registration, stake, reputation counters and local state. */
  status(): Promise<ProviderAgentStatus>;
};

/**
 * Creates a provider agent.
 * @example
 * ```ts
 * const agent = createProviderAgent({ account, rpcUrl, chainId, contracts, bus })
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
  let hardware: HardwareInfo | undefined;
  let runtime: Runtime | undefined;
  let executor: JobExecutor | undefined;
  const bundles = new Map<string, Uint8Array>(); // content CID → plaintext bundle (bounded below)
  let running = 0;
  let latencyMs: number | null = null;
  let stopped = true;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let orderWorker: OrderWorker | undefined;

  // One transaction at a time from this account, so nonces never collide.
  let txChain: Promise<unknown> = Promise.resolve();
  function send(call: Parameters<typeof wallet.writeContract>[0]): Promise<Hex> {
    const next = txChain.then(async () => {
      const [{ request }, gas] = await Promise.all([
        publicClient.simulateContract({ ...call, account } as never),
        publicClient.estimateContractGas({ ...call, account } as never),
      ]);
      // 25 % headroom over the estimate, as the node's sender gives (state can move between estimate and mining).
      const hash = await wallet.writeContract({ ...(request as object), gas: gas + gas / 4n } as never);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
      return hash;
    });
    txChain = next.catch(() => {});
    return next;
  }

  /** The executor, created on first use (one runtime per agent). */
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

  async function halt(): Promise<void> {
    stopped = true;
    clearInterval(heartbeatTimer);
  }

  return {
    address,
    async start() {
      if (!stopped) return;
      hardware ??= await detectHardware();
      await ensureRegistered();
      stopped = false;
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
        contracts.computeEscrow,
      );
      await sendHeartbeat();
      heartbeatTimer = setInterval(() => void sendHeartbeat(), heartbeatIntervalMs);
      log(`provider ${address} is up (${hw().cpu.model}, ${hw().cpu.cores} cores; bus ${bus.kind})`);
    },
    async stop() {
      await halt();
      await orderWorker?.close();
      await runtime?.close();
      runtime = undefined;
      executor = undefined;
    },
    async kill() {
      await halt();
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
        hardware: hw(),
      };
    },
  };
}
