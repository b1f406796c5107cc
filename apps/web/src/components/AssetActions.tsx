/**
 * What you can do with an asset: buy a licence, buy the NFT, and — as its owner — set licence terms or list it for
 * sale. Each action shows its transactions and, when it fails, the contract's error as a sentence.
 */
import {
  buyAsset,
  checkLicence,
  type GetAssetReturnType,
  listAsset,
  purchaseLicence,
  setLicenceTerms,
} from '@souk/sdk';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { parseUnits, zeroAddress } from 'viem';
import { useFlow } from '../hooks/useFlow.ts';
import { useCurrency, useNode } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { useTransactions } from '../hooks/useTransactions.ts';
import { formatAmount, formatDuration, knownCurrencies } from '../lib/format.ts';
import { waitForIndexed } from '../lib/indexer.ts';
import { Field } from './Field.tsx';
import { FlowStatus } from './FlowStatus.tsx';
import { buttonClass, inputClass, Section, secondaryButtonClass } from './Section.tsx';

/** Runs one write (`action`) as a one-step flow: sign-in, the node call, the wallet when needed. */
function useWrite(label: string) {
  const { client } = useNode();
  const session = useSession();
  const { settle } = useTransactions();
  const flow = useFlow([{ id: 'tx', label }]);
  const write = (action: () => Promise<Parameters<typeof settle>[0]>, after?: () => void) =>
    flow.run(async () => {
      await session.ensureSignedIn();
      flow.update('tx', {
        status: 'active',
        detail: session.mode === 'unsigned' ? 'confirm in your wallet' : 'the node submits the transaction',
      });
      const settled = await settle(await action(), (hash) => flow.addHash('tx', hash));
      const last = settled.hashes.at(-1);
      if (last) await waitForIndexed(client, { hash: last });
      flow.update('tx', { status: 'done', detail: 'confirmed' });
      after?.();
      return settled;
    });
  return { flow, write };
}

export function LicencePanel({ asset }: { asset: GetAssetReturnType }) {
  const { client } = useNode();
  const session = useSession();
  const currency = useCurrency();
  const queryClient = useQueryClient();
  const address = session.identity?.address;
  const access = useQuery({
    queryKey: ['access', asset.id, address],
    queryFn: () => checkLicence(client, { assetId: BigInt(asset.id), account: address as string }),
    enabled: address !== undefined,
  });
  const { flow, write } = useWrite('Buy licence');
  const licence = asset.licence?.active ? asset.licence : null;
  const expires = access.data && access.data.expiresAt !== '0' ? new Date(Number(access.data.expiresAt) * 1000) : null;

  return (
    <Section title="Licence">
      {licence?.priceWei ? (
        <p className="text-sm">
          <span className="text-2xl font-semibold">{formatAmount(licence.priceWei, currency(licence.currency))}</span>{' '}
          <span className="text-stone-600">· {formatDuration(licence.durationSeconds)}</span>
        </p>
      ) : (
        <p className="text-sm text-stone-600">The owner sells no licences for this asset.</p>
      )}
      {address && access.data && (
        <p className="mt-2 text-sm" data-testid="licence-access">
          {access.data.hasAccess
            ? expires && expires.getFullYear() < 9999
              ? `You have access until ${expires.toLocaleString()}.`
              : 'You have access.'
            : 'You have no licence.'}
        </p>
      )}
      {licence?.priceWei && (
        <button
          type="button"
          className={`${buttonClass} mt-3 w-full`}
          disabled={flow.running || !session.identity}
          onClick={() =>
            write(
              () =>
                // What the buyer sees is what it pays: the node refuses (409) or the chain reverts if the owner
                // changed the terms since this page loaded.
                purchaseLicence(client, {
                  assetId: BigInt(asset.id),
                  ...(licence.currency && licence.durationSeconds !== null
                    ? {
                        expectedCurrency: licence.currency,
                        expectedPrice: BigInt(licence.priceWei as string),
                        expectedDurationSeconds: licence.durationSeconds,
                      }
                    : {}),
                  mode: session.mode,
                }),
              () => {
                queryClient.invalidateQueries({ queryKey: ['access', asset.id] });
                queryClient.invalidateQueries({ queryKey: ['stats'] });
              },
            )
          }
        >
          {access.data?.hasAccess ? 'Buy another licence period' : 'Buy licence'}
        </button>
      )}
      {!session.identity && licence?.priceWei && (
        <p className="mt-2 text-xs text-stone-600">Choose an account to buy.</p>
      )}
      {(flow.running || flow.error || flow.steps[0]?.status === 'done') && (
        <div className="mt-3">
          <FlowStatus label="Licence purchase" steps={flow.steps} error={flow.error} />
        </div>
      )}
    </Section>
  );
}

export function SalePanel({ asset }: { asset: GetAssetReturnType }) {
  const { client } = useNode();
  const session = useSession();
  const currency = useCurrency();
  const queryClient = useQueryClient();
  const { flow, write } = useWrite('Buy the NFT');
  const listing = asset.listing?.active ? asset.listing : null;
  const mine = session.identity?.address.toLowerCase() === asset.owner.toLowerCase();
  if (!listing) return null;
  return (
    <Section title="For sale">
      <p className="text-2xl font-semibold">{formatAmount(listing.priceWei, currency(listing.currency))}</p>
      <p className="text-xs text-stone-600">
        The buyer becomes the owner; the creator receives a {asset.royaltyBps / 100} % royalty.
      </p>
      {!mine && (
        <button
          type="button"
          className={`${buttonClass} mt-3 w-full`}
          disabled={flow.running || !session.identity}
          onClick={() =>
            write(
              () =>
                buyAsset(client, {
                  assetId: BigInt(asset.id),
                  expectedCurrency: listing.currency,
                  expectedPrice: BigInt(listing.priceWei),
                  mode: session.mode,
                }),
              () => {
                queryClient.invalidateQueries({ queryKey: ['asset', asset.id] });
                queryClient.invalidateQueries({ queryKey: ['assets'] });
              },
            )
          }
        >
          Buy asset #{asset.id}
        </button>
      )}
      {(flow.running || flow.error || flow.steps[0]?.status === 'done') && (
        <div className="mt-3">
          <FlowStatus label="NFT purchase" steps={flow.steps} error={flow.error} />
        </div>
      )}
    </Section>
  );
}

