/**
 * A model's verified evaluations on its card (docs/training.md): each agreed evaluation order's accuracy and macro
 * F1, the dataset it was measured on (by SHA-256), how many providers attested it, and the order — "accuracy 98.0 %
 * on dataset 3f2a…, verified by 2 providers". Also a model's lineage when it was trained through the market.
 */
import type { ModelEvaluation } from '@souk/protocol';
import type { AssetManifest } from '@souk/sdk';
import { Link } from 'react-router';

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

export function Evaluations({ items }: { items: readonly ModelEvaluation[] }) {
  if (items.length === 0) {
    return <p className="text-sm text-stone-600">No verified evaluation yet (souk eval runs one).</p>;
  }
  return (
    <ul className="space-y-2 text-sm" data-testid="evaluations">
      {items.map((e) => (
        <li key={e.orderHash} data-evaluation={e.orderHash}>
          <span className="font-medium">accuracy {percent(e.accuracy)}</span> · F1 {percent(e.f1)} on{' '}
          {e.samples.toLocaleString()} samples of dataset{' '}
          <span className="font-mono text-xs" title={e.datasetSha256}>
            {e.datasetSha256.slice(0, 12)}…
          </span>
          , verified by {e.providers.length} provider{e.providers.length === 1 ? '' : 's'} (v{e.modelVersion}, order{' '}
          <span className="font-mono text-xs" title={e.orderHash}>
            {e.orderHash.slice(0, 10)}…
          </span>
          )
          {e.chainTx ? (
            <>
              , on-chain (tx{' '}
              <span className="font-mono text-xs" title={e.chainTx}>
                {e.chainTx.slice(0, 10)}…
              </span>
              )
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

export function Lineage({ lineage }: { lineage: NonNullable<AssetManifest['lineage']> }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm" data-testid="lineage">
      <dt className="text-stone-500">recipe</dt>
      <dd>
        <Link className="text-amber-800 underline" to={`/assets/${lineage.recipe.assetId}`}>
          #{lineage.recipe.assetId}
        </Link>{' '}
        v{lineage.recipe.version} (MLP {lineage.template.hidden.join('→')}, {lineage.hyperparameters.epochs} epochs,
        seed {lineage.hyperparameters.seed})
      </dd>
      <dt className="text-stone-500">datasets</dt>
      <dd className="truncate font-mono text-xs">{lineage.datasets.map((d) => d.sha256).join(', ')}</dd>
      <dt className="text-stone-500">weights</dt>
      <dd className="truncate font-mono text-xs">{lineage.weightsHash}</dd>
      <dt className="text-stone-500">trained by</dt>
      <dd>
        {lineage.providers.length} providers, order{' '}
        <span className="font-mono text-xs" title={lineage.trainingOrder}>
          {lineage.trainingOrder.slice(0, 10)}…
        </span>
      </dd>
    </dl>
  );
}
