/**
 * Output tensors (generic ONNX models): each one's name, dtype and shape, a summary (min, max, mean over the finite
 * elements, NaN/∞ counts) and its first values, with a download as a `.npy` file written in the browser.
 */
import { type EncodedTensor, formatNumber, summarizeTensor, tensorToNpy } from '../lib/tensors.ts';

/** A tensor name as a file name (letters, digits, `.`, `_`, `-`). */
const fileName = (name: string) => `${name.replace(/[^\w.-]+/g, '_') || 'tensor'}.npy`;

function download(name: string, tensor: EncodedTensor) {
  const url = URL.createObjectURL(new Blob([tensorToNpy(tensor) as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName(name);
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function TensorOutput({ tensors }: { tensors: Record<string, EncodedTensor> }) {
  const entries = Object.entries(tensors);
  if (entries.length === 0) return <p className="text-sm text-stone-600">The model returned no tensors.</p>;
  return (
    <ul className="space-y-3" data-testid="tensor-output">
      {entries.map(([name, tensor]) => {
        let summary: ReturnType<typeof summarizeTensor> | null = null;
        try {
          summary = summarizeTensor(tensor);
        } catch {
          summary = null;
        }
        const strings = tensor.dtype === 'string';
        return (
          <li key={name} className="rounded border border-stone-200 p-3" data-tensor={name}>
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <h3 className="font-mono text-sm font-semibold">
                {name}: {tensor.dtype}[{tensor.dims.join(', ')}]
              </h3>
              <button
                type="button"
                className="text-sm text-amber-800 underline"
                onClick={() => download(name, tensor)}
                aria-label={`Download ${name} as .npy`}
              >
                Download .npy
              </button>
            </div>
            {summary === null ? (
              <p className="text-sm text-red-700">Its data is not valid base64.</p>
            ) : (
              <>
                <p className="mt-1 text-xs text-stone-600" data-testid="tensor-summary">
                  {summary.count.toLocaleString()} element{summary.count === 1 ? '' : 's'}
                  {summary.min !== undefined && summary.max !== undefined
                    ? ` · min ${formatNumber(summary.min)} · max ${formatNumber(summary.max)}`
                    : ''}
                  {summary.mean !== undefined ? ` · mean ${formatNumber(summary.mean)}` : ''}
                  {summary.nan > 0 ? ` · ${summary.nan} NaN` : ''}
                  {summary.infinite > 0 ? ` · ${summary.infinite} ±∞` : ''}
                </p>
                <pre className="mt-1 overflow-x-auto rounded bg-stone-100 p-2 text-xs">
                  [{summary.head.map((v) => (strings ? JSON.stringify(v) : formatNumber(v))).join(', ')}
                  {summary.count > summary.head.length ? `, … ${summary.count - summary.head.length} more` : ''}]
                </pre>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}