/** Price + currency fields shared by the owner's forms. */
function usePriceForm() {
  const { info } = useNode();
  const currencies = knownCurrencies(info);
  const [price, setPrice] = useState('');
  const [currencyAddress, setCurrency] = useState<string>(zeroAddress);
  const selected = currencies.find((c) => c.address === currencyAddress) ?? currencies[0];
  let wei: bigint | undefined;
  let error: string | undefined;
  if (price.trim()) {
    try {
      if (!/^\d+(\.\d+)?$/.test(price.trim())) throw new Error();
      wei = parseUnits(price.trim(), selected?.decimals ?? 18);
      if (wei === 0n) error = 'More than 0, please.';
    } catch {
      error = `A number of ${selected?.symbol}, with at most ${selected?.decimals} decimals.`;
    }
  }
  const fields = (
    <div className="grid grid-cols-[1fr_auto] gap-2">
      <Field label="Price" error={error}>
        {(ids) => (
          <input
            {...ids}
            inputMode="decimal"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
            className={inputClass}
          />
        )}
      </Field>
      <Field label="Currency">
        {(ids) => (
          <select {...ids} value={currencyAddress} onChange={(e) => setCurrency(e.target.value)} className={inputClass}>
            {currencies.map((c) => (
              <option key={c.address} value={c.address}>
                {c.symbol}
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
  return { fields, wei, error, currency: currencyAddress };
}

export function OwnerPanel({ asset }: { asset: GetAssetReturnType }) {
  const { client } = useNode();
  const session = useSession();
  const queryClient = useQueryClient();
  const terms = usePriceForm();
  const sale = usePriceForm();
  const [days, setDays] = useState('');
  const termsWrite = useWrite('Set licence terms');
  const listWrite = useWrite('List for sale');
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: ['asset', asset.id] });
    queryClient.invalidateQueries({ queryKey: ['assets'] });
  };
  if (session.identity?.address.toLowerCase() !== asset.owner.toLowerCase()) return null;
  const daysError =
    days && (!/^\d+(\.\d+)?$/.test(days) || Number(days) > 36_500) ? 'Days from 0 (perpetual) to 36,500.' : undefined;

  const submitTerms = (event: FormEvent) => {
    event.preventDefault();
    if (terms.wei === undefined || terms.error || daysError) return;
    const price = terms.wei;
    termsWrite.write(
      () =>
        setLicenceTerms(client, {
          assetId: BigInt(asset.id),
          price,
          currency: terms.currency === zeroAddress ? undefined : terms.currency,
          durationSeconds: Math.round(Number(days || 0) * 86_400),
          mode: session.mode,
        }),
      refresh,
    );
  };
  const submitListing = (event: FormEvent) => {
    event.preventDefault();
    if (sale.wei === undefined || sale.error) return;
    const price = sale.wei;
    listWrite.write(
      () =>
        listAsset(client, {
          assetId: BigInt(asset.id),
          price,
          currency: sale.currency === zeroAddress ? undefined : sale.currency,
          mode: session.mode,
        }),
      refresh,
    );
  };

  return (
    <Section title="You own this asset">
      <form onSubmit={submitTerms} className="space-y-2" aria-label="Licence terms">
        <h3 className="text-sm font-semibold">Sell licences</h3>
        {terms.fields}
        <Field label="Duration (days)" hint="Empty or 0: perpetual." error={daysError}>
          {(ids) => (
            <input
              {...ids}
              inputMode="decimal"
              value={days}
              onChange={(e) => setDays(e.target.value)}
              className={inputClass}
            />
          )}
        </Field>
        <button
          type="submit"
          className={secondaryButtonClass}
          disabled={termsWrite.flow.running || terms.wei === undefined}
        >
          Set licence terms
        </button>
        {(termsWrite.flow.running || termsWrite.flow.error || termsWrite.flow.steps[0]?.status === 'done') && (
          <FlowStatus label="Licence terms" steps={termsWrite.flow.steps} error={termsWrite.flow.error} />
        )}
      </form>
      <form
        onSubmit={submitListing}
        className="mt-5 space-y-2 border-t border-stone-200 pt-4"
        aria-label="Sale listing"
      >
        <h3 className="text-sm font-semibold">Sell the NFT</h3>
        {sale.fields}
        <button
          type="submit"
          className={secondaryButtonClass}
          disabled={listWrite.flow.running || sale.wei === undefined}
        >
          {asset.listing?.active ? 'Change the listing' : 'List for sale'}
        </button>
        {(listWrite.flow.running || listWrite.flow.error || listWrite.flow.steps[0]?.status === 'done') && (
          <FlowStatus label="Listing" steps={listWrite.flow.steps} error={listWrite.flow.error} />
        )}
      </form>
    </Section>
  );
}
