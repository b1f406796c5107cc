/**
 * The signed-in account's ComputeEscrow balance (compute protocol v2 pays orders from it): balance, what open orders
 * reserve, a pending withdrawal and when it unlocks, what new orders may spend; deposit, request a withdrawal (it
 * waits the governed delay, so orders already signed stay payable), complete or cancel it. Each action shows its
 * transaction.
 */
import { type FormEvent, useState } from 'react';
import { parseEther } from 'viem';
import { useEscrow } from '../hooks/useEscrow.ts';
import { useFlow } from '../hooks/useFlow.ts';
import { useCurrency } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { formatAmount, formatDuration } from '../lib/format.ts';
import { withdrawalWait } from '../lib/orders.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Field } from './Field.tsx';
import { FlowStatus } from './FlowStatus.tsx';
import { Loading } from './Loading.tsx';
import { inputClass, Section, secondaryButtonClass } from './Section.tsx';

/** An ETH amount typed by a person → wei, or undefined when it is not a positive number with ≤ 18 decimals. */
function parseAmount(text: string): bigint | undefined {
  const t = text.trim();
  if (!/^\d+(\.\d{1,18})?$/.test(t)) return undefined;
  const wei = parseEther(t);
  return wei > 0n ? wei : undefined;
}

/** Each action brings its own step (`flow.run(body, steps)`). */
const NO_STEPS: { id: string; label: string }[] = [];

export function EscrowPanel() {
  const session = useSession();
  const currency = useCurrency()();
  const { query, deposit, call, refresh, available } = useEscrow();
  const flow = useFlow(NO_STEPS);
  const [depositText, setDepositText] = useState('0.05');
  const [withdrawText, setWithdrawText] = useState('');
  const [errors, setErrors] = useState<{ deposit?: string; withdraw?: string }>({});
  if (!available) return null;
  if (!session.identity) {
    return (
      <Section title="Escrow">
        <p className="text-sm text-stone-600">Choose an account to see its escrow balance.</p>
      </Section>
    );
  }
  const escrow = query.data;

  const onDeposit = async (event: FormEvent) => {
    event.preventDefault();
    const amount = parseAmount(depositText);
    setErrors({ deposit: amount ? undefined : 'A number of ETH above 0, e.g. 0.05.' });
    if (!amount) return;
    await flow.run(async () => {
      flow.update('deposit', { status: 'active', detail: formatAmount(amount, currency) });
      await deposit(amount, (hash) => flow.addHash('deposit', hash));
      flow.update('deposit', { status: 'done' });
    }, [{ id: 'deposit', label: 'Deposit into the escrow' }]);
  };
  const onRequest = async (event: FormEvent) => {
    event.preventDefault();
    const amount = parseAmount(withdrawText);
    const balance = BigInt(escrow?.balance ?? 0);
    setErrors({
      withdraw: !amount
        ? 'A number of ETH above 0.'
        : amount > balance
          ? `More than your balance (${formatAmount(balance, currency)}).`
          : undefined,
    });
    if (!amount || amount > balance) return;
    await flow.run(async () => {
      flow.update('request', { status: 'active', detail: formatAmount(amount, currency) });
      await call({ functionName: 'requestWithdrawal', amount }, (hash) => flow.addHash('request', hash));
      flow.update('request', { status: 'done' });
    }, [{ id: 'request', label: 'Request a withdrawal' }]);
  };
  const simple = (functionName: 'withdraw' | 'cancelWithdrawal', label: string) => () =>
    flow.run(async () => {
      flow.update(functionName, { status: 'active' });
      await call({ functionName }, (hash) => flow.addHash(functionName, hash));
      flow.update(functionName, { status: 'done' });
    }, [{ id: functionName, label }]);

  const wait = escrow ? withdrawalWait(escrow.unlockAt, escrow.chainNow) : 0;
  const pending = escrow !== undefined && escrow.unlockAt > 0n;
  return (
    <Section
      title="Escrow"
      actions={
        <button type="button" className={secondaryButtonClass} onClick={() => refresh()} disabled={query.isFetching}>
          Refresh
        </button>
      }
    >
      <p className="mb-3 text-xs text-stone-500">ComputeEscrow, {currency.symbol}: orders are paid from it.</p>
      {query.isLoading ? (
        <Loading label="Reading your escrow…" />
      ) : query.error ? (
        <ErrorNotice error={query.error} />
      ) : escrow ? (
        <div className="space-y-4">
          <dl className="grid grid-cols-[minmax(0,1fr)_auto] gap-x-3 gap-y-1 text-sm" data-testid="escrow-balance">
            <dt className="text-stone-500">Balance</dt>
            <dd data-testid="escrow-balance-value">{formatAmount(escrow.balance, currency)}</dd>
            <dt className="text-stone-500">Reserved by open orders</dt>
            <dd>{formatAmount(escrow.reserved, currency)}</dd>
            <dt className="text-stone-500">Pending withdrawal</dt>
            <dd>{formatAmount(escrow.pendingWithdrawal, currency)}</dd>
            <dt className="font-medium">Available for new orders</dt>
            <dd className="font-medium" data-testid="escrow-available">
              {formatAmount(escrow.available, currency)}
            </dd>
          </dl>
          <form onSubmit={onDeposit} noValidate className="flex items-end gap-2" aria-label="Deposit">
            <Field label="Deposit (ETH)" error={errors.deposit} className="flex-1">
              {(ids) => (
                <input
                  {...ids}
                  inputMode="decimal"
                  value={depositText}
                  onChange={(e) => setDepositText(e.target.value)}
                  className={inputClass}
                />
              )}
            </Field>
            <button type="submit" className={secondaryButtonClass} disabled={flow.running}>
              Deposit
            </button>
          </form>
          <form onSubmit={onRequest} noValidate className="space-y-2" aria-label="Withdraw">
            <Field
              label="Withdraw (ETH)"
              error={errors.withdraw}
              hint={`Waits ${formatDuration(Number(escrow.withdrawalDelay))} after the request; orders settled meanwhile are paid first. A new request replaces the pending one.`}
            >
              {(ids) => (
                <input
                  {...ids}
                  inputMode="decimal"
                  value={withdrawText}
                  onChange={(e) => setWithdrawText(e.target.value)}
                  className={inputClass}
                />
              )}
            </Field>
            <button type="submit" className={secondaryButtonClass} disabled={flow.running}>
              Request withdrawal
            </button>
          </form>
          {pending && (
            <div className="space-y-2 text-sm" data-testid="escrow-withdrawal">
              <p>
                {wait > 0
                  ? `Withdrawal unlocks at ${new Date(Number(escrow.unlockAt) * 1000).toLocaleString()} (in ${formatDuration(wait)}).`
                  : 'The withdrawal is unlocked.'}
              </p>
              <div className="flex flex-wrap gap-2">
                <button
                  type="button"
                  className={secondaryButtonClass}
                  disabled={flow.running || wait > 0}
                  onClick={simple('withdraw', 'Complete the withdrawal')}
                >
                  Complete withdrawal
                </button>
                <button
                  type="button"
                  className={secondaryButtonClass}
                  disabled={flow.running}
                  onClick={simple('cancelWithdrawal', 'Cancel the withdrawal')}
                >
                  Cancel withdrawal
                </button>
              </div>
            </div>
          )}
          {(flow.running || flow.error || flow.steps.length > 0) && (
            <FlowStatus label="Escrow transaction" steps={flow.steps} error={flow.error} />
          )}
        </div>
      ) : null}
    </Section>
  );
}
