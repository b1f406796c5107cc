/** A JSON value pretty-printed in a disclosure (open unless it is long), for results no renderer knows. */
export function JsonView({ value, label = 'Result (JSON)' }: { value: unknown; label?: string }) {
  const text = JSON.stringify(value, null, 2) ?? String(value);
  const lines = text.split('\n').length;
  return (
    <details open={lines <= 40} className="rounded border border-stone-200" data-testid="json-output">
      <summary className="cursor-pointer px-2 py-1 text-sm font-medium">
        {label} · {lines} line{lines === 1 ? '' : 's'}
      </summary>
      <pre className="max-h-[32rem] overflow-auto bg-stone-100 p-2 text-xs">{text}</pre>
    </details>
  );
}
