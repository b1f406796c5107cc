/** An address or hash, shortened, with the full value on hover and for screen readers; copyable. */
import { useState } from 'react';
import { shortAddress, shortHash } from '../lib/format.ts';

export function Address({
  value,
  kind = 'address',
  you,
}: {
  value: string | null | undefined;
  kind?: 'address' | 'hash';
  you?: string | null;
}) {
  const [copied, setCopied] = useState(false);
  if (!value) return <span>—</span>;
  const isYou = you && value.toLowerCase() === you.toLowerCase();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1200);
    } catch {}
  };
  return (
    <span className="inline-flex items-center gap-1 font-mono text-[0.85em]">
      <abbr title={value} className="no-underline">
        {kind === 'hash' ? shortHash(value) : shortAddress(value)}
      </abbr>
      {isYou && <span className="rounded bg-amber-100 px-1 font-sans text-xs text-amber-900">you</span>}
      <button
        type="button"
        onClick={copy}
        className="rounded px-1 font-sans text-xs text-stone-500 hover:bg-stone-200 focus-visible:outline-2 focus-visible:outline-amber-600"
        aria-label={`Copy ${kind} ${value}`}
      >
        {copied ? 'copied' : 'copy'}
      </button>
    </span>
  );
}
