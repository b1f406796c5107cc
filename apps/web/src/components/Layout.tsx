/**
 * The page frame: a skip link, the header (navigation, account), and the main region, which takes focus after each
 * navigation so keyboard and screen-reader users start at the new page's content.
 */
import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useNode } from '../hooks/useNode.tsx';
import { AccountMenu } from './AccountMenu.tsx';

const NAV = [
  { to: '/', label: 'Marketplace', end: true },
  { to: '/publish', label: 'Publish' },
  { to: '/providers', label: 'Providers' },
  { to: '/analytics', label: 'Analytics' },
];

export function Layout() {
  const { info } = useNode();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const [menu, setMenu] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation
  useEffect(() => {
    setMenu(false);
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-20 border-b border-stone-200 bg-white/95 backdrop-blur">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-3 px-4 py-2">
          <NavLink to="/" className="flex items-center gap-2 text-lg font-bold tracking-tight text-amber-800">
            <img src="/favicon.svg" alt="" className="h-7 w-7" />
            Souk
          </NavLink>
          {info.devnet && (
            <span
              className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900"
              title={`chain ${info.chainId}`}
            >
              devnet
            </span>
          )}
          <button
            type="button"
            className="ml-auto rounded-md border border-stone-300 px-2 py-1 text-sm sm:hidden"
            aria-expanded={menu}
            aria-controls="primary-nav"
            onClick={() => setMenu((m) => !m)}
          >
            Menu
          </button>
          <nav
            id="primary-nav"
            aria-label="Primary"
            className={`${menu ? 'flex' : 'hidden'} order-last w-full flex-col gap-1 sm:order-none sm:ml-4 sm:flex sm:w-auto sm:flex-row sm:gap-1`}
          >
            {NAV.map((item) => (
              <NavLink
                key={item.to}
                to={item.to}
                end={item.end}
                className={({ isActive }) =>
                  `rounded-md px-3 py-1.5 text-sm font-medium ${isActive ? 'bg-amber-100 text-amber-900' : 'text-stone-700 hover:bg-stone-100'}`
                }
              >
                {item.label}
              </NavLink>
            ))}
          </nav>
          <div className="sm:ml-auto">
            <AccountMenu />
          </div>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6 focus:outline-none">
        <Outlet />
      </main>
      <footer className="mx-auto max-w-6xl px-4 pb-8 text-xs text-stone-500">
        Souk {info.version} · chain {info.chainId} ·{' '}
        <a className="underline" href="/docs">
          API docs
        </a>
      </footer>
    </div>
  );
}
