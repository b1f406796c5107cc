/**
 * What a model takes and gives, from its manifest: the pipeline a provider runs (and the medium it reads), then the
 * declared input and output tensors (name, element type, shape; a named dimension is any size). For a media pipeline
 * (`ocr`, `isnet`, `vad`, `wakeword`) the tensors are the raw graph's, which the pipeline feeds and reads itself.
 */
import type { AssetManifest, TensorSpec } from '@souk/sdk';
import { inputKindOf, pipelineSummary } from '../lib/inputKind.ts';

function TensorRows({ kind, tensors }: { kind: string; tensors: TensorSpec[] }) {
  return tensors.map((t, i) => (
    <tr key={`${kind}:${t.name}`} className="border-t border-stone-100">
      <td className="py-1 pr-3 text-stone-500">{i === 0 ? kind : ''}</td>
      <td className="py-1 pr-3 font-mono text-xs">{t.name}</td>
      <td className="py-1 pr-3 font-mono text-xs">{t.dtype}</td>
      <td className="py-1 font-mono text-xs">
        [
        {t.shape.map((d, k) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: dimensions are positional
          <span key={k}>
            {k > 0 ? ', ' : ''}
            {typeof d === 'number' ? d : <i>{d}</i>}
          </span>
        ))}
        ]
      </td>
    </tr>
  ));
}

export function ModelInterface({ manifest }: { manifest: AssetManifest }) {
  const pipeline = manifest.runtime?.pipeline;
  const inputs = manifest.inputs ?? [];
  const outputs = manifest.outputs ?? [];
  const media = inputKindOf(manifest).kind;
  return (
    <div className="space-y-3 text-sm" data-testid="model-interface">
      <p>
        <span className="text-stone-500">Pipeline </span>
        <code className="font-semibold">{pipeline ?? 'none (onnx)'}</code>
        <span className="text-stone-700">: {pipelineSummary(manifest)}</span>
      </p>
      {inputs.length + outputs.length === 0 ? (
        <p className="text-stone-600">The manifest declares no tensors.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left" aria-label="Declared inputs and outputs">
            <thead className="text-xs text-stone-500">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium" />
                <th scope="col" className="py-1 pr-3 font-medium">
                  Tensor
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Type
                </th>
                <th scope="col" className="py-1 font-medium">
                  Shape
                </th>
              </tr>
            </thead>
            <tbody>
              <TensorRows kind="Input" tensors={inputs} />
              <TensorRows kind="Output" tensors={outputs} />
            </tbody>
          </table>
        </div>
      )}
      {(media === 'image' || media === 'audio') && inputs.length + outputs.length > 0 && (
        <p className="text-xs text-stone-600">
          These are the ONNX graph’s own tensors; an order sends the {media === 'image' ? 'image' : 'recording'} and the{' '}
          {pipeline} pipeline prepares them.
        </p>
      )}
      {(inputs.some((t) => t.shape.some((d) => typeof d !== 'number')) ||
        outputs.some((t) => t.shape.some((d) => typeof d !== 'number'))) && (
        <p className="text-xs text-stone-600">A named dimension (in italics) takes any size.</p>
      )}
    </div>
  );
}
