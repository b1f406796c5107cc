/**
 * The embedded devnet: anvil with Souk deployed, state kept in a data directory so that a restart resumes with
 * the same addresses and data.
 */
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import {
  type Address,
  createPublicClient,
  createWalletClient,
  formatEther,
  type Hex,
  http,
  parseEther,
  parseUnits,
} from 'viem';
import { type HDAccount, mnemonicToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { type Anvil, DEV_MNEMONIC, startAnvil } from './anvil.ts';
import { deploySouk, readDeployment, type SoukDeployment, writeDeployment } from './deploy.ts';
import { mockErc20Abi, mockErc20Bytecode, soukTokenAbi } from './generated/abis.ts';

/** A funded devnet account. Its key is public knowledge (anvil's default mnemonic): never use it elsewhere. */
export type DevAccount = { address: Address; privateKey: Hex; account: HDAccount };

/** The first `count` anvil dev accounts (10,000 ETH each on a fresh devnet). */
export function devAccounts(count = 10): DevAccount[] {
  return Array.from({ length: count }, (_, addressIndex) => {
    const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex });
    const privateKey = `0x${Buffer.from(account.getHdKey().privateKey as Uint8Array).toString('hex')}` as Hex;
    return { address: account.address, privateKey, account };
  });
}

export type StartDevnetParameters = {
  /** Where anvil's state and `deployments/<chainId>.json` live. */
  dataDir: string;
  /** RPC port on 127.0.0.1. @default 8545 */
  port?: number | undefined;
  /**
   * Seconds between blocks (anvil `--block-time`), to run as an OP-Stack-like L2 does (2 s); absent: a block per
   * transaction (instant mining).
   */
  blockTime?: number | undefined;
  /** Called with progress lines. */
  log?: ((line: string) => void) | undefined;
};

export type Devnet = {
  anvil: Anvil;
  deployment: SoukDeployment;
  /** Address of the devnet's mock stablecoin (mUSD, 6 decimals), allowed as payment everywhere. */
  stablecoin: Address;
  /** Whether this start deployed the contracts (first start) or resumed saved state. */
  freshlyDeployed: boolean;
  accounts: DevAccount[];
};

/**
 * Starts anvil with its state in `dataDir`; on the first start deploys Souk (account 0 deploys and operates,
 * governance has a 60 s timelock and 20-block votes so it can be tried locally), deploys a mock stablecoin, and
 * gives every dev account 10,000 SOUK and 10,000 mUSD. Later starts load the saved state and the same addresses.
 *
 * The state lives in `<dataDir>/anvil-state.json.gz`, written atomically by `devnet.anvil.persist()` (see
 * {@link startAnvil}); what is durable is what was persisted. anvil dies with this process.
 *
 * @example
 * ```ts
 * const devnet = await startDevnet({ dataDir: '.souk' })
 * console.log(devnet.deployment.contracts)
 * await devnet.anvil.stop()
 * ```
 * @throws {AnvilPortInUseError} when another process already listens on `port`.
 * @throws {AnvilStartError} when anvil cannot start.
 */
