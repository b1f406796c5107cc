/**
 * Souk's deployment module: deploys every contract, wires roles, hands admin rights to governance and writes
 * `deployments/<chainId>.json`. Used by the tests, the devnet (`npm start`) and real networks alike.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  getAddress,
  type Hex,
  keccak256,
  type PublicClient,
  parseEther,
  type Transport,
  toBytes,
  type WalletClient,
  zeroAddress,
} from 'viem';
import {
  agentNftAbi,
  agentNftBytecode,
  computeEscrowAbi,
  computeEscrowBytecode,
  computeMarketAbi,
  computeMarketBytecode,
  licensesAbi,
  licensesBytecode,
  marketplaceAbi,
  marketplaceBytecode,
  providerRegistryAbi,
  providerRegistryBytecode,
  soukGovernorAbi,
  soukGovernorBytecode,
  soukTimelockAbi,
  soukTimelockBytecode,
  soukTokenAbi,
  soukTokenBytecode,
} from './generated/abis.ts';

/** Role ids, as the contracts compute them (`keccak256("<NAME>")`; the admin role is zero). */
export const roles = {
  admin: `0x${'0'.repeat(64)}` as Hex,
  pauser: keccak256(toBytes('PAUSER_ROLE')),
  slasher: keccak256(toBytes('SLASHER_ROLE')),
  reporter: keccak256(toBytes('REPORTER_ROLE')),
  scheduler: keccak256(toBytes('SCHEDULER_ROLE')),
  referee: keccak256(toBytes('REFEREE_ROLE')),
  settler: keccak256(toBytes('SETTLER_ROLE')),
  proposer: keccak256(toBytes('PROPOSER_ROLE')),
  canceller: keccak256(toBytes('CANCELLER_ROLE')),
  executor: keccak256(toBytes('EXECUTOR_ROLE')),
} as const;

/** Governed parameters and their starting values. */
export type SoukParameters = {
  /** Protocol fee on sales and licences, basis points. @default 250 */
  protocolFeeBps: number;
  /** Minimum provider stake, SOUK wei. @default 1,000 SOUK */
  minStake: bigint;
  /**
   * Seconds between `requestUnbond` and `withdraw`; at least a job's life (`maxJobDuration + revealPeriod +
   * auditPeriod + disputePeriod`), or the ComputeMarket refuses to deploy. @default 14 days
   */
  unbondingPeriod: bigint;
  /** SOUK wei slashed per provider fault. @default 100 SOUK */
  slashAmount: bigint;
  /** Seconds a referee has to settle a dispute after the job's audit window. @default 1 day */
  disputePeriod: bigint;
  /** Longest job deadline, seconds from submission. @default 7 days */
  maxJobDuration: bigint;
  /** Seconds providers have to reveal once the last commit of a job is in. @default 10 minutes */
  revealPeriod: bigint;
  /** Seconds after a job's last reveal when only the scheduler may finalize and the referee may challenge. @default 10 minutes */
  auditPeriod: bigint;
  /**
   * Seconds that must be left before a job's deadline when a provider is assigned (and at submission). Keep it
   * below the node's shortest accepted deadline (30 s) minus assignment latency; raise it in production.
   * @default 20 seconds
   */
  minWorkingTime: bigint;
  /**
   * ComputeEscrow: seconds between a requester's `requestWithdrawal` and `withdraw`. The node must settle every
   * accepted order within it (or accept no deadline further away). The devnet uses 1 hour. @default 1 day
   */
  withdrawalDelay: bigint;
  /** Timelock delay between queueing and executing a proposal, seconds. @default 2 days */
  timelockDelay: bigint;
  /** Blocks between a proposal and its vote. @default 1 */
  votingDelay: number;
  /** Blocks a vote stays open. @default 50,400 (~1 week of 12 s blocks) */
  votingPeriod: number;
  /** Votes needed to propose, SOUK wei. @default 0 */
  proposalThreshold: bigint;
  /** Quorum, percent of supply. @default 4 */
  quorumPercent: bigint;
};

