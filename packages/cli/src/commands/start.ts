/**
 * `souk start`: runs a Souk node — embedded devnet, PGlite and Helia by default; PostgreSQL, an external chain and
 * Kubo when configured — and prints what a newcomer needs: URLs, chain, contracts, funded dev accounts.
 */
import { parseArgs } from 'node:util';
import { providerRegistryAbi } from '@souk/contracts';
import type { NodeConfig, RunningNode } from '@souk/node';
import { formatEther } from 'viem';
import { DEFAULT_NODE_URL } from '../args.ts';

export const summary = 'Start a Souk node (devnet, database, storage, indexer, API)';

export const help = `Usage: souk start [options]

${summary}.

Options:
  --data-dir <dir>      Where all local state lives (env SOUK_DATA_DIR)      [default: ./.souk]
  --port <n>            HTTP port (env PORT)                                   [default: 8080]
  --host <ip>           HTTP host (env HOST)                                   [default: 127.0.0.1]
  --devnet-port <n>     Port of the embedded anvil devnet (env SOUK_RPC_PORT)  [default: 8545]
  --rpc-url <url>       Use an external EVM JSON-RPC instead of the devnet (env RPC_URL)
  --deployments <file>  deployments/<chainId>.json for --rpc-url (env SOUK_DEPLOYMENTS)
  --providers <n>       Local compute providers to start, 0..5 (env SOUK_PROVIDERS)  [default: 2 on the devnet]
  --public-url <url>    Origin clients reach the node at: the SIWE domain/uri (env SOUK_PUBLIC_URL)  [default: http://<host>:<port>]
  --quiet               Only warnings and errors in the request log
  -h, --help            Show this help

Environment: DATABASE_URL (PostgreSQL instead of PGlite), KUBO_API_URL (Kubo instead of Helia),
NATS_URL (job bus), JWT_SECRET, CORS_ORIGINS, RATE_LIMIT_PER_MINUTE, SOUK_CONFIRMATIONS,
SOUK_AUDIT_RATE, SOUK_COMMIT_TIMEOUT_SECONDS, SOUK_SAMPLE_MODEL, SOUK_CATALOGUE, SOUK_BUS_PREFIX (see docs/node.md).

Examples:
  souk start                                   # ./.souk, http://127.0.0.1:8080, devnet on 8545
  souk start --data-dir .souk-b --port 9090 --devnet-port 9545 --providers 1   # a second node beside it`;

/**
 * Lines warning about local providers that are inactive (stake below ProviderRegistry's minimum, e.g. after a slash):
 * the scheduler never selects them, so jobs would wait. Each names the stake, the minimum and the command that fixes
 * it (`souk provider stake <SOUK>`).
 * @param node - The running node (its local providers, chain and URL: the fix names `--node` unless it is the default).
 * @returns One or two lines per inactive provider; none when all are active.
 */
export async function inactiveProviderWarnings(
  node: Pick<RunningNode, 'providers' | 'services'> & { url?: string | undefined },
): Promise<string[]> {
  const { chain } = node.services;
  if (node.providers.length === 0) return [];
  const minStake = (await chain.publicClient.readContract({
    address: chain.deployment.contracts.providerRegistry,
    abi: providerRegistryAbi,
    functionName: 'minStake',
  })) as bigint;
  const lines: string[] = [];
  for (const provider of node.providers) {
    const status = await provider.status();
    if (status.active) continue;
    const index = chain.devAccounts.findIndex((a) => a.address.toLowerCase() === provider.address.toLowerCase());
    const who = index >= 0 ? `--account ${index}` : '--key <its key>';
    const missing = minStake > status.stake ? minStake - status.stake : 0n;
    lines.push(
      `  ! provider ${provider.address} is inactive: stake ${formatEther(status.stake)} SOUK, minimum ${formatEther(minStake)} SOUK` +
        ` (slashed ${status.slashed}×); it gets no jobs.`,
      `    Top it up: npx souk provider stake ${formatEther(missing > 0n ? missing : minStake)} ${who}${node.url ? nodeFlag(node.url) : ''}`,
    );
  }
  return lines;
}

