/** An error, readable and announced to screen readers. */
import type { ReadableError } from '../lib/errors.ts';
import { readableError } from '../lib/errors.ts';

export function ErrorNotice({ error, className = '' }: { error: ReadableError | unknown; className?: string }) {
  if (!error) return null;
  const readable =
    typeof error === 'object' && error !== null && 'title' in error && 'detail' in error
      ? (error as ReadableError)
      : readableError(error);
  return (
    <div role="alert" className={`rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 ${className}`}>
      <p className="font-semibold">{readable.title}</p>
      {readable.detail && <p className="mt-1 whitespace-pre-line break-words">{readable.detail}</p>}
      {readable.fields && readable.fields.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {readable.fields.map((f) => (
            <li key={`${f.field}:${f.message}`}>
              <code>{f.field}</code> {f.message}
            </li>
          ))}
        </ul>
      )}
      {readable.requestId && <p className="mt-1 text-xs text-red-700">Request id {readable.requestId}</p>}
    </div>
  );
}
