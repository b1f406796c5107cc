/**
 * Who you act as: a browser wallet (EIP-6963 discovery) or, on the devnet, one of the ten dev accounts (no wallet
 * needed: the node submits their transactions). A disclosure panel; Escape closes it and returns focus.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useConnectors } from 'wagmi';
import { useNode } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { DEV_ACCOUNT_COUNT, deriveDevAccounts, devAccountRole } from '../lib/devAccounts.ts';
import { shortAddress } from '../lib/format.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

export function AccountMenu() {
  const { info } = useNode();
  const session = useSession();
  const all = useConnectors();
  // The generic `window.ethereum` connector only when there is such a provider and no EIP-6963 wallet announced.
  const announced = all.filter((c) => c.id !== 'injected');
  const legacy = typeof window !== 'undefined' && (window as { ethereum?: unknown }).ethereum !== undefined;
  const connectors = announced.length > 0 || !legacy ? announced : all;
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const [devAccounts, setDevAccounts] = useState<{ index: number; address: string }[]>([]);
  // Derived in the background (PBKDF2 per account), so that the panel opens at once.
  useEffect(() => {
    if (!info.devnet) return;
    return deriveDevAccounts((index, account) =>
      setDevAccounts((list) =>
        list.some((a) => a.index === index) ? list : [...list, { index, address: account.address }],
      ),
    );
  }, [info.devnet]);
  const who = session.identity;

  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLElement>('button, input')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      if (!panel.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  const label = who
    ? who.kind === 'dev'
      ? `Dev account ${who.index} · ${shortAddress(who.address)}`
      : `${who.wallet} · ${shortAddress(who.address)}`
    : 'Choose account';

  return (
    <div className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex items-center gap-2 rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-amber-600"
      >
        <span
          aria-hidden="true"
          className={`h-2 w-2 rounded-full ${session.signedIn ? 'bg-emerald-500' : session.signingIn ? 'bg-amber-400' : 'bg-stone-300'}`}
        />
        <span className="max-w-[14rem] truncate">{label}</span>
        <span className="sr-only">
          {session.signedIn ? '(signed in)' : session.signingIn ? '(signing in)' : '(not signed in)'}
        </span>
      </button>
      {open && (
        <section
          ref={panel}
          id={panelId}
          aria-label="Account"
          className="fixed inset-x-2 top-14 z-30 max-h-[80vh] sm:absolute sm:inset-x-auto sm:top-auto sm:right-0 sm:mt-2 sm:w-[26rem] overflow-y-auto rounded-lg border border-stone-200 bg-white p-4 shadow-xl"
        >
          <h2 className="text-sm font-semibold">Browser wallet</h2>
          {connectors.length === 0 ? (
            <p className="mt-1 text-sm text-stone-600">No wallet extension found in this browser.</p>
          ) : (
            <ul className="mt-2 space-y-1">
              {connectors.map((c) => (
                <li key={c.uid}>
                  <button
                    type="button"
                    onClick={() => {
                      setOpen(false);
                      session.connectWallet(c);
                    }}
                    className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-amber-600"
                  >
                    {c.icon && <img src={c.icon} alt="" className="h-5 w-5" />}
                    Connect {c.name}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {info.devnet && (
            <fieldset className="mt-4">
              <legend className="text-sm font-semibold">Dev accounts (devnet)</legend>
              <p className="mt-1 text-xs text-stone-600">
                Funded test accounts from anvil's public mnemonic. The node signs their transactions, so no wallet is
                needed. Never use them on a real chain.
              </p>
              {devAccounts.length < DEV_ACCOUNT_COUNT && (
                <p role="status" className="mt-1 text-xs text-stone-500">
                  Deriving accounts… {devAccounts.length}/{DEV_ACCOUNT_COUNT}
                </p>
              )}
              <ul className="mt-2 space-y-0.5">
                {devAccounts.map((a) => (
                  <li key={a.index}>
                    <label className="flex min-w-0 cursor-pointer items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-stone-100">
                      <input
                        type="radio"
                        name="dev-account"
                        value={a.index}
                        aria-label={`Dev account ${a.index}, ${a.address}: ${devAccountRole(a.index)}`}
                        checked={who?.kind === 'dev' && who.index === a.index}
                        onChange={() => {
                          setOpen(false);
                          button.current?.focus();
                          session.selectDevAccount(a.index).catch(() => {});
                        }}
                        className="accent-amber-700"
                      />
                      <span className="w-5 text-right tabular-nums">{a.index}</span>
                      <span className="font-mono text-xs whitespace-nowrap">{shortAddress(a.address)}</span>
                      <span className="min-w-0 flex-1 truncate text-xs text-stone-500">{devAccountRole(a.index)}</span>
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          )}
          {who && (
            <button
              type="button"
              onClick={() => {
                setOpen(false);
                session.signOut();
                button.current?.focus();
              }}
              className="mt-4 w-full rounded-md border border-stone-300 px-3 py-1.5 text-sm hover:bg-stone-100"
            >
              Sign out
            </button>
          )}
        </section>
      )}
      {session.error && (
        <div className="fixed inset-x-2 top-14 z-20 sm:absolute sm:inset-x-auto sm:top-auto sm:right-0 sm:mt-2 sm:w-[24rem]">
          <ErrorNotice error={session.error} />
        </div>
      )}
    </div>
  );
}
