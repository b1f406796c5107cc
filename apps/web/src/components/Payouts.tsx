/** Who a settled job paid: role, account, amount, transaction. */
import type { Job } from '@souk/sdk';
import { useCurrency } from '../hooks/useNode.tsx';
import { formatAmount } from '../lib/format.ts';
import { Address } from './Address.tsx';
import { TxLink } from './TxLink.tsx';

export function Payouts({ payouts, you }: { payouts: Job['payouts']; you?: string | null }) {
  const currency = useCurrency();
  if (payouts.length === 0) return <p className="text-sm text-stone-600">Nothing paid out yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" aria-label="Payouts">
        <thead className="text-xs uppercase text-stone-500">
          <tr>
            <th scope="col" className="py-1 pr-3">
              Role
            </th>
            <th scope="col" className="py-1 pr-3">
              Account
            </th>
            <th scope="col" className="py-1 pr-3 text-right">
              Amount
            </th>
            <th scope="col" className="py-1">
              Transaction
            </th>
          </tr>
        </thead>
        <tbody>
          {payouts.map((p) => (
            <tr
              key={`${p.tx_hash}:${p.log_index}:${p.role}:${p.account}`}
              className="border-t border-stone-200"
              data-role={p.role}
            >
              <td className="py-1 pr-3 capitalize">{p.role}</td>
              <td className="py-1 pr-3">
                <Address value={p.account} you={you} />
              </td>
              <td className="py-1 pr-3 text-right tabular-nums">{formatAmount(p.amount, currency(p.currency))}</td>
              <td className="py-1">
                <TxLink hash={p.tx_hash} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