export async function startDevnet({
  dataDir,
  port = 8545,
  blockTime,
  log = () => {},
}: StartDevnetParameters): Promise<Devnet> {
  const stateFile = path.join(dataDir, 'anvil-state.json.gz');
  const legacy = path.join(dataDir, 'anvil-state.json'); // anvil's own dump, before saves were atomic
  if (!existsSync(stateFile) && existsSync(legacy)) renameSync(legacy, stateFile);
  const anvil = await startAnvil({ port, stateFile, blockTime });
  try {
    const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    const accounts = devAccounts();
    const deploymentsDir = path.join(dataDir, 'deployments');
    const saved = readDeployment(deploymentsDir, foundry.id);
    const savedCode = saved ? await publicClient.getCode({ address: saved.contracts.agentNft }) : undefined;
    // A deployment saved with another set of contracts is replaced by a fresh one: one from before ComputeEscrow
    // existed (the node needs every contract), or one that still has the per-job market of compute protocol v1
    // (removed), whose registry lets that contract slash and report.
    if (saved && sameContracts(saved) && savedCode && savedCode !== '0x') {
      log(`resumed devnet state from ${dataDir}`);
      const stablecoin = (saved as SoukDeployment & { stablecoin: Address }).stablecoin;
      return { anvil, deployment: saved, stablecoin, freshlyDeployed: false, accounts };
    }

    log('first start: deploying Souk contracts…');
    const walletClient = createWalletClient({
      account: accounts[0].account,
      chain: foundry,
      transport: http(anvil.rpcUrl),
    });
    const stableHash = await walletClient.deployContract({ abi: mockErc20Abi, bytecode: mockErc20Bytecode, args: [] });
    const stablecoin = (await publicClient.waitForTransactionReceipt({ hash: stableHash })).contractAddress as Address;
    const deployment = await deploySouk({
      walletClient,
      publicClient,
      currencies: [stablecoin],
      parameters: { timelockDelay: 60n, votingPeriod: 20, withdrawalDelay: 3600n },
    });
    for (const { address } of accounts) {
      const soukHash = await walletClient.writeContract({
        address: deployment.contracts.soukToken,
        abi: soukTokenAbi,
        functionName: 'transfer',
        args: [address, parseEther('10000')],
      });
      await publicClient.waitForTransactionReceipt({ hash: soukHash });
      const usdHash = await walletClient.writeContract({
        address: stablecoin,
        abi: mockErc20Abi,
        functionName: 'mint',
        args: [address, parseUnits('10000', 6)],
      });
      await publicClient.waitForTransactionReceipt({ hash: usdHash });
    }
    // The deployments file must never name contracts that a crash could still take away.
    await anvil.persist();
    writeDeployment(deploymentsDir, { ...deployment, stablecoin } as SoukDeployment);
    return { anvil, deployment, stablecoin, freshlyDeployed: true, accounts };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

/** The contracts a deployment names (a `Record`, so that the compiler keeps it in step with {@link SoukDeployment}). */
const deployedContracts: Record<keyof SoukDeployment['contracts'], true> = {
  soukToken: true,
  agentNft: true,
  marketplace: true,
  licenses: true,
  providerRegistry: true,
  computeEscrow: true,
  lineageRoyalties: true,
  evaluations: true,
  lineages: true,
  governor: true,
  timelock: true,
};

/** Whether a saved deployment names exactly the contracts {@link deploySouk} deploys today. */
function sameContracts(saved: SoukDeployment): boolean {
  const names = Object.keys(saved.contracts);
  return names.length === Object.keys(deployedContracts).length && names.every((name) => name in deployedContracts);
}

/** A human-readable summary of a devnet: RPC, chain, contracts and funded accounts. */
export async function describeDevnet(devnet: Devnet): Promise<string> {
  const publicClient = createPublicClient({ chain: foundry, transport: http(devnet.anvil.rpcUrl) });
  const lines = [
    `RPC        ${devnet.anvil.rpcUrl}   chain id ${devnet.deployment.chainId}`,
    '',
    'Contracts',
    ...Object.entries(devnet.deployment.contracts).map(([name, address]) => `  ${name.padEnd(17)} ${address}`),
    `  ${'stablecoin (mUSD)'.padEnd(17)} ${devnet.stablecoin}`,
    '',
    "Funded dev accounts (anvil's public test keys: devnet only)",
  ];
  for (const [i, { address, privateKey }] of devnet.accounts.entries()) {
    const [eth, souk] = await Promise.all([
      publicClient.getBalance({ address }),
      publicClient.readContract({
        address: devnet.deployment.contracts.soukToken,
        abi: soukTokenAbi,
        functionName: 'balanceOf',
        args: [address],
      }),
    ]);
    const role = i === 0 ? '  (deployer, operator, guardian)' : '';
    lines.push(`  [${i}] ${address}  ${formatEther(eth)} ETH  ${formatEther(souk)} SOUK${role}`);
    lines.push(`      key ${privateKey}`);
  }
  return lines.join('\n');
}