/** Defaults for {@link SoukParameters}. */
export const defaultParameters: SoukParameters = {
  protocolFeeBps: 250,
  minStake: parseEther('1000'),
  unbondingPeriod: 14n * 24n * 3600n,
  slashAmount: parseEther('100'),
  disputePeriod: 24n * 3600n,
  maxJobDuration: 7n * 24n * 3600n,
  revealPeriod: 600n,
  auditPeriod: 600n,
  minWorkingTime: 20n,
  withdrawalDelay: 24n * 3600n,
  timelockDelay: 2n * 24n * 3600n,
  votingDelay: 1,
  votingPeriod: 50_400,
  proposalThreshold: 0n,
  quorumPercent: 4n,
};

/** What a deployment produced: written as `deployments/<chainId>.json`. */
export type SoukDeployment = {
  /** EIP-155 chain id. */
  chainId: number;
  /** Block of the first deployment transaction: where an indexer starts. */
  blockNumber: string;
  /** Account that deployed. */
  deployer: Address;
  /** Contract addresses. */
  contracts: {
    soukToken: Address;
    agentNft: Address;
    marketplace: Address;
    licenses: Address;
    providerRegistry: Address;
    computeMarket: Address;
    /** Compute protocol v2: prepaid balances, batched settlement, disputes (ComputeEscrow). */
    computeEscrow: Address;
    governor: Address;
    timelock: Address;
  };
  /** Who holds the operational roles. */
  roles: {
    /** PAUSER_ROLE on Marketplace, Licenses, ComputeMarket, ComputeEscrow. */
    guardian: Address;
    /** SCHEDULER_ROLE and REFEREE_ROLE on ComputeMarket, SETTLER_ROLE and REFEREE_ROLE on ComputeEscrow (the Souk node). */
    operator: Address;
    /** DEFAULT_ADMIN_ROLE everywhere once handed over (the timelock), else the deployer. */
    admin: Address;
  };
  /** Starting values of the governed parameters (bigints as decimal strings). */
  parameters: Record<keyof SoukParameters, string | number>;
};

export type DeploySoukParameters = {
  /** Wallet that pays for and signs the deployment. */
  walletClient: WalletClient<Transport, Chain, Account>;
  /** Client used to wait for receipts. */
  publicClient: PublicClient;
  /** PAUSER_ROLE holder. @default the deployer */
  guardian?: Address | undefined;
  /** SCHEDULER_ROLE, SETTLER_ROLE and REFEREE_ROLE holder (the Souk node's account). @default the deployer */
  operator?: Address | undefined;
  /** Receives the fixed SOUK supply. @default the deployer (devnet); use the timelock on real networks */
  tokenHolder?: Address | undefined;
  /** SOUK supply in wei. @default 1,000,000,000 SOUK */
  supply?: bigint | undefined;
  /** ERC-20s allowed as payment (e.g. a stablecoin). Native currency is always allowed. */
  currencies?: readonly Address[] | undefined;
  /** Overrides of the governed parameters. */
  parameters?: Partial<SoukParameters> | undefined;
  /** Give DEFAULT_ADMIN_ROLE to the timelock and renounce the deployer's. @default true */
  handOver?: boolean | undefined;
  /** Directory to write `<chainId>.json` into; omitted = write nothing. */
  deploymentsDir?: string | undefined;
};

/** Thrown when a deployment transaction fails or produces no contract. */
export class DeploymentError extends Error {
  override name = 'DeploymentError' as const;
}

