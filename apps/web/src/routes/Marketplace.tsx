/**
 * The marketplace: search the index, filter by kind, price and creator, sort, and page through asset cards. The
 * filters live in the URL, so a search can be shared and the back button restores it.
 */
import { type ListAssetsParameters, listAssets } from '@souk/sdk';
import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router';
import { isAddress, parseEther } from 'viem';
import { AssetCard } from '../components/AssetCard.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Field } from '../components/Field.tsx';
import { Loading } from '../components/Loading.tsx';
import { buttonClass, inputClass, secondaryButtonClass } from '../components/Section.tsx';
import { useNode } from '../hooks/useNode.tsx';

const SORTS = [
  { value: 'newest', label: 'Newest' },
  { value: 'oldest', label: 'Oldest' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
] as const;

const KINDS = ['model', 'agent', 'dataset'] as const;

/** `0.5` (ETH) → wei, or undefined when empty or not a number. */
function ethToWei(text: string | null): bigint | undefined {
  if (!text || !/^\d+(\.\d{1,18})?$/.test(text.trim())) return undefined;
  return parseEther(text.trim());
}

export function MarketplacePage() {
  const { client } = useNode();
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState(() => ({
    q: params.get('q') ?? '',
    kind: params.get('kind') ?? '',
    minPrice: params.get('minPrice') ?? '',
    maxPrice: params.get('maxPrice') ?? '',
    creator: params.get('creator') ?? '',
    sort: params.get('sort') ?? 'newest',
  }));
  const creatorError =
    draft.creator && !isAddress(draft.creator) ? 'Not an address (0x followed by 40 hex digits).' : undefined;
  const priceError = (v: string) => (v && ethToWei(v) === undefined ? 'A number of ETH, e.g. 0.05.' : undefined);

  const filters: ListAssetsParameters = {
    q: params.get('q') || undefined,
    kind: (KINDS as readonly string[]).includes(params.get('kind') ?? '')
      ? (params.get('kind') as ListAssetsParameters['kind'])
      : undefined,
    minPrice: ethToWei(params.get('minPrice')),
    maxPrice: ethToWei(params.get('maxPrice')),
    creator:
      params.get('creator') && isAddress(params.get('creator') as string)
        ? (params.get('creator') as string)
        : undefined,
    sort: (params.get('sort') as ListAssetsParameters['sort']) || 'newest',
    limit: 24,
  };
  const assets = useInfiniteQuery({
    queryKey: ['assets', { ...filters, minPrice: String(filters.minPrice), maxPrice: String(filters.maxPrice) }],
    queryFn: ({ pageParam }) => listAssets(client, { ...filters, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (creatorError || priceError(draft.minPrice) || priceError(draft.maxPrice)) return;
    const next = new URLSearchParams();
    for (const [key, value] of Object.entries(draft))
      if (value && !(key === 'sort' && value === 'newest')) next.set(key, value);
    setParams(next);
  };
  const items = assets.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Marketplace</h1>
        <p className="text-sm text-stone-600">
          Models, agents and datasets: buy them as NFTs, licence them, or run them on the compute market.
        </p>
      </div>
      <search>
        <form
          aria-label="Search assets"
          onSubmit={apply}
          className="grid grid-cols-1 gap-3 rounded-lg border border-stone-200 bg-white p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-6"
        >
          <Field label="Search" className="sm:col-span-2 lg:col-span-2">
            {(ids) => (
              <input
                {...ids}
                type="search"
                value={draft.q}
                placeholder="name or description"
                onChange={(e) => setDraft({ ...draft, q: e.target.value })}
                className={inputClass}
              />
            )}
          </Field>
          <Field label="Kind">
            {(ids) => (
              <select
                {...ids}
                value={draft.kind}
                onChange={(e) => setDraft({ ...draft, kind: e.target.value })}
                className={inputClass}
              >
                <option value="">All kinds</option>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {k[0]?.toUpperCase()}
                    {k.slice(1)}s
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Min price (ETH)" error={priceError(draft.minPrice)}>
            {(ids) => (
              <input
                {...ids}
                inputMode="decimal"
                value={draft.minPrice}
                onChange={(e) => setDraft({ ...draft, minPrice: e.target.value })}
                className={inputClass}
              />
            )}
          </Field>
          <Field label="Max price (ETH)" error={priceError(draft.maxPrice)}>
            {(ids) => (
              <input
                {...ids}
                inputMode="decimal"
                value={draft.maxPrice}
                onChange={(e) => setDraft({ ...draft, maxPrice: e.target.value })}
                className={inputClass}
              />
            )}
          </Field>
          <Field label="Sort">
            {(ids) => (
              <select
                {...ids}
                value={draft.sort}
                onChange={(e) => setDraft({ ...draft, sort: e.target.value })}
                className={inputClass}
              >
                {SORTS.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Creator" error={creatorError} className="sm:col-span-2 lg:col-span-4">
            {(ids) => (
              <input
                {...ids}
                value={draft.creator}
                placeholder="0x…"
                spellCheck={false}
                onChange={(e) => setDraft({ ...draft, creator: e.target.value.trim() })}
                className={`${inputClass} font-mono`}
              />
            )}
          </Field>
          <div className="flex items-end gap-2 sm:col-span-2">
            <button type="submit" className={`${buttonClass} flex-1`}>
              Search
            </button>
            <button
              type="button"
              className={secondaryButtonClass}
              onClick={() => {
                setDraft({ q: '', kind: '', minPrice: '', maxPrice: '', creator: '', sort: 'newest' });
                setParams(new URLSearchParams());
              }}
            >
              Clear
            </button>
          </div>
        </form>
      </search>

      {assets.isLoading ? (
        <Loading label="Loading assets…" />
      ) : assets.error ? (
        <ErrorNotice error={assets.error} />
      ) : items.length === 0 ? (
        <p className="rounded-lg border border-dashed border-stone-300 p-8 text-center text-stone-600">
          No asset matches. Publish one?
        </p>
      ) : (
        <>
          <p className="sr-only" role="status">
            {items.length} assets shown
          </p>
          <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Assets">
            {items.map((asset) => (
              <AssetCard key={asset.id} asset={asset} />
            ))}
          </ul>
          {assets.hasNextPage && (
            <div className="text-center">
              <button
                type="button"
                className={secondaryButtonClass}
                disabled={assets.isFetchingNextPage}
                onClick={() => assets.fetchNextPage()}
              >
                {assets.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
