/**
 * An IS-Net result: the foreground mask (decoded from its COCO run-length encoding) on a canvas over the input image —
 * the background dimmed, the foreground left clear, the bounding box drawn — when this browser still has the image;
 * the mask alone (white on black) otherwise.
 * The canvas has the mask's own size and is scaled with the image by CSS. The figures are listed as text.
 */
import { decodeRunLengthMask, type IsnetOutput } from '@souk/protocol';
import { useEffect, useMemo, useRef } from 'react';
import { maskRgba, type Rgba } from '../lib/mask.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

/** Over the image: the background dimmed (stone-900 at 60 %), the foreground clear. */
const DIM: Rgba = [28, 25, 23, 153];
const CLEAR: Rgba = [0, 0, 0, 0];
/** The mask alone: white foreground, on the canvas's black background. */
const WHITE: Rgba = [255, 255, 255, 255];

export function MaskOverlay({ output, image, alt }: { output: IsnetOutput; image: string | null; alt: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [height, width] = output.mask.size;
  const decoded = useMemo(() => {
    try {
      return { pixels: decodeRunLengthMask(output.mask), error: null };
    } catch (error) {
      return { pixels: null, error: error as Error };
    }
  }, [output.mask]);

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context || !decoded.pixels || width === 0 || height === 0) return;
    context.clearRect(0, 0, width, height);
    const rgba = image ? maskRgba(decoded.pixels, CLEAR, DIM) : maskRgba(decoded.pixels, WHITE);
    context.putImageData(new ImageData(rgba, width, height), 0, 0);
    if (output.box) {
      const [x, y, w, h] = output.box;
      context.strokeStyle = '#f59e0b';
      context.lineWidth = Math.max(2, width / 300);
      context.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    }
  }, [decoded, image, width, height, output.box]);

  const box = output.box;
  return (
    <figure className="space-y-3">
      {decoded.error ? (
        <ErrorNotice error={{ title: 'The mask cannot be drawn', detail: decoded.error.message }} />
      ) : (
        <div
          className={`relative inline-block max-w-full overflow-hidden rounded-md border border-stone-300 ${image ? 'bg-white' : 'bg-black'}`}
        >
          {image && <img src={image} alt={alt} className="block h-auto max-w-full" />}
          <canvas
            ref={canvas}
            width={width}
            height={height}
            className={image ? 'pointer-events-none absolute inset-0 h-full w-full' : 'block h-auto max-w-full'}
            data-testid="isnet-mask"
            aria-label={image ? undefined : `Foreground mask, ${width} × ${height} pixels`}
            role={image ? undefined : 'img'}
            aria-hidden={image ? true : undefined}
          />
        </div>
      )}
      <figcaption>
        <h3 className="mb-1 font-semibold">Foreground</h3>
        <dl className="grid grid-cols-[8rem_minmax(0,1fr)] gap-y-1 text-sm" data-testid="isnet-figures">
          <dt className="text-stone-500">Box (x, y, w, h)</dt>
          <dd className="font-mono">{box ? `${box[0]}, ${box[1]}, ${box[2]} × ${box[3]} px` : 'no foreground'}</dd>
          <dt className="text-stone-500">Area</dt>
          <dd>
            {output.area.toLocaleString()} px of {(width * height).toLocaleString()} (
            {(output.coverage * 100).toFixed(2)} %)
          </dd>
          <dt className="text-stone-500">Confidence</dt>
          <dd>{(output.confidence * 100).toFixed(1)} % mean saliency</dd>
          <dt className="text-stone-500">Image</dt>
          <dd>
            {output.width} × {output.height} px
          </dd>
        </dl>
      </figcaption>
    </figure>
  );
}
