/**
 * A training result (docs/training.md): the trained model's shape, the weights hash the agreeing providers
 * reproduced, the loss and training-accuracy curve per epoch as an SVG chart, and a download of the model as
 * `model.onnx` (written in the browser from the result's base64).
 */
import type { TrainOutput } from '@souk/protocol';

/** Chart size in SVG user units. */
const WIDTH = 320;
const HEIGHT = 120;

/**
 * The points of one curve, `x,y` pairs for an SVG polyline: epochs across, values scaled to the chart's height.
 * @param values - One value per epoch.
 * @param max - The value drawn at the top (values above it are clipped).
 */
export function curvePoints(values: readonly number[], max: number): string {
  if (values.length === 0 || !(max > 0)) return '';
  const step = values.length === 1 ? 0 : WIDTH / (values.length - 1);
  return values
    .map((v, i) => `${(i * step).toFixed(1)},${(HEIGHT - (Math.min(Math.max(v, 0), max) / max) * HEIGHT).toFixed(1)}`)
    .join(' ');
}

function download(model: string) {
  const bytes = Uint8Array.from(atob(model), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'model.onnx';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function TrainingResult({ output }: { output: TrainOutput }) {
  const { weightsHash, features, classes, samples, history, template, hyperparameters, model } = output.training;
  const epochs = history.loss.length;
  const maxLoss = Math.max(...history.loss, Number.MIN_VALUE);
  const last = epochs - 1;
  return (
    <div className="space-y-3" data-testid="training-result">
      <p className="text-sm">
        Trained model: {features} features → {classes.length} classes, {samples.toLocaleString()} samples, {epochs}{' '}
        epochs (MLP {template.hidden.join('→')}, batch {hyperparameters.batchSize}, learning rate{' '}
        {hyperparameters.learningRate}, seed {hyperparameters.seed}).
      </p>
      <p className="break-all font-mono text-xs" data-testid="weights-hash">
        weights hash {weightsHash}
      </p>
      <figure>
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          className="h-32 w-full rounded border border-stone-200 bg-white"
          role="img"
          aria-label="Loss and training accuracy per epoch"
        >
          <polyline
            data-curve="loss"
            points={curvePoints(history.loss, maxLoss)}
            fill="none"
            stroke="#b45309"
            strokeWidth="2"
          />
          <polyline
            data-curve="accuracy"
            points={curvePoints(history.accuracy, 1)}
            fill="none"
            stroke="#047857"
            strokeWidth="2"
          />
        </svg>
        <figcaption className="text-xs text-stone-600">
          <span className="text-amber-700">loss</span> {history.loss[0]?.toFixed(4)} → {history.loss[last]?.toFixed(4)}{' '}
          · <span className="text-emerald-700">training accuracy</span>{' '}
          {((history.accuracy[last] ?? 0) * 100).toFixed(1)} %
        </figcaption>
      </figure>
      <button type="button" className="text-sm text-amber-800 underline" onClick={() => download(model)}>
        Download model.onnx
      </button>
    </div>
  );
}
