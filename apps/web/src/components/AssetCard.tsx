/** An asset in the marketplace grid: name, kind, price, creator and the model card's summary. */
import { type Asset, getAssetManifest } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useCurrency, useNode } from '../hooks/useNode.tsx';
import { formatAmount, formatDuration, shortAddress } from '../lib/format.ts';
import { cardSummary } from '../lib/markdown.ts';

export function KindBadge({ kind }: { kind: Asset['kind'] }) {
  const colours = {
    model: 'bg-sky-100 text-sky-900',
    agent: 'bg-violet-100 text-violet-900',
    dataset: 'bg-emerald-100 text-emerald-900',
  };
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${colours[kind]}`}>{kind}</span>;
}

export function AssetCard({ asset }: { asset: Asset }) {
  const { client } = useNode();
  const currency = useCurrency();
  const manifest = useQuery({
    queryKey: ['manifest', asset.id, asset.manifestCid],
    queryFn: () => getAssetManifest(client, { assetId: BigInt(asset.id) }),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const summary = cardSummary(manifest.data?.modelCard) ?? asset.description ?? undefined;
  const licence = asset.licence?.active ? asset.licence : null;
  return (
    <li className="flex flex-col rounded-lg border border-stone-200 bg-white p-4 shadow-sm focus-within:ring-2 focus-within:ring-amber-500 hover:border-amber-300">
      <div className="mb-2 flex items-center justify-between gap-2">
        <KindBadge kind={asset.kind} />
        <span className="text-xs text-stone-500">#{asset.id}</span>
      </div>
      <h3 className="text-base font-semibold leading-snug">
        <Link
          to={`/assets/${asset.id}`}
          className="hover:underline focus-visible:outline-2 focus-visible:outline-amber-600"
        >
          {asset.name ?? `Asset #${asset.id}`}
        </Link>
      </h3>
      <p className="mt-1 line-clamp-3 flex-1 text-sm text-stone-600">{summary ?? 'No description.'}</p>
      <dl className="mt-3 grid grid-cols-2 gap-x-2 gap-y-1 text-xs">
        <dt className="text-stone-500">Creator</dt>
        <dd className="truncate font-mono" title={asset.creator}>
          {shortAddress(asset.creator)}
        </dd>
        {asset.priceWei && (
          <>
            <dt className="text-stone-500" title="The sale listing's price, else the licence price">
              Price
            </dt>
            <dd className="font-medium">{formatAmount(asset.priceWei, currency(asset.currency))}</dd>
          </>
        )}
        <dt className="text-stone-500">Licence</dt>
        <dd>
          {licence?.priceWei
            ? `${formatAmount(licence.priceWei, currency(licence.currency))} · ${formatDuration(licence.durationSeconds)}`
            : 'not sold'}
        </dd>
      </dl>
    </li>
  );
}
