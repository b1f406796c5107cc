/**
 * The compute providers (`GET /api/v1/providers`): stake (and how much of it open assignments lock), unbonding,
 * earnings, reputation, slashes, and what each advertised in its last heartbeat. Your own provider, when the account
 * you act as is one, comes first. Which orders a provider ran is not listed: an order is readable by its requester only.
 */
import { getProviderStats } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { Address } from '../components/Address.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { Section } from '../components/Section.tsx';
import { useCurrency, useNode } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { formatAmount, formatBytes, timeAgo } from '../lib/format.ts';

/** One provider as `GET /api/v1/providers` returns it (wei as decimal strings). */
export type Provider = {
  address: string;
  stakeWei: string;
  /** Stake locked by open assignments (each locks its slash amount); absent from nodes that do not lock stake. */
  lockedStakeWei?: string;
  /** `stakeWei − lockedStakeWei`: what a new assignment can lock; a provider is only assigned when it covers it. */
  freeStakeWei?: string;
  unbondingWei: string;
  unbondableAt: string | null;
  completed: number;
  failed: number;
  slashed: number;
  slashedWei: string;
  /** Beta(1,1)-smoothed success rate, 0…1. */
  reputation: number;
  earnedWei: string;
  /** Orders it was paid for. */
  paidJobs: number;
  metadataUri: string;
  online: boolean;
  heartbeat: {
    priceWei: string;
    pipelines: string[];
    runtimes: string[];
    executionProviders: string[];
    cpu: string;
    gpus: unknown[];
    memoryBytes: number;
    maxConcurrency: number;
    running: number;
    latencyMs: number | null;
    cachedModels: string[];
    receivedAt: string;
  } | null;
};

function ProviderCard({
  provider,
  minStake,
  you,
}: {
  provider: Provider;
  minStake: string | undefined;
  you: string | undefined;
}) {
  const currency = useCurrency();
  const { info } = useNode();
  const souk = currency(info.contracts.soukToken);
  const eth = currency(null);
  const beat = provider.heartbeat;
  const mine = you?.toLowerCase() === provider.address.toLowerCase();
  return (
    <li
      className={`rounded-lg border bg-white p-4 shadow-sm ${mine ? 'border-amber-400' : 'border-stone-200'}`}
      data-provider={provider.address}
    >
      <div className="flex flex-wrap items-center gap-2">
        <span
          aria-hidden="true"
          className={`h-2.5 w-2.5 rounded-full ${provider.online ? 'bg-emerald-500' : 'bg-stone-300'}`}
        />
        <Address value={provider.address} you={you} />
        <span className="text-sm text-stone-600">{provider.online ? 'online' : 'offline'}</span>
        {beat && <span className="text-xs text-stone-500">heartbeat {timeAgo(beat.receivedAt)}</span>}
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-stone-500">Stake</dt>
          <dd className="tabular-nums">{formatAmount(provider.stakeWei, souk)}</dd>
          {minStake && BigInt(provider.stakeWei) < BigInt(minStake) && (
            <dd className="text-xs text-red-700">below the minimum</dd>
          )}
          {provider.lockedStakeWei !== undefined && provider.freeStakeWei !== undefined && (
            <dd className="text-xs text-stone-500" data-testid="stake-locks">
              {formatAmount(provider.lockedStakeWei, souk)} locked by open assignments ·{' '}
              {formatAmount(provider.freeStakeWei, souk)} free
            </dd>
          )}
        </div>
        <div>
          <dt className="text-xs text-stone-500">Unbonding</dt>
          <dd className="tabular-nums">
            {formatAmount(provider.unbondingWei, souk)}
            {provider.unbondableAt && (
              <span className="block text-xs text-stone-500">
                from {new Date(provider.unbondableAt).toLocaleString()}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-stone-500">Earnings</dt>
          <dd className="tabular-nums">{formatAmount(provider.earnedWei, eth)}</dd>
          <dd className="text-xs text-stone-500">{provider.paidJobs} paid orders</dd>
        </div>
        <div>
          <dt className="text-xs text-stone-500">Reputation</dt>
          <dd className="tabular-nums">{(provider.reputation * 100).toFixed(0)} %</dd>
          <dd className="text-xs text-stone-500">
            {provider.completed} done · {provider.failed} failed · {provider.slashed} slashed
          </dd>
        </div>
      </dl>
      {beat && (
        <p className="mt-2 text-xs text-stone-600">
          {beat.cpu}
          {beat.gpus.length > 0 ? ` · ${beat.gpus.length} GPU` : ''} · {formatBytes(beat.memoryBytes)} · pipelines{' '}
          {beat.pipelines.join(', ')} · {beat.executionProviders.join(', ')} · load {beat.running}/{beat.maxConcurrency}{' '}
          · price {formatAmount(beat.priceWei, eth)}
          {beat.latencyMs !== null ? ` · ~${Math.round(beat.latencyMs)} ms per order` : ''}
        </p>
      )}
    </li>
  );
}

export function ProvidersPage() {
  const { client, info } = useNode();
  const session = useSession();
  const currency = useCurrency();
  const providers = useQuery({
    queryKey: ['providers'],
    queryFn: () => client.json<{ items: Provider[] }>('/api/v1/providers'),
    refetchInterval: 10_000,
  });
  const stats = useQuery({ queryKey: ['stats', 'providers'], queryFn: () => getProviderStats(client, { limit: 1 }) });
  const you = session.identity?.address;
  const items = [...(providers.data?.items ?? [])].sort(
    (a, b) =>
      Number(b.address.toLowerCase() === you?.toLowerCase()) - Number(a.address.toLowerCase() === you?.toLowerCase()),
  );
  const souk = currency(info.contracts.soukToken);
  const totals = stats.data?.totals;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Providers</h1>
        <p className="text-sm text-stone-600">
          Providers stake SOUK, run signed orders, and are paid when their results agree; a wrong result is slashed.
          Start one with <code className="rounded bg-stone-100 px-1">npx souk provider start</code>.
        </p>
      </div>
      {totals && (
        <Section title="Totals">
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
            <div>
              <dt className="text-xs text-stone-500">Providers (active)</dt>
              <dd className="text-lg font-semibold">
                {totals.providers} ({totals.active})
              </dd>
            </div>
            <div>
              <dt className="text-xs text-stone-500">Bonded stake</dt>
              <dd className="text-lg font-semibold">{formatAmount(totals.stake, souk)}</dd>
              {totals.locked !== undefined && (
                <dd className="text-xs text-stone-500">
                  {formatAmount(totals.locked, souk)} locked by open assignments
                </dd>
              )}
            </div>
            <div>
              <dt className="text-xs text-stone-500">Minimum stake</dt>
              <dd className="text-lg font-semibold">{formatAmount(totals.min_stake, souk)}</dd>
            </div>
            <div>
              <dt className="text-xs text-stone-500">Orders done / failed / slashes</dt>
              <dd className="text-lg font-semibold">
                {totals.completed} / {totals.failed} / {totals.slashes}
              </dd>
            </div>
          </dl>
        </Section>
      )}
      {providers.isLoading ? (
        <Loading label="Loading providers…" />
      ) : providers.error ? (
        <ErrorNotice error={providers.error} />
      ) : items.length === 0 ? (
        <p className="text-stone-600">No provider has registered yet.</p>
      ) : (
        <ul className="space-y-4" aria-label="Providers">
          {items.map((p) => (
            <ProviderCard key={p.address} provider={p} minStake={totals?.min_stake} you={you} />
          ))}
        </ul>
      )}
    </div>
  );
}
