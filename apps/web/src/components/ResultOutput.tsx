/**
 * A verified result as people read it: OCR lines drawn as boxes over the input image (when this browser still has
 * it), decoded output tensors, or the JSON as it came.
 */
import { isOcrOutput } from '../lib/ocr.ts';
import { decodeTensor, isTensorOutput } from '../lib/tensors.ts';
import { OcrOverlay } from './OcrOverlay.tsx';

export function ResultOutput({ output, image, alt }: { output: unknown; image: string | null; alt: string }) {
  if (isOcrOutput(output)) return <OcrOverlay src={image} lines={output.lines} alt={alt} />;
  if (isTensorOutput(output)) {
    return (
      <div className="space-y-3">
        {Object.entries(output.tensors).map(([name, tensor]) => {
          const { values, count } = decodeTensor(tensor);
          return (
            <div key={name}>
              <h3 className="font-mono text-sm font-semibold">
                {name}: {tensor.dtype}[{tensor.dims.join(', ')}]
              </h3>
              <pre className="mt-1 overflow-x-auto rounded bg-stone-100 p-2 text-xs">
                {JSON.stringify(values)}
                {count > values.length ? ` … (${count} values)` : ''}
              </pre>
            </div>
          );
        })}
      </div>
    );
  }
  return <pre className="overflow-x-auto rounded bg-stone-100 p-2 text-xs">{JSON.stringify(output, null, 2)}</pre>;
}