/**
 * Deploys SoukToken, AgentNFT, Marketplace, Licenses, ProviderRegistry, ComputeMarket, ComputeEscrow, SoukTimelock
 * and SoukGovernor; grants the ComputeMarket SLASHER_ROLE and REPORTER_ROLE in the registry and the ComputeEscrow
 * SLASHER_ROLE, the operator SCHEDULER_ROLE and REFEREE_ROLE (ComputeMarket) and SETTLER_ROLE and REFEREE_ROLE
 * (ComputeEscrow), the guardian PAUSER_ROLE, the governor PROPOSER_ROLE and CANCELLER_ROLE in the timelock (anyone
 * may execute); allows the given ERC-20 currencies; then (unless `handOver: false`) gives DEFAULT_ADMIN_ROLE to the
 * timelock and renounces the deployer's, so that only governance can change parameters or unpause.
 *
 * @example
 * ```ts
 * import { createPublicClient, createWalletClient, http } from 'viem'
 * import { privateKeyToAccount } from 'viem/accounts'
 * import { foundry } from 'viem/chains'
 * import { deploySouk } from '@souk/contracts'
 * const account = privateKeyToAccount(process.env.PRIVATE_KEY as `0x${string}`)
 * const walletClient = createWalletClient({ account, chain: foundry, transport: http() })
 * const publicClient = createPublicClient({ chain: foundry, transport: http() })
 * const deployment = await deploySouk({ walletClient, publicClient, deploymentsDir: 'deployments' })
 * ```
 * @returns The addresses, deployment block, roles and parameters.
 * @throws {DeploymentError} when a transaction reverts.
 */
