/** A mined transaction: status, gas, and its Souk events decoded (`GET /api/v1/chain/transactions/:hash`). */
import { getTransaction } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { Address } from '../components/Address.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { Section } from '../components/Section.tsx';
import { useNode } from '../hooks/useNode.tsx';

export function TransactionPage() {
  const { hash = '' } = useParams();
  const { client } = useNode();
  const valid = /^0x[0-9a-fA-F]{64}$/.test(hash);
  const tx = useQuery({ queryKey: ['tx', hash], queryFn: () => getTransaction(client, { hash }), enabled: valid });
  if (!valid) return <ErrorNotice error={{ title: 'Not a transaction hash', detail: hash }} />;
  if (tx.isLoading) return <Loading label="Loading the transaction…" />;
  if (tx.error || !tx.data) return <ErrorNotice error={tx.error} />;
  const t = tx.data;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">Transaction</h1>
      <Section title="Receipt">
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[8rem_minmax(0,1fr)]">
          <dt className="text-stone-500">Hash</dt>
          <dd className="font-mono text-xs break-all">{t.hash}</dd>
          <dt className="text-stone-500">Status</dt>
          <dd className={t.status === 'success' ? 'text-emerald-700' : 'text-red-700'}>{t.status}</dd>
          <dt className="text-stone-500">Block</dt>
          <dd>{t.blockNumber}</dd>
          <dt className="text-stone-500">From</dt>
          <dd>
            <Address value={t.from} />
          </dd>
          <dt className="text-stone-500">To</dt>
          <dd>
            <Address value={t.to} />
          </dd>
          <dt className="text-stone-500">Gas used</dt>
          <dd className="tabular-nums">{Number(t.gasUsed).toLocaleString()}</dd>
        </dl>
      </Section>
      <Section title={`Souk events (${t.events.length})`}>
        <ol className="space-y-3">
          {t.events.map((e) => (
            <li key={e.logIndex}>
              <p className="font-medium">
                {e.event} <span className="text-sm font-normal text-stone-500">· {e.contract}</span>
              </p>
              <pre className="mt-1 overflow-x-auto rounded bg-stone-100 p-2 text-xs">
                {JSON.stringify(e.args, null, 2)}
              </pre>
            </li>
          ))}
        </ol>
      </Section>
    </div>
  );
}
