/** A transaction hash linking to its decoded receipt page. */
import { Link } from 'react-router';
import { shortHash } from '../lib/format.ts';

export function TxLink({ hash }: { hash: string }) {
  return (
    <Link
      to={`/tx/${hash}`}
      className="font-mono text-[0.85em] text-amber-800 underline decoration-amber-300 underline-offset-2 hover:decoration-amber-700"
      title={hash}
    >
      {shortHash(hash)}
    </Link>
  );
}