export async function deploySouk({
  walletClient,
  publicClient,
  guardian,
  operator,
  tokenHolder,
  supply = parseEther('1000000000'),
  currencies = [],
  parameters: overrides = {},
  handOver = true,
  deploymentsDir,
}: DeploySoukParameters): Promise<SoukDeployment> {
  const params = { ...defaultParameters, ...overrides };
  const deployer = walletClient.account.address;
  guardian ??= deployer;
  operator ??= deployer;
  tokenHolder ??= deployer;
  const chainId = await publicClient.getChainId();
  let firstBlock: bigint | undefined;

  const deploy = async (name: string, abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<Address> => {
    const hash = await walletClient.deployContract({ abi, bytecode, args } as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new DeploymentError(`Deploying ${name} failed (tx ${hash}).`);
    }
    firstBlock ??= receipt.blockNumber;
    return getAddress(receipt.contractAddress);
  };
  const send = async (
    what: string,
    request: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] },
  ) => {
    const hash = await walletClient.writeContract(request as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new DeploymentError(`${what} failed (tx ${hash}).`);
  };

  const timelock = await deploy('SoukTimelock', soukTimelockAbi, soukTimelockBytecode, [
    params.timelockDelay,
    [],
    [zeroAddress],
    deployer,
  ]);
  const soukToken = await deploy('SoukToken', soukTokenAbi, soukTokenBytecode, [tokenHolder, supply]);
  const governor = await deploy('SoukGovernor', soukGovernorAbi, soukGovernorBytecode, [
    soukToken,
    timelock,
    params.votingDelay,
    params.votingPeriod,
    params.proposalThreshold,
    params.quorumPercent,
  ]);
  const agentNft = await deploy('AgentNFT', agentNftAbi, agentNftBytecode, []);
  const marketplace = await deploy('Marketplace', marketplaceAbi, marketplaceBytecode, [
    agentNft,
    deployer,
    guardian,
    timelock,
    params.protocolFeeBps,
  ]);
  const licenses = await deploy('Licenses', licensesAbi, licensesBytecode, [
    agentNft,
    deployer,
    guardian,
    timelock,
    params.protocolFeeBps,
  ]);
  const providerRegistry = await deploy('ProviderRegistry', providerRegistryAbi, providerRegistryBytecode, [
    soukToken,
    deployer,
    params.minStake,
    params.unbondingPeriod,
    timelock,
  ]);
  const computeMarket = await deploy('ComputeMarket', computeMarketAbi, computeMarketBytecode, [
    agentNft,
    providerRegistry,
    {
      admin: deployer,
      guardian,
      treasury: timelock,
      slashAmount: params.slashAmount,
      disputePeriod: params.disputePeriod,
      maxJobDuration: params.maxJobDuration,
      revealPeriod: params.revealPeriod,
      auditPeriod: params.auditPeriod,
      minWorkingTime: params.minWorkingTime,
    },
  ]);
  const computeEscrow = await deploy('ComputeEscrow', computeEscrowAbi, computeEscrowBytecode, [
    agentNft,
    providerRegistry,
    {
      admin: deployer,
      guardian,
      treasury: timelock,
      slashAmount: params.slashAmount,
      withdrawalDelay: params.withdrawalDelay,
      disputePeriod: params.disputePeriod,
    },
  ]);

  const grant = (address: Address, abi: Abi, role: Hex, account: Address, what: string) =>
    send(what, { address, abi, functionName: 'grantRole', args: [role, account] });
  await grant(timelock, soukTimelockAbi, roles.proposer, governor, 'timelock: PROPOSER_ROLE to governor');
  await grant(timelock, soukTimelockAbi, roles.canceller, governor, 'timelock: CANCELLER_ROLE to governor');
  await grant(providerRegistry, providerRegistryAbi, roles.slasher, computeMarket, 'registry: SLASHER_ROLE');
  // Now that it may: the registry learns the job lifetime as the floor of its unbonding period.
  await send('compute: syncUnbondingFloor', {
    address: computeMarket,
    abi: computeMarketAbi,
    functionName: 'syncUnbondingFloor',
    args: [],
  });
  await grant(providerRegistry, providerRegistryAbi, roles.reporter, computeMarket, 'registry: REPORTER_ROLE');
  await grant(computeMarket, computeMarketAbi, roles.scheduler, operator, 'compute: SCHEDULER_ROLE');
  await grant(computeMarket, computeMarketAbi, roles.referee, operator, 'compute: REFEREE_ROLE');
  await grant(providerRegistry, providerRegistryAbi, roles.slasher, computeEscrow, 'registry: SLASHER_ROLE (escrow)');
  await grant(computeEscrow, computeEscrowAbi, roles.settler, operator, 'escrow: SETTLER_ROLE');
  await grant(computeEscrow, computeEscrowAbi, roles.referee, operator, 'escrow: REFEREE_ROLE');
  const paying = [
    [marketplace, marketplaceAbi],
    [licenses, licensesAbi],
    [computeMarket, computeMarketAbi],
    [computeEscrow, computeEscrowAbi],
  ] as const;
  for (const currency of currencies) {
    for (const [address, abi] of paying) {
      await send(`allow ${currency}`, { address, abi, functionName: 'setCurrencyAllowed', args: [currency, true] });
    }
  }

  if (handOver) {
    const governed = [...paying, [providerRegistry, providerRegistryAbi]] as const;
    for (const [address, abi] of governed) {
      await grant(address, abi, roles.admin, timelock, `admin role to timelock on ${address}`);
      await send('renounce admin', { address, abi, functionName: 'renounceRole', args: [roles.admin, deployer] });
    }
    await send('timelock: renounce bootstrap admin', {
      address: timelock,
      abi: soukTimelockAbi,
      functionName: 'renounceRole',
      args: [roles.admin, deployer],
    });
  }

  const deployment: SoukDeployment = {
    chainId,
    blockNumber: String(firstBlock),
    deployer,
    contracts: {
      soukToken,
      agentNft,
      marketplace,
      licenses,
      providerRegistry,
      computeMarket,
      computeEscrow,
      governor,
      timelock,
    },
    roles: { guardian, operator, admin: handOver ? timelock : deployer },
    parameters: Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
    ) as SoukDeployment['parameters'],
  };
  if (deploymentsDir) writeDeployment(deploymentsDir, deployment);
  return deployment;
}

/** Writes `<dir>/<chainId>.json` (pretty-printed). */
export function writeDeployment(dir: string, deployment: SoukDeployment): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${deployment.chainId}.json`);
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return file;
}

/**
 * Reads `<dir>/<chainId>.json`, or returns `undefined` when it does not exist.
 * @throws {SyntaxError} when the file is not JSON.
 */
export function readDeployment(dir: string, chainId: number): SoukDeployment | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, `${chainId}.json`), 'utf8')) as SoukDeployment;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
