/**
 * A connection to a node: the SDK client, what `/info` says about the node (chain, contracts, devnet), a viem
 * public client on the node's chain, and the tokens the CLI can name. Commands that act as an account sign in
 * with SIWE through {@link signInAs}.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { createSoukClient, type GetNodeInfoReturnType, getNodeInfo, type SoukClient, signIn } from '@souk/sdk';
import {
  type Address,
  type Chain,
  createPublicClient,
  defineChain,
  http,
  type LocalAccount,
  type PublicClient,
  zeroAddress,
} from 'viem';
import { UsageError } from './errors.ts';
import type { Token } from './format.ts';

/** Option of commands that read or write the chain themselves. */
export const rpcOptions = { 'rpc-url': { type: 'string' } } as const satisfies ParseArgsOptionsConfig;
/** Help line of {@link rpcOptions}. */
export const rpcHelp = `  --rpc-url <url>       Chain JSON-RPC for balances and for transactions the node returns unsigned
                        (env SOUK_RPC_URL)  [default: the node's, from /info]`;

export type Context = {
  client: SoukClient;
  info: GetNodeInfoReturnType;
  /** The node's chain, with {@link Context.rpcUrl} as its RPC. */
  chain: Chain;
  rpcUrl: string;
  publicClient: PublicClient;
  /** How to show an amount of `currency` (`address(0)` = the native currency). */
  token: (currency: string | null | undefined) => Token;
};

/**
 * Connects to the node at `url` (reads `/info`).
 * @param rpcUrl Overrides the RPC the node reports (e.g. when the node's `127.0.0.1` is not yours).
 * @throws {SoukError} when the node cannot be reached.
 */
export async function connect({
  url,
  rpcUrl,
  env = process.env,
}: {
  url: string;
  rpcUrl?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}): Promise<Context> {
  const client = createSoukClient({ url });
  const info = await getNodeInfo(client);
  const rpc = rpcUrl ?? env.SOUK_RPC_URL ?? info.rpcUrl;
  if (!URL.canParse(rpc)) throw new UsageError(`--rpc-url: "${rpc}" is not a URL.`);
  const chain = defineChain({
    id: info.chainId,
    name: info.devnet ? 'Souk devnet' : `chain ${info.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(rpc) }) as PublicClient;
  const known = new Map<string, Token>([
    [zeroAddress, { symbol: 'ETH', decimals: 18 }],
    [info.contracts.soukToken.toLowerCase(), { symbol: 'SOUK', decimals: 18 }],
  ]);
  // The devnet's mock stablecoin (6 decimals); a deployment's stablecoin is a USD token of the same shape.
  if (info.stablecoin) known.set(info.stablecoin.toLowerCase(), { symbol: 'mUSD', decimals: 6 });
  const token = (currency: string | null | undefined): Token =>
    known.get((currency ?? zeroAddress).toLowerCase()) ?? { symbol: currency as string, decimals: undefined };
  return { client, info, chain, rpcUrl: rpc, publicClient, token };
}

/**
 * Signs in to the node as `account` (SIWE); the client then carries the access token.
 * @throws {SoukApiError} 401 when the node refuses the signature.
 */
export async function signInAs(context: Context, account: LocalAccount): Promise<void> {
  await signIn(context.client, { account });
}

/** The address of a currency name: `eth` (native), `musd` (the stablecoin), `souk`, or an address. */
export function currencyAddress(context: Context, name: string): Address {
  const lower = name.toLowerCase();
  if (lower === 'eth') return zeroAddress;
  if (lower === 'souk') return context.info.contracts.soukToken;
  if (lower === 'musd') {
    if (!context.info.stablecoin) throw new UsageError('--currency musd: this deployment has no stablecoin.');
    return context.info.stablecoin as Address;
  }
  if (/^0x[0-9a-fA-F]{40}$/.test(name)) return name as Address;
  throw new UsageError(`--currency: "${name}" is not eth, musd, souk or a token address.`);
}
