/**
 * An order (compute protocol v2), live: its phase, the signed order, each provider's progress through commit–reveal,
 * and — once the providers agree — the result with the providers' signed attestations. The attestations are checked
 * here with the SDK's `verifyOrderResult` (the order hashes to its hash, the result bytes to the result hash, every
 * signature recovers to its provider, each provider is active and staked in the ProviderRegistry, read over this
 * browser's RPC connection) before the page says "verified" and shows the output. Then the settlement transaction.
 */
import { type Order, verifyOrderResult } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { PublicClient } from 'viem';
import { useConfig } from 'wagmi';
import { getPublicClient } from 'wagmi/actions';
import { useLiveOrder } from '../hooks/useLiveOrder.ts';
import { useCurrency, useNode } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { formatAmount } from '../lib/format.ts';
import { orderInputUrl } from '../lib/inputStore.ts';
import { ORDER_PHASE_TEXT, RESULT_PHASES } from '../lib/orders.ts';
import { Address } from './Address.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Loading } from './Loading.tsx';
import { ResultOutput } from './ResultOutput.tsx';
import { Section } from './Section.tsx';
import { TxLink } from './TxLink.tsx';

const PHASE_STYLE: Partial<Record<Order['phase'], string>> = {
  settled: 'bg-emerald-100 text-emerald-900',
  ready: 'bg-emerald-50 text-emerald-900',
  failed: 'bg-red-100 text-red-900',
  expired: 'bg-red-100 text-red-900',
  unpaid: 'bg-red-100 text-red-900',
  disputed: 'bg-orange-100 text-orange-900',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * @param orderHash - The order's EIP-712 hash.
 * @param initial - The order as this page posted it (its first state, before the first poll answers).
 */
export function OrderDetails({ orderHash, initial }: { orderHash: string; initial?: Order | undefined }) {
  const { info } = useNode();
  const config = useConfig();
  const session = useSession();
  const currency = useCurrency();
  const { order, error } = useLiveOrder(orderHash, initial);
  const agreed = order !== undefined && RESULT_PHASES.includes(order.phase) && order.result !== null;
  const verified = useQuery({
    queryKey: ['order-verified', orderHash, order?.resultHash, order?.attestations.length],
    enabled: agreed,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
    queryFn: () => {
      const publicClient = getPublicClient(config, { chainId: info.chainId });
      if (!publicClient) throw new Error(`No RPC client for chain ${info.chainId}.`);
      return verifyOrderResult(order as Order, {
        publicClient: publicClient as unknown as PublicClient,
        registry: info.contracts.providerRegistry as `0x${string}`,
      });
    },
  });

  if (!order) {
    return error ? <ErrorNotice error={error} /> : <Loading label={`Loading order ${orderHash}…`} />;
  }
  const signed = order.order;
  const money = currency(signed.currency);
  const you = session.identity?.address;
  const deadline = new Date(Number(signed.deadline) * 1000);

  return (
    <div className="space-y-6" data-testid="order-details" data-phase={order.phase}>
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-xl font-bold">
          Order <Address value={order.orderHash} kind="hash" />
        </h2>
        <span
          className={`rounded-full px-2 py-0.5 text-sm font-medium ${PHASE_STYLE[order.phase] ?? 'bg-amber-100 text-amber-900'}`}
          data-testid="order-phase"
        >
          {order.phase}
        </span>
        <span className="text-sm text-stone-600" role="status">
          {ORDER_PHASE_TEXT[order.phase]}
        </span>
      </div>
      {error !== null && <ErrorNotice error={error} />}
      <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[11rem_minmax(0,1fr)]">
        <dt className="text-stone-500">Model</dt>
        <dd>
          <Link to={`/assets/${signed.modelId}`} className="text-amber-800 underline">
            asset #{signed.modelId}
          </Link>{' '}
          version {signed.modelVersion}
        </dd>
        <dt className="text-stone-500">Requester</dt>
        <dd>
          <Address value={signed.requester} you={you} />
        </dd>
        <dt className="text-stone-500">Most you pay</dt>
        <dd>{formatAmount(signed.maxPrice, money)}</dd>
        <dt className="text-stone-500">Charged at settlement</dt>
        <dd data-testid="order-amount">{formatAmount(order.amount, money)}</dd>
        <dt className="text-stone-500">Providers</dt>
        <dd>{signed.redundancy} must agree</dd>
        <dt className="text-stone-500">Deadline</dt>
        <dd>{deadline.toLocaleString()} (not chargeable after it)</dd>
        <dt className="text-stone-500">Nonce</dt>
        <dd className="font-mono text-xs">{signed.nonce}</dd>
        <dt className="text-stone-500">Input hash (SHA-256)</dt>
        <dd className="truncate font-mono text-xs" title={signed.inputHash}>
          {signed.inputHash}
        </dd>
        <dt className="text-stone-500">Your signature</dt>
        <dd className="truncate font-mono text-xs" title={order.requesterSignature}>
          {order.requesterSignature}
        </dd>
        {order.deposit && (
          <>
            <dt className="text-stone-500">Deposit first</dt>
            <dd>
              <TxLink hash={order.deposit} />
            </dd>
          </>
        )}
        <dt className="text-stone-500">Settlement</dt>
        <dd data-testid="order-settlement">
          {order.settleTx ? (
            <TxLink hash={order.settleTx} />
          ) : order.phase === 'settled' ? (
            'settled'
          ) : (
            'in the next batch'
          )}
        </dd>
      </dl>

      <Section title="Providers">
        {order.providers.length === 0 ? (
          <p className="text-sm text-stone-600">Waiting for the coordinator to assign providers.</p>
        ) : (
          <ul className="space-y-2 text-sm" aria-label="Provider progress">
            {order.providers.map((p) => (
              <li key={p.address} className="flex flex-wrap items-center gap-x-3 gap-y-1" data-provider={p.address}>
                <Address value={p.address} you={you} />
                <span className="text-xs text-stone-600">
                  {p.revealed ? 'revealed' : p.committed ? 'committed' : p.received ? 'running' : 'assigned'}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      {agreed && (
        <Section title="Result">
          <div className="space-y-4">
            {verified.isLoading ? (
              <Loading label="Checking the providers' signatures and stakes on-chain…" />
            ) : verified.error ? (
              <div data-testid="order-unverified">
                <ErrorNotice error={verified.error} />
                <p className="mt-2 text-sm text-stone-600">The result is not shown: it did not verify.</p>
              </div>
            ) : verified.data ? (
              <>
                <p
                  className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
                  data-testid="order-verified"
                  data-providers={verified.data.providers.length}
                >
                  ✓ Verified by {plural(verified.data.providers.length, 'provider')}: each signature was recovered here
                  and each signer is an active, staked provider on-chain
                  {verified.data.resolvedBy === 'referee'
                    ? ' (the providers disagreed; the node’s referee decided, and the losing side is slashed on its own signature)'
                    : ''}
                  .
                </p>
                <ResultOutput
                  output={order.output}
                  input={orderInputUrl(order.orderHash)}
                  alt={`Input image of order ${order.orderHash}`}
                />
              </>
            ) : null}
            <div className="overflow-x-auto">
              <table className="w-full text-left text-sm" aria-label="Attestations">
                <thead className="text-xs text-stone-500">
                  <tr>
                    <th className="py-1 pr-3 font-medium">Provider</th>
                    <th className="py-1 pr-3 font-medium">Result hash</th>
                    <th className="py-1 pr-3 font-medium">Signature (EIP-712 ResultAttestation)</th>
                    <th className="py-1 font-medium">Checked</th>
                  </tr>
                </thead>
                <tbody>
                  {order.attestations.map((a) => (
                    <tr key={a.provider} className="border-t border-stone-100" data-attestation={a.provider}>
                      <td className="py-1 pr-3">
                        <Address value={a.provider} />
                      </td>
                      <td className="max-w-[12rem] truncate py-1 pr-3 font-mono text-xs" title={a.resultHash}>
                        {a.resultHash}
                      </td>
                      <td className="max-w-[14rem] truncate py-1 pr-3 font-mono text-xs" title={a.signature}>
                        {a.signature}
                      </td>
                      <td className="py-1">
                        {verified.data?.providers.some((p) => p.toLowerCase() === a.provider.toLowerCase())
                          ? '✓ signer, staked'
                          : verified.error
                            ? '✕'
                            : '…'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </Section>
      )}

      {order.phase === 'failed' && (
        <div data-testid="order-failure">
          <ErrorNotice
            error={{
              title: 'Failed: the model cannot take this input',
              detail: `${order.reason ?? 'The providers and the referee could not run it.'} Nobody was charged and no provider was slashed.`,
            }}
          />
        </div>
      )}
      {(order.phase === 'expired' || order.phase === 'unpaid') && (
        <div data-testid="order-failure">
          <ErrorNotice
            error={{
              title: order.phase === 'expired' ? 'Expired' : 'Not paid',
              detail: `${order.reason ?? ORDER_PHASE_TEXT[order.phase]}.`,
            }}
          />
        </div>
      )}
    </div>
  );
}
