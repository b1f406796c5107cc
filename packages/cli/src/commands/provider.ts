/**
 * `souk provider start|status|unbond|withdraw`: run a compute provider, or manage its stake in ProviderRegistry.
 * Local providers also start inside `souk start` (`--providers N`, on the in-process bus); a standalone provider on
 * another machine talks to the node's scheduler over NATS JetStream (`NATS_URL`).
 */
import { providerRegistryAbi } from '@souk/contracts';
import { SoukApiError, type SoukClient } from '@souk/sdk';
import { formatEther, parseEther } from 'viem';
import { accountHelp, accountOptions, resolveAccount } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseAmount } from '../args.ts';
import { emit, guard, note } from '../command.ts';
import { connect } from '../context.ts';
import { UsageError } from '../errors.ts';
import { table } from '../format.ts';
import { topUpStake } from '../providerStake.ts';
import { sendTransactions } from '../transact.ts';

export const summary = 'Run a compute provider, or show / top up / unbond / withdraw its stake';

export const help = `Usage: souk provider <start|status|stake|unbond|withdraw|list> [options]

${summary}.

  start      Register with stake (if needed), advertise by heartbeats, run assigned jobs (needs NATS_URL: the node's
             job bus; local providers run inside 'souk start --providers N' instead)
  status     Registration, stake, unbonding, orders paid and lost (the node's index)
  stake <SOUK>
             Top up the stake by <SOUK> (e.g. 100 or 12.5; approves SOUK first), then print the new stake and whether
             the provider is active (stake ≥ the registry's minimum): how a slashed provider gets back to work
  unbond     Start unbonding --amount SOUK (withdrawable after the unbonding period; slashable until then)
  withdraw   Withdraw unbonded stake
  list       Every registered provider (from the node's index): stake, active (stake ≥ the registry's minimum, read
             from the chain), reputation, paid/lost/slashed orders, online (a heartbeat in the last 10 s), price
             and pipelines it advertises

Options:
  --stake <SOUK>        Stake bonded at registration (start)                      [default: 1000]
  --price <ETH>         Price asked per job (start)                               [default: 0]
  --threads <n>         ONNX Runtime intra-op threads (start)                     [default: 1]
  --cuda                Ask for the CUDA execution provider (start)
  --amount <SOUK>       Amount to unbond (unbond)
${accountHelp}
${nodeHelp}

Examples (on the devnet, dev accounts 9 and 8 are the local providers of souk start):
  souk provider list
  souk provider status --account 9
  souk provider stake 100 --account 9`;

/** A provider as `GET /api/v1/providers` returns it (wei as decimal strings). */
type ProviderRow = {
  address: string;
  stakeWei: string;
  unbondingWei: string;
  completed: number;
  failed: number;
  slashed: number;
  reputation: number;
  online: boolean;
  heartbeat: Record<string, unknown> | null;
};

