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
  evaluationsAbi,
  evaluationsBytecode,
  licensesAbi,
  licensesBytecode,
  lineageRoyaltiesAbi,
  lineageRoyaltiesBytecode,
  lineagesAbi,
  lineagesBytecode,
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
  referee: keccak256(toBytes('REFEREE_ROLE')),
  settler: keccak256(toBytes('SETTLER_ROLE')),
  recorder: keccak256(toBytes('RECORDER_ROLE')),
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
   * ProviderRegistry: seconds between `requestUnbond` and `withdraw`. Keep it longer than the longest order
   * deadline the node accepts (at most `withdrawalDelay` away) plus `disputePeriod`, so that a provider stays
   * slashable for every result it signed. @default 14 days
   */
  unbondingPeriod: bigint;
  /** ComputeEscrow: SOUK wei slashed per provider whose signed result the referee rejects. @default 100 SOUK */
  slashAmount: bigint;
  /** ComputeEscrow: seconds after an order's deadline during which the referee may settle a dispute. @default 1 day */
  disputePeriod: bigint;
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
    /** Compute protocol v2: prepaid balances, batched settlement, disputes (ComputeEscrow). */
    computeEscrow: Address;
    /** Lineage royalties: mints derived models with a RoyaltySplit as their creator (LineageRoyalties). */
    lineageRoyalties: Address;
    /** Verified model evaluations, recorded by the operator with the providers' attestations (Evaluations). */
    evaluations: Address;
    /** Trained models' lineage, recorded by the operator with the training jobs' attestations (Lineages). */
    lineages: Address;
    governor: Address;
    timelock: Address;
  };
  /** Who holds the operational roles. */
  roles: {
    /** PAUSER_ROLE on Marketplace, Licenses, ComputeEscrow. */
    guardian: Address;
    /** SETTLER_ROLE and REFEREE_ROLE on ComputeEscrow (the Souk node). */
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
  /** SETTLER_ROLE and REFEREE_ROLE holder on the ComputeEscrow (the Souk node's account). @default the deployer */
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
 * Deploys SoukToken, AgentNFT, Marketplace, Licenses, ProviderRegistry, ComputeEscrow, LineageRoyalties, Evaluations, Lineages, SoukTimelock and
 * SoukGovernor; grants the ComputeEscrow SLASHER_ROLE in the registry, the operator SETTLER_ROLE and REFEREE_ROLE on
 * the ComputeEscrow, the guardian PAUSER_ROLE, the governor PROPOSER_ROLE and CANCELLER_ROLE in the timelock (anyone
 * may execute); allows the given ERC-20 currencies; then (unless `handOver: false`) gives DEFAULT_ADMIN_ROLE to the
 * timelock and renounces the deployer's, so that only governance can change parameters or unpause. Nobody holds the
 * registry's REPORTER_ROLE (the escrow reports reputation through its events, not `recordResult`).
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

  const lineageRoyalties = await deploy('LineageRoyalties', lineageRoyaltiesAbi, lineageRoyaltiesBytecode, [agentNft]);
  const evaluations = await deploy('Evaluations', evaluationsAbi, evaluationsBytecode, [
    computeEscrow,
    providerRegistry,
    deployer,
  ]);
  const lineages = await deploy('Lineages', lineagesAbi, lineagesBytecode, [
    computeEscrow,
    providerRegistry,
    agentNft,
    deployer,
  ]);

  const grant = (address: Address, abi: Abi, role: Hex, account: Address, what: string) =>
    send(what, { address, abi, functionName: 'grantRole', args: [role, account] });
  await grant(timelock, soukTimelockAbi, roles.proposer, governor, 'timelock: PROPOSER_ROLE to governor');
  await grant(timelock, soukTimelockAbi, roles.canceller, governor, 'timelock: CANCELLER_ROLE to governor');
  await grant(providerRegistry, providerRegistryAbi, roles.slasher, computeEscrow, 'registry: SLASHER_ROLE (escrow)');
  // The escrow now may push its withdrawal delay + dispute period as the floor of the registry's unbonding period.
  await send('escrow: unbonding floor', {
    address: computeEscrow,
    abi: computeEscrowAbi,
    functionName: 'syncUnbondingFloor',
    args: [],
  });
  await grant(computeEscrow, computeEscrowAbi, roles.settler, operator, 'escrow: SETTLER_ROLE');
  await grant(computeEscrow, computeEscrowAbi, roles.referee, operator, 'escrow: REFEREE_ROLE');
  await grant(evaluations, evaluationsAbi, roles.recorder, operator, 'evaluations: RECORDER_ROLE');
  await grant(lineages, lineagesAbi, roles.recorder, operator, 'lineages: RECORDER_ROLE');
  const paying = [
    [marketplace, marketplaceAbi],
    [licenses, licensesAbi],
    [computeEscrow, computeEscrowAbi],
  ] as const;
  for (const currency of currencies) {
    for (const [address, abi] of paying) {
      await send(`allow ${currency}`, { address, abi, functionName: 'setCurrencyAllowed', args: [currency, true] });
    }
  }

  if (handOver) {
    const governed = [
      ...paying,
      [providerRegistry, providerRegistryAbi],
      [evaluations, evaluationsAbi],
      [lineages, lineagesAbi],
    ] as const;
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
      computeEscrow,
      lineageRoyalties,
      evaluations,
      lineages,
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
