/**
 * An image with the recognised text lines drawn over it: each box (4 corners clockwise from the top-left, in image
 * pixels) as a polygon in an SVG whose viewBox is the image's natural size, so boxes scale with the image. The lines
 * are also listed as text (what a screen reader reads).
 */
import { useState } from 'react';
import { boxPoints, labelAnchor, type OcrLine } from '../lib/ocr.ts';

export function OcrOverlay({ src, lines, alt }: { src: string | null; lines: OcrLine[]; alt: string }) {
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const [active, setActive] = useState<number | null>(null);
  return (
    <figure className="space-y-3">
      {src && (
        <div className="relative inline-block max-w-full overflow-hidden rounded-md border border-stone-300 bg-white">
          <img
            src={src}
            alt={alt}
            className="block h-auto max-w-full"
            onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
          />
          {size && (
            <svg
              className="pointer-events-none absolute inset-0 h-full w-full"
              viewBox={`0 0 ${size.w} ${size.h}`}
              preserveAspectRatio="none"
              aria-hidden="true"
              data-testid="ocr-boxes"
            >
              {lines.map((line, i) => {
                const anchor = labelAnchor(line.box);
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional (pipeline order)
                  <g key={`${i}:${line.text}`}>
                    <polygon
                      points={boxPoints(line.box)}
                      fill={active === i ? 'rgba(217,119,6,0.25)' : 'rgba(217,119,6,0.08)'}
                      stroke="#d97706"
                      strokeWidth={Math.max(1.5, size.w / 400)}
                    />
                    <text
                      x={anchor.x}
                      y={Math.max(anchor.y - 3, 10)}
                      fontSize={Math.max(10, size.w / 60)}
                      fill="#92400e"
                      fontFamily="ui-sans-serif, system-ui"
                    >
                      {i + 1}
                    </text>
                  </g>
                );
              })}
            </svg>
          )}
        </div>
      )}
      <figcaption>
        <h3 className="mb-1 font-semibold">Recognised text</h3>
        {lines.length === 0 ? (
          <p className="text-sm text-stone-600">No text was found.</p>
        ) : (
          <ol className="space-y-1" data-testid="ocr-lines">
            {lines.map((line, i) => (
              <li
                // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional (pipeline order)
                key={`${i}:${line.text}`}
                className="flex items-baseline gap-3"
                onMouseEnter={() => setActive(i)}
                onMouseLeave={() => setActive(null)}
              >
                <span className="w-6 text-right text-xs text-stone-500">{i + 1}</span>
                <span className="font-mono">{line.text}</span>
                <span className="text-xs text-stone-500">{(line.confidence * 100).toFixed(1)} %</span>
              </li>
            ))}
          </ol>
        )}
      </figcaption>
    </figure>
  );
}
