/**
 * The node's view of the chain: the embedded anvil devnet (default) or an external JSON-RPC with a deployments
 * file. Hides which one it is from the rest of the node.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Anvil, type DevAccount, type SoukDeployment, startDevnet } from '@souk/contracts';
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
  webSocket,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { NodeConfig } from '../config.ts';

/**
 * The devnet's HTTP transport, made durable: a transaction receipt is handed to the node only once anvil's saved
 * state contains its block, and `eth_blockNumber` only reports a head that is saved. So everything the node
 * acknowledges or builds on — API responses after `transact`, the operator's own transactions, the indexer's
 * checkpoint and database rows — survives a crash of the node and anvil together. Requests that bypass the node
 * (wallets and providers sending to the RPC directly) are saved within `stateInterval` or at the next receipt or
 * head the node reads, not synchronously.
 * @param anvil The running devnet, with its `stateFile`.
 * @param url anvil's RPC URL.
 */
export function durableTransport(anvil: Pick<Anvil, 'persist'>, url: string): Transport {
  const base = http(url);
  return (options) => {
    const transport = base(options);
    return {
      ...transport,
      async request(args) {
        const result = await transport.request(args);
        if (args.method === 'eth_getTransactionReceipt' && result) {
          await anvil.persist(BigInt((result as { blockNumber: string }).blockNumber));
        } else if (args.method === 'eth_blockNumber') {
          await anvil.persist(BigInt(result as string));
        }
        return result;
      },
    } as ReturnType<Transport>;
  };
}

/** What the rest of the node needs from the chain. */
export type ChainService = {
  /** JSON-RPC URL. */
  rpcUrl: string;
  /** viem chain object (id, name, native currency). */
  chain: Chain;
  publicClient: PublicClient;
  /** Addresses, deployment block and roles of the Souk contracts. */
  deployment: SoukDeployment & { stablecoin?: Address };
  /** True on the embedded devnet: dev accounts can have transactions submitted for them by the node. */
  devnet: boolean;
  /** The devnet's funded accounts (empty on real networks). */
  devAccounts: DevAccount[];
  /** Wallet of the node's operator (scheduler/referee) when it has a key: dev account 0, or SOUK_OPERATOR_KEY. */
  operator?: WalletClient<Transport, Chain, Account> | undefined;
  /** A wallet for a devnet account, or undefined when the node does not hold its key. */
  walletFor: (address: Address) => WalletClient<Transport, Chain, Account> | undefined;
  /**
   * Calls `onBlock` with each new block number as soon as the chain has it (devnet: a WebSocket `newHeads`
   * subscription to anvil), so the node reacts without waiting for its next poll. Absent on external RPCs (the
   * indexer's polling is the only clock there). Returns a function that stops watching.
   */
  watchBlocks?: ((onBlock: (blockNumber: bigint) => void) => () => void) | undefined;
  /** The embedded devnet's anvil (pid, `persist`); undefined for an external RPC. */
  anvil?: Anvil | undefined;
  /** Stops the embedded devnet (saving its state); no-op for an external RPC. */
  stop: () => Promise<void>;
};

/**
 * Connects to the configured chain, starting the embedded devnet (state in `<dataDir>/chain`) when no RPC is set.
 * @throws {AnvilStartError} when the devnet cannot start; `Error` when the deployments file is unreadable.
 */
export async function createChain(config: NodeConfig, log: (line: string) => void = () => {}): Promise<ChainService> {
  if (!config.rpcUrl) {
    const devnet = await startDevnet({
      dataDir: path.join(config.dataDir, 'chain'),
      port: config.devnetPort,
      blockTime: config.devnetBlockTime,
      log,
    });
    const chain = defineChain({
      id: devnet.deployment.chainId,
      name: 'Souk devnet',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [devnet.anvil.rpcUrl] } },
    });
    // Anvil mines each transaction at once: poll for receipts and blocks every 50 ms, not viem's default 4 s.
    const pollingInterval = 50;
    const transport = durableTransport(devnet.anvil, devnet.anvil.rpcUrl);
    const wallets = new Map(
      devnet.accounts.map((a) => [
        a.address.toLowerCase(),
        createWalletClient({ account: a.account, chain, transport, pollingInterval }),
      ]),
    );
    let heads: PublicClient | undefined;
    const watchers = new Set<() => void>();
    return {
      rpcUrl: devnet.anvil.rpcUrl,
      chain,
      publicClient: createPublicClient({ chain, transport, pollingInterval }) as PublicClient,
      deployment: { ...devnet.deployment, stablecoin: devnet.stablecoin },
      devnet: true,
      anvil: devnet.anvil,
      devAccounts: devnet.accounts,
      operator: wallets.get(devnet.accounts[0].address.toLowerCase()),
      walletFor: (address) => wallets.get(address.toLowerCase()),
      watchBlocks(onBlock) {
        heads ??= createPublicClient({
          chain,
          transport: webSocket(devnet.anvil.rpcUrl.replace(/^http/, 'ws'), { keepAlive: false, reconnect: false }),
        }) as PublicClient;
        const unwatch = heads.watchBlockNumber({ onBlockNumber: onBlock, emitMissed: false, onError: () => {} });
        watchers.add(unwatch);
        return () => {
          unwatch();
          watchers.delete(unwatch);
        };
      },
      async stop() {
        for (const unwatch of watchers) unwatch();
        watchers.clear();
        if (heads) (await heads.transport.getRpcClient().catch(() => undefined))?.close();
        await devnet.anvil.stop();
      },
    };
  }
  const deployment = JSON.parse(readFileSync(config.deploymentsFile as string, 'utf8')) as SoukDeployment;
  const chain = defineChain({
    id: deployment.chainId,
    name: `chain ${deployment.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
  const transport = http(config.rpcUrl);
  const key = process.env.SOUK_OPERATOR_KEY as `0x${string}` | undefined;
  const operator = key ? createWalletClient({ account: privateKeyToAccount(key), chain, transport }) : undefined;
  return {
    rpcUrl: config.rpcUrl,
    chain,
    publicClient: createPublicClient({ chain, transport }) as PublicClient,
    deployment,
    devnet: false,
    devAccounts: [],
    operator,
    walletFor: (address) =>
      operator && operator.account.address.toLowerCase() === address.toLowerCase() ? operator : undefined,
    stop: async () => {},
  };
}