/** Every registered provider, following the pages of `GET /api/v1/providers` (registration order). */
async function listAllProviders(client: SoukClient): Promise<ProviderRow[]> {
  const all: ProviderRow[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`;
    const page: { items: ProviderRow[]; nextCursor: string | null } = await client.json(`/api/v1/providers${query}`);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return all;
}

export const run = (argv: string[]) =>
  guard('provider', async () => {
    const { values, positionals } = parse(
      argv,
      {
        ...nodeOptions,
        ...accountOptions,
        stake: { type: 'string' },
        price: { type: 'string' },
        threads: { type: 'string' },
        cuda: { type: 'boolean' },
        amount: { type: 'string' },
        json: { type: 'boolean' },
      },
      { positionals: 2, required: 1, names: ['a subcommand (start, status, stake, unbond, withdraw, list)'] },
    );
    const action = positionals[0];
    if (!['start', 'status', 'stake', 'unbond', 'withdraw', 'list'].includes(action)) {
      throw new UsageError(`Unknown subcommand "${action}": use start, status, stake, unbond, withdraw or list.`);
    }
    if (positionals.length > 1 && action !== 'stake') throw new UsageError(`Unexpected argument "${positionals[1]}".`);
    if (action === 'stake' && !positionals[1]) throw new UsageError('stake needs an amount of SOUK, e.g. 100.');
    const stakeAmount = action === 'stake' ? parseAmount(positionals[1] as string, 18, 'stake <SOUK>') : 0n;
    if (action === 'stake' && stakeAmount === 0n) throw new UsageError('stake: the amount must be more than 0.');
    const context = await connect({ url: nodeUrl(values.node) });
    if (action === 'list') {
      const [rows, minStake] = await Promise.all([
        listAllProviders(context.client),
        context.publicClient.readContract({
          address: context.info.contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'minStake',
        }),
      ]);
      // ProviderRegistry.isActive: registered (every listed provider is) with a non-zero stake ≥ the minimum.
      const providers = rows.map((p) => ({
        ...p,
        active: BigInt(p.stakeWei) > 0n && BigInt(p.stakeWei) >= minStake,
      }));
      emit(values.json, providers, () =>
        providers.length === 0
          ? 'No providers are registered.'
          : table(
              ['ADDRESS', 'STAKE', 'ACTIVE', 'REPUTATION', 'DONE', 'FAILED', 'SLASHED', 'ONLINE', 'PRICE', 'PIPELINES'],
              providers.map((p) => {
                const beat = p.heartbeat as { priceWei?: string; pipelines?: string[] } | null;
                return [
                  p.address,
                  `${formatEther(BigInt(p.stakeWei))} SOUK`,
                  p.active ? 'yes' : 'no',
                  p.reputation.toFixed(2),
                  String(p.completed),
                  String(p.failed),
                  String(p.slashed),
                  p.online ? 'yes' : 'no',
                  beat?.priceWei !== undefined ? `${formatEther(BigInt(beat.priceWei))} ETH` : '-',
                  beat?.pipelines?.join(',') ?? '-',
                ];
              }),
            ),
      );
      return 0;
    }
    const { account } = await resolveAccount({ flags: values, isDevnet: async () => context.info.devnet });
    const registry = context.info.contracts.providerRegistry;

    if (action === 'status') {
      const [p, active, indexed] = await Promise.all([
        context.publicClient.readContract({
          address: registry,
          abi: providerRegistryAbi,
          functionName: 'getProvider',
          args: [account.address],
        }),
        context.publicClient.readContract({
          address: registry,
          abi: providerRegistryAbi,
          functionName: 'isActive',
          args: [account.address],
        }),
        // Orders paid and disputes lost, as the node's index counts them from the ComputeEscrow's settlements.
        context.client
          .json<{ completed: number; failed: number }>(`/api/v1/providers/${account.address}`)
          .catch((error: unknown) => {
            if (error instanceof SoukApiError && error.status === 404) return { completed: 0, failed: 0 };
            throw error;
          }),
      ]);
      const status = {
        address: account.address,
        registered: p.registered,
        active,
        stakeWei: String(p.stake),
        unbondingWei: String(p.unbonding),
        unbondableAt: p.unbondableAt ? new Date(Number(p.unbondableAt) * 1000).toISOString() : null,
        completed: indexed.completed,
        failed: indexed.failed,
        slashed: Number(p.slashed),
      };
      emit(values.json, status, () =>
        [
          `Provider ${status.address}  ${status.registered ? (active ? 'active' : 'registered, inactive') : 'not registered'}`,
          `  stake      ${formatEther(p.stake)} SOUK`,
          `  unbonding  ${formatEther(p.unbonding)} SOUK${status.unbondableAt ? ` (withdrawable from ${status.unbondableAt})` : ''}`,
          `  orders     ${status.completed} paid, ${status.failed} lost in a dispute, slashed ${status.slashed} time(s)`,
        ].join('\n'),
      );
      return 0;
    }

    if (action === 'stake') {
      const result = await topUpStake(context, account, stakeAmount);
      emit(values.json, result, () =>
        [
          `Stake of ${account.address} topped up by ${formatEther(stakeAmount)} SOUK: now ${formatEther(BigInt(result.stakeWei))} SOUK`,
          result.active
            ? `  active: the stake is at least the minimum (${formatEther(BigInt(result.minStakeWei))} SOUK)`
            : `  still inactive: the minimum is ${formatEther(BigInt(result.minStakeWei))} SOUK; add ${formatEther(BigInt(result.minStakeWei) - BigInt(result.stakeWei))} more`,
          `  transactions  ${result.transactionHashes.join(', ')}`,
        ].join('\n'),
      );
      return 0;
    }

    if (action === 'unbond' || action === 'withdraw') {
      if (action === 'unbond' && !values.amount) throw new UsageError('unbond needs --amount <SOUK>.');
      const { encodeFunctionData } = await import('viem');
      const data =
        action === 'unbond'
          ? encodeFunctionData({
              abi: providerRegistryAbi,
              functionName: 'requestUnbond',
              args: [parseEther(values.amount as string)],
            })
          : encodeFunctionData({ abi: providerRegistryAbi, functionName: 'withdraw', args: [] });
      const receipts = await sendTransactions(context, account, [
        { chainId: context.info.chainId, to: registry, data, value: '0' },
      ]);
      const hashes = receipts.map((r) => r.transactionHash);
      emit(values.json, { transactionHashes: hashes }, () => `${action}: ${hashes.join(', ')}`);
      return 0;
    }

    const natsUrl = process.env.NATS_URL;
    if (!natsUrl) {
      throw new UsageError(
        'A standalone provider reaches the scheduler over NATS JetStream: set NATS_URL to the node’s NATS. (Local providers run inside `souk start --providers N`.)',
      );
    }
    // Loaded on demand: the node and provider packages take seconds to import (keeps `souk --help` fast).
    const { createJobBus } = await import('@souk/node');
    const { createProviderAgent } = await import('@souk/provider');
    const bus = await createJobBus({ natsUrl, consumerPrefix: 'souk-provider' });
    const agent = createProviderAgent({
      account,
      rpcUrl: context.rpcUrl,
      chainId: context.info.chainId,
      contracts: context.info.contracts,
      bus,
      stakeWei: parseEther(values.stake ?? '1000'),
      priceWei: parseEther(values.price ?? '0'),
      threads: values.threads ? Number(values.threads) : 1,
      executionProvider: values.cuda ? 'cuda' : 'cpu',
      log: note,
    });
    await agent.start();
    note(`provider ${account.address} serving jobs of ${context.client.url}; Ctrl-C stops it.`);
    await new Promise<void>((resolve) => {
      const stop = async () => {
        await agent.stop();
        await bus.close();
        resolve();
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
    return 0;
  });
