/** A polite loading line. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" className="py-6 text-sm text-stone-500">
      {label}
    </p>
  );
}