/**
 * What the other commands need to reach this node: `''` when it listens on the CLI's default URL
 * (http://127.0.0.1:8080), else ` --node <url>`, appended to every command the banner suggests.
 * @param url - The node's URL as it listens (`RunningNode.url`).
 * @example nodeFlag('http://127.0.0.1:9090') // ' --node http://127.0.0.1:9090'
 */
export function nodeFlag(url: string): string {
  return new URL(url).origin === new URL(DEFAULT_NODE_URL).origin ? '' : ` --node ${url}`;
}

export async function run(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | undefined>;
  try {
    ({ values: flags } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'devnet-port': { type: 'string' },
        'rpc-url': { type: 'string' },
        deployments: { type: 'string' },
        providers: { type: 'string' },
        'public-url': { type: 'string' },
        quiet: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`souk start: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  // Loaded here, not at the top: the node (Fastify, Helia, PGlite) takes seconds to import.
  const { ConfigError, loadConfig, startNode } = await import('@souk/node');
  let config: NodeConfig;
  try {
    config = loadConfig(
      Object.fromEntries(Object.entries(flags).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
      // souk start publishes the whole model catalogue on a fresh devnet (the node library alone: only OCR).
      { SOUK_CATALOGUE: 'all', ...process.env },
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`souk start: ${error.message}`);
      return 2;
    }
    throw error;
  }

  const node = await startNode(config, {
    log: (line) => console.log(line),
    logger: { level: flags.quiet ? 'warn' : 'info' },
  });
  const { chain } = node.services;
  const flag = nodeFlag(node.url);
  const lines = [
    '',
    `Souk node is running — data in ${config.dataDir}`,
    `  Web app    ${node.url}/`,
    `  API        ${node.url}/api/v1`,
    `  Docs       ${node.url}/docs   (OpenAPI: ${node.url}/openapi.json)`,
    `  Health     ${node.url}/health   ${node.url}/ready   ${node.url}/metrics`,
    `  Chain      ${chain.rpcUrl}  (chain id ${chain.deployment.chainId}${chain.devnet ? ', embedded devnet' : ''})`,
    `  Database   ${config.databaseUrl ? 'PostgreSQL' : 'PGlite'}    Storage ${config.kuboApiUrl ? 'Kubo' : 'Helia'}    Job bus ${config.natsUrl ? 'NATS JetStream' : 'in-process'}`,
    `  Providers  ${node.providers.length ? node.providers.map((p) => p.address).join(', ') : 'none local'}`,
    ...(flag
      ? [
          `  CLI        not the CLI's default node (${DEFAULT_NODE_URL}): add${flag} to every souk command`,
          `             (or export SOUK_NODE_URL=${node.url})`,
        ]
      : []),
    ...(await inactiveProviderWarnings(node)),
    '',
    'Contracts',
    ...Object.entries(chain.deployment.contracts).map(([k, v]) => `  ${k.padEnd(17)} ${v}`),
  ];
  if (chain.deployment.stablecoin) lines.push(`  ${'stablecoin (mUSD)'.padEnd(17)} ${chain.deployment.stablecoin}`);
  if (chain.devnet) {
    lines.push('', "Funded dev accounts (anvil's public test keys: devnet only)");
    for (const [i, a] of chain.devAccounts.entries()) {
      const eth = await chain.publicClient.getBalance({ address: a.address });
      lines.push(`  [${i}] ${a.address}  ${formatEther(eth)} ETH   key ${a.privateKey}`);
    }
  }
  if (node.catalogue.length > 0) {
    lines.push('', 'Models published on this devnet (try one in another terminal):');
    const width = Math.max(...node.catalogue.map((m) => m.name.length));
    for (const model of node.catalogue)
      lines.push(`  #${model.assetId}  ${model.name.padEnd(width)}  npx ${model.example}${flag}`);
  }
  lines.push('', 'Ctrl-C stops the node; chain state, database and blocks are kept for the next start.');
  console.log(lines.join('\n'));

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: finishing in-flight work, checkpointing the indexer, saving chain state…`);
      await node.stop();
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
  return 0;
}
