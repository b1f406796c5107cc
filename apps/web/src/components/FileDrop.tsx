/**
 * A file picker that also accepts a dropped file. The input stays a real, focusable file input (keyboard and screen
 * readers use it as usual); the drop zone around it is a convenience.
 */
import { type DragEvent, useId, useState } from 'react';
import { formatBytes } from '../lib/format.ts';

export type FileDropProps = {
  label: string;
  file: File | null;
  onFile: (file: File | null) => void;
  /** `accept` of the input, e.g. `image/*`. */
  accept?: string;
  hint?: string;
  error?: string | undefined;
};

export function FileDrop({ label, file, onFile, accept, hint, error }: FileDropProps) {
  const id = useId();
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) onFile(dropped);
  };
  return (
    <div>
      <label htmlFor={id} className="mb-1 block font-medium">
        {label}
      </label>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop zone only adds drag and drop to the input inside it */}
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        className={`rounded-lg border-2 border-dashed p-4 transition-colors ${
          over ? 'border-amber-500 bg-amber-50' : error ? 'border-red-400' : 'border-stone-300 bg-white'
        }`}
      >
        <input
          id={id}
          type="file"
          accept={accept}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onFile(e.target.files?.[0] ?? null)}
          className="block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-amber-700 file:px-3 file:py-2 file:text-white hover:file:bg-amber-800"
        />
        <p id={`${id}-hint`} className="mt-2 text-sm text-stone-600">
          {file ? `${file.name} — ${formatBytes(file.size)}` : (hint ?? 'Drop a file here or choose one.')}
        </p>
      </div>
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
