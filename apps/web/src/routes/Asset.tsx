/**
 * One asset: its model card (Markdown, rendered safely), manifest details, the pipeline with the declared input and
 * output tensors, versions, royalty, prices, licence terms and statistics; running it (the Run page); buying a licence
 * or the NFT; the owner's licence and sale settings.
 */
import { getAsset, getAssetManifest, getModelEvaluations, getTopAssets } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { Address } from '../components/Address.tsx';
import { LicencePanel, OwnerPanel, SalePanel } from '../components/AssetActions.tsx';
import { KindBadge } from '../components/AssetCard.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Evaluations, Lineage } from '../components/Evaluations.tsx';
import { Loading } from '../components/Loading.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { ModelInterface } from '../components/ModelInterface.tsx';
import { buttonClass, Section } from '../components/Section.tsx';
import { TxLink } from '../components/TxLink.tsx';
import { useCurrency, useNode } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { formatAmount, formatBps, formatBytes, timeAgo } from '../lib/format.ts';

export function AssetPage() {
  const { id = '' } = useParams();
  const { client } = useNode();
  const session = useSession();
  const currency = useCurrency();
  const valid = /^[1-9]\d{0,77}$/.test(id);
  const asset = useQuery({
    queryKey: ['asset', id],
    queryFn: () => getAsset(client, { assetId: BigInt(id) }),
    enabled: valid,
  });
  const manifest = useQuery({
    queryKey: ['manifest', id, asset.data?.manifestCid],
    queryFn: () => getAssetManifest(client, { assetId: BigInt(id) }),
    enabled: valid && asset.data !== undefined,
  });
  const stats = useQuery({
    queryKey: ['stats', 'top-assets'],
    queryFn: () => getTopAssets(client, { limit: 100 }),
    select: (rows) => rows.find((r) => r.id === id),
  });
  const evaluations = useQuery({
    queryKey: ['evaluations', id],
    queryFn: () => getModelEvaluations(client, { assetId: id }),
    enabled: valid,
  });

  if (!valid) return <ErrorNotice error={{ title: 'No such asset', detail: `"${id}" is not an asset id.` }} />;
  if (asset.isLoading) return <Loading label="Loading the asset…" />;
  if (asset.error || !asset.data) return <ErrorNotice error={asset.error} />;
  const a = asset.data;
  const m = manifest.data;
  const runnable = a.kind !== 'dataset' && m?.runtime !== undefined;
  const you = session.identity?.address;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex items-center gap-2">
            <KindBadge kind={a.kind} />
            <span className="text-sm text-stone-500">asset #{a.id}</span>
          </div>
          <h1 className="mt-1 text-2xl font-bold break-words">{a.name ?? `Asset #${a.id}`}</h1>
          {a.description && <p className="mt-1 max-w-3xl text-stone-700">{a.description}</p>}
        </div>
        {runnable && (
          <Link to={`/assets/${a.id}/run`} className={buttonClass}>
            Run this {a.kind}
          </Link>
        )}
      </div>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Section title="Model card">
            {manifest.isLoading ? (
              <Loading />
            ) : m?.modelCard ? (
              <Markdown>{m.modelCard}</Markdown>
            ) : (
              <p className="text-sm text-stone-600">No model card.</p>
            )}
          </Section>

          <Section title="Details">
            <dl className="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-[10rem_minmax(0,1fr)]">
              <dt className="text-stone-500">Creator</dt>
              <dd>
                <Address value={a.creator} you={you} />
              </dd>
              <dt className="text-stone-500">Owner</dt>
              <dd>
                <Address value={a.owner} you={you} />
              </dd>
              <dt className="text-stone-500">Royalty</dt>
              <dd>{formatBps(a.royaltyBps)} of every resale, to the creator</dd>
              <dt className="text-stone-500">Licence terms</dt>
              <dd className="break-words">{m?.license.terms ?? '—'}</dd>
              {m?.runtime && (
                <>
                  <dt className="text-stone-500">Runtime</dt>
                  <dd>
                    {m.runtime.engine}
                    {m.runtime.version ? ` ${m.runtime.version}` : ''}
                    {m.runtime.pipeline ? ` · pipeline ${m.runtime.pipeline}` : ''}
                  </dd>
                </>
              )}
              {m && (
                <>
                  <dt className="text-stone-500">Content</dt>
                  <dd>
                    {formatBytes(m.content.size)} ·{' '}
                    {m.content.encryption ? 'encrypted (licence holders download it)' : 'public'}
                    <span className="block truncate font-mono text-xs text-stone-500" title={m.content.sha256}>
                      sha256 {m.content.sha256}
                    </span>
                  </dd>
                </>
              )}
              <dt className="text-stone-500">Manifest</dt>
              <dd className="truncate font-mono text-xs" title={a.manifestUri}>
                {a.manifestUri}
              </dd>
              <dt className="text-stone-500">Published</dt>
              <dd>
                {new Date(a.createdAt).toLocaleString()} (block {a.createdBlock})
              </dd>
            </dl>
          </Section>

          {m?.lineage && (
            <Section title="Lineage">
              <Lineage lineage={m.lineage} />
            </Section>
          )}

          {a.kind === 'model' && m?.runtime?.pipeline !== 'train' && (
            <Section title="Verified evaluations">
              {evaluations.error ? (
                <ErrorNotice error={evaluations.error} />
              ) : (
                <Evaluations items={evaluations.data ?? []} />
              )}
            </Section>
          )}

          {m?.runtime && (
            <Section title="Inputs and outputs">
              <ModelInterface manifest={m} />
            </Section>
          )}

          <Section title={`Versions (${a.versions.length})`}>
            <ol className="space-y-2 text-sm">
              {[...a.versions].reverse().map((v) => (
                <li key={v.version} className="flex flex-wrap items-center gap-x-3">
                  <span className="font-medium">v{v.version}</span>
                  <span className="min-w-0 flex-1 truncate font-mono text-xs" title={v.uri}>
                    {v.uri}
                  </span>
                  <TxLink hash={v.transactionHash} />
                  <span className="text-xs text-stone-500">{timeAgo(v.createdAt)}</span>
                </li>
              ))}
            </ol>
          </Section>
        </div>

        <div className="space-y-6">
          <SalePanel asset={a} />
          <LicencePanel asset={a} />
          <OwnerPanel asset={a} />
          <Section title="Statistics">
            <dl className="grid grid-cols-2 gap-y-2 text-sm">
              <dt className="text-stone-500">Sales</dt>
              <dd className="text-right tabular-nums">{stats.data?.sales ?? 0}</dd>
              <dt className="text-stone-500">Licences sold</dt>
              <dd className="text-right tabular-nums">{stats.data?.licences ?? 0}</dd>
              <dt className="text-stone-500">Volume (ETH)</dt>
              <dd className="text-right tabular-nums">{formatAmount(stats.data?.volume ?? '0', currency(null))}</dd>
              <dt className="text-stone-500">Versions</dt>
              <dd className="text-right tabular-nums">{a.versionCount}</dd>
            </dl>
          </Section>
        </div>
      </div>
    </div>
  );
}
