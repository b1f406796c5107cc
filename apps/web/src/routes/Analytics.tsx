/**
 * Analytics from the node's index, as charts (recharts): trading volume, signed orders settled per bucket (compute
 * protocol v2, `GET /analytics/orders`), their acceptance → settlement latency, providers, and the top assets. Every
 * chart has its numbers in a table too (for screen readers and for copying).
 */
import { getMarketVolume, getOrdersOverTime, getProviderStats, getTopAssets } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatEther, zeroAddress } from 'viem';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { Section } from '../components/Section.tsx';
import { useCurrency, useNode } from '../hooks/useNode.tsx';
import { orderRows } from '../lib/analytics.ts';
import { formatAmount, shortAddress } from '../lib/format.ts';

type Bucket = 'hour' | 'day';

const label = (iso: string, bucket: Bucket) => {
  const d = new Date(iso);
  return bucket === 'hour'
    ? d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
};

function ChartCard<Row extends Record<string, unknown>>({
  title,
  description,
  rows,
  columns,
  loading,
  error,
  children,
}: {
  title: string;
  description: string;
  rows: Row[];
  columns: { key: keyof Row & string; label: string }[];
  loading: boolean;
  error: unknown;
  children: ReactNode;
}) {
  return (
    <Section title={title}>
      <p className="-mt-2 mb-3 text-sm text-stone-600">{description}</p>
      {loading ? (
        <Loading />
      ) : error ? (
        <ErrorNotice error={error} />
      ) : rows.length === 0 ? (
        <p className="py-8 text-center text-sm text-stone-500">No data yet.</p>
      ) : (
        <>
          <div className="h-64 w-full" aria-hidden="true">
            {children}
          </div>
          <details className="mt-2 text-sm">
            <summary className="cursor-pointer text-stone-600">Data table</summary>
            <div className="mt-2 max-h-64 overflow-auto">
              <table className="w-full text-left text-xs">
                <caption className="sr-only">{title}</caption>
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th key={c.key} scope="col" className="py-1 pr-3">
                        {c.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional buckets
                    <tr key={i} className="border-t border-stone-100">
                      {columns.map((c) => (
                        <td key={c.key} className="py-0.5 pr-3 tabular-nums">
                          {String(row[c.key] ?? '—')}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </Section>
  );
}

const eth = (wei: string) => Number(formatEther(BigInt(wei)));

export function AnalyticsPage() {
  const { client } = useNode();
  const currency = useCurrency();
  const [bucket, setBucket] = useState<Bucket>('hour');
  const since = new Date(Date.now() - (bucket === 'hour' ? 7 * 86_400_000 : 90 * 86_400_000));
  since.setMinutes(0, 0, 0);
  const sinceIso = since.toISOString();
  const volume = useQuery({
    queryKey: ['stats', 'volume', bucket, sinceIso],
    queryFn: () => getMarketVolume(client, { bucket, since: sinceIso }),
    select: (rows) =>
      rows
        .filter((r) => r.currency.toLowerCase() === zeroAddress)
        .map((r) => ({
          bucket: label(r.bucket, bucket),
          sales: eth(r.sales_volume),
          licences: eth(r.licence_volume),
          salesCount: r.sales,
          licenceCount: r.licences,
        })),
  });
  const orders = useQuery({
    queryKey: ['stats', 'orders', bucket, sinceIso],
    queryFn: () => getOrdersOverTime(client, { bucket, since: sinceIso }),
    select: (rows) => orderRows(rows, (iso) => label(iso, bucket)),
  });
  const providers = useQuery({
    queryKey: ['stats', 'providers', 20],
    queryFn: () => getProviderStats(client, { limit: 20 }),
  });
  const top = useQuery({ queryKey: ['stats', 'top-assets', 10], queryFn: () => getTopAssets(client, { limit: 10 }) });
  const providerRows =
    providers.data?.providers.map((p) => ({
      provider: shortAddress(p.address),
      completed: p.completed,
      failed: p.failed,
      stake: eth(p.stake),
      slashed: p.slashed,
    })) ?? [];
  const latencyRows = (orders.data ?? []).filter((r) => r.p50 !== null);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold">Analytics</h1>
          <p className="text-sm text-stone-600">From the node's index of the chain.</p>
        </div>
        <fieldset className="flex items-center gap-1 rounded-md border border-stone-300 bg-white p-1 text-sm">
          <legend className="sr-only">Time buckets</legend>
          {(['hour', 'day'] as const).map((b) => (
            <label
              key={b}
              className={`cursor-pointer rounded px-3 py-1 ${bucket === b ? 'bg-amber-100 text-amber-900' : ''}`}
            >
              <input
                type="radio"
                name="bucket"
                value={b}
                checked={bucket === b}
                onChange={() => setBucket(b)}
                className="sr-only"
              />
              {b === 'hour' ? 'Hourly, 7 days' : 'Daily, 90 days'}
            </label>
          ))}
        </fieldset>
      </div>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <ChartCard
          title="Trading volume (ETH)"
          description="NFT sales and licence purchases paid in ETH, per bucket."
          rows={volume.data ?? []}
          columns={[
            { key: 'bucket', label: 'Bucket' },
            { key: 'sales', label: 'Sales (ETH)' },
            { key: 'salesCount', label: 'Sales' },
            { key: 'licences', label: 'Licences (ETH)' },
            { key: 'licenceCount', label: 'Licences' },
          ]}
          loading={volume.isLoading}
          error={volume.error}
        >
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={volume.data}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e7e5e4" />
              <XAxis dataKey="bucket" fontSize={11} />
              <YAxis fontSize={11} />
              <Tooltip />
              <Legend />
              <Bar dataKey="sales" name="Sales" stackId="v" fill="#b45309" />
              <Bar dataKey="licences" name="Licences" stackId="v" fill="#0369a1" />
            </BarChart>
          </ResponsiveContainer>
        </ChartCard>

        <ChartCard
          title={bucket === 'hour' ? 'Orders per hour' : 'Orders per day'}
          description="Signed orders settled on-chain per bucket (every currency), and how many went through a dispute."
          rows={orders.data ?? []}
          columns={[
            { key: 'bucket', label: 'Bucket' },
            { key: 'settled', label: 'Settled' },
            { key: 'disputed', label: 'Disputed' },
            { key: 'slashed', label: 'Providers slashed' },
            { key: 'volume', label: 'Charged (ETH)' },
          ]}
          loading={orders.isLoading}
          error={orders.error}
        >
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={orders.data}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e7e5e4" />
              <XAxis dataKey="bucket" fontSize={11} />
              <YAxis allowDecimals={false} fontSize={11} />
              <Tooltip />
              <Legend />
              <Bar dataKey="settled" name="Settled" fill="#047857" />
              <Bar dataKey="disputed" name="Disputed" fill="#c2410c" />
            </BarChart>
          </ResponsiveContainer>
        </ChartCard>

        <ChartCard
          title="Order latency (seconds)"
          description="Order accepted to settled on-chain, for orders paid in ETH: median and 95th percentile."
          rows={latencyRows}
          columns={[
            { key: 'bucket', label: 'Bucket' },
            { key: 'p50', label: 'p50 (s)' },
            { key: 'p95', label: 'p95 (s)' },
          ]}
          loading={orders.isLoading}
          error={orders.error}
        >
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={latencyRows}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e7e5e4" />
              <XAxis dataKey="bucket" fontSize={11} />
              <YAxis fontSize={11} unit=" s" />
              <Tooltip />
              <Legend />
              <Line type="monotone" dataKey="p50" name="p50" stroke="#047857" dot />
              <Line type="monotone" dataKey="p95" name="p95" stroke="#b45309" dot />
            </LineChart>
          </ResponsiveContainer>
        </ChartCard>

        <ChartCard
          title="Providers"
          description="Orders completed and failed per provider (on-chain reputation)."
          rows={providerRows}
          columns={[
            { key: 'provider', label: 'Provider' },
            { key: 'completed', label: 'Completed' },
            { key: 'failed', label: 'Failed' },
            { key: 'slashed', label: 'Slashed' },
            { key: 'stake', label: 'Stake (SOUK)' },
          ]}
          loading={providers.isLoading}
          error={providers.error}
        >
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={providerRows}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e7e5e4" />
              <XAxis dataKey="provider" fontSize={11} />
              <YAxis allowDecimals={false} fontSize={11} />
              <Tooltip />
              <Legend />
              <Bar dataKey="completed" name="Completed" stackId="p" fill="#047857" />
              <Bar dataKey="failed" name="Failed" stackId="p" fill="#b91c1c" />
            </BarChart>
          </ResponsiveContainer>
        </ChartCard>
      </div>

      <Section title="Top assets (ETH volume)">
        {top.isLoading ? (
          <Loading />
        ) : top.error ? (
          <ErrorNotice error={top.error} />
        ) : !top.data || top.data.length === 0 ? (
          <p className="text-sm text-stone-600">No trade yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase text-stone-500">
                <tr>
                  <th scope="col" className="py-1 pr-3">
                    Asset
                  </th>
                  <th scope="col" className="py-1 pr-3 text-right">
                    Sales
                  </th>
                  <th scope="col" className="py-1 pr-3 text-right">
                    Licences
                  </th>
                  <th scope="col" className="py-1 text-right">
                    Volume
                  </th>
                </tr>
              </thead>
              <tbody>
                {top.data.map((a) => (
                  <tr key={a.id} className="border-t border-stone-200">
                    <td className="py-1 pr-3">
                      <Link to={`/assets/${a.id}`} className="text-amber-800 underline">
                        {a.name ?? `#${a.id}`}
                      </Link>
                    </td>
                    <td className="py-1 pr-3 text-right tabular-nums">{a.sales}</td>
                    <td className="py-1 pr-3 text-right tabular-nums">{a.licences}</td>
                    <td className="py-1 text-right tabular-nums">{formatAmount(a.volume, currency(null))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
