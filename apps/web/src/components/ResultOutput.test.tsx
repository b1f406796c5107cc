import { parseNpy } from '@souk/provider';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { ResultOutput } from './ResultOutput.tsx';

afterEach(() => vi.unstubAllGlobals());

const base64 = (array: ArrayBufferView) =>
  btoa(String.fromCharCode(...new Uint8Array(array.buffer, array.byteOffset, array.byteLength)));

test('draws VAD segments at their place over the recording, and lists their times', () => {
  render(
    <ResultOutput
      output={{
        duration: 8,
        segments: [
          { start: 1, end: 3, probability: 0.95 },
          { start: 6, end: 7.5, probability: 0.8 },
        ],
      }}
      input="blob:recording"
      alt=""
    />,
  );
  const bars = screen.getByTestId('vad-timeline').querySelectorAll<HTMLElement>('[data-segment]');
  expect([...bars].map((b) => [b.style.left, b.style.width])).toEqual([
    ['12.5%', '25%'],
    ['75%', '18.75%'],
  ]);
  expect(screen.getByTestId('result-audio')).toHaveAttribute('src', 'blob:recording');
  const rows = within(screen.getByTestId('vad-segments')).getAllByRole('row');
  expect(rows[1]).toHaveTextContent('1.000 s3.000 s2.000 s95.0 %');
  expect(screen.getByText('2 segments, 3.500 s of speech in 8.000 s.')).toBeInTheDocument();
});

test('summarises output tensors and downloads one as a .npy that NumPy reads back', async () => {
  let blob: Blob | undefined;
  vi.stubGlobal(
    'URL',
    class extends URL {
      static override createObjectURL(b: Blob) {
        blob = b;
        return 'blob:npy';
      }
      static override revokeObjectURL() {}
    },
  );
  const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
  const probs = new Float32Array([0.1, 0.7, 0.2]);
  render(
    <ResultOutput
      output={{
        tensors: {
          probs: { dtype: 'float32', dims: [1, 3], data: base64(probs) },
          label: { dtype: 'int64', dims: [1], data: base64(new BigInt64Array([1n])) },
        },
      }}
      input={null}
      alt=""
    />,
  );
  const item = screen.getByText('probs: float32[1, 3]').closest('li') as HTMLElement;
  expect(within(item).getByTestId('tensor-summary')).toHaveTextContent('3 elements · min 0.1 · max 0.7 · mean 0.3333');
  expect(item).toHaveTextContent('[0.1, 0.7, 0.2]');
  fireEvent.click(within(item).getByRole('button', { name: 'Download probs as .npy' }));
  expect(click).toHaveBeenCalledOnce();
  expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe('probs.npy');
  const file = parseNpy(new Uint8Array(await (blob as Blob).arrayBuffer()));
  expect(file.dims).toEqual([1, 3]);
  expect(file.data).toEqual(probs);
  click.mockRestore();
});

test('draws the IS-Net mask over the image on a canvas of the mask size (background dimmed), with box and coverage', () => {
  const drawn: { data: Uint8ClampedArray; width: number }[] = [];
  const strokes: number[][] = [];
  vi.stubGlobal(
    'ImageData',
    class {
      constructor(
        public data: Uint8ClampedArray,
        public width: number,
        public height: number,
      ) {}
    },
  );
  const getContext = vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(
    () =>
      ({
        clearRect() {},
        putImageData: (image: { data: Uint8ClampedArray; width: number }) => drawn.push(image),
        strokeRect: (...r: number[]) => strokes.push(r),
      }) as unknown as CanvasRenderingContext2D,
  );
  // 2 rows × 3 columns, foreground the middle column: runs 2 bg, 2 fg, 2 bg.
  render(
    <ResultOutput
      output={{
        width: 3,
        height: 2,
        mask: { size: [2, 3], counts: [2, 2, 2] },
        area: 2,
        coverage: 0.3333,
        box: [1, 0, 1, 2],
        confidence: 0.91,
      }}
      input="blob:image"
      alt="the photo"
    />,
  );
  const canvas = screen.getByTestId('isnet-mask');
  expect(canvas).toHaveAttribute('width', '3');
  expect(canvas).toHaveAttribute('height', '2');
  expect(screen.getByRole('img', { name: 'the photo' })).toHaveAttribute('src', 'blob:image');
  const alpha = Array.from(drawn[0]?.data ?? []).filter((_, i) => i % 4 === 3);
  // Over the image the background is dimmed and the foreground (the middle column) left clear.
  expect(alpha.map((a) => (a > 0 ? 1 : 0))).toEqual([1, 0, 1, 1, 0, 1]);
  expect(strokes[0]?.slice(0, 2)).toEqual([1.5, 0.5]);
  expect(screen.getByTestId('isnet-figures')).toHaveTextContent('1, 0, 1 × 2 px');
  expect(screen.getByTestId('isnet-figures')).toHaveTextContent('2 px of 6 (33.33 %)');
  getContext.mockRestore();
});

test('a mask whose counts do not add up says so instead of drawing', () => {
  render(
    <ResultOutput
      output={{
        width: 2,
        height: 2,
        mask: { size: [2, 2], counts: [1, 1] },
        area: 1,
        coverage: 0.25,
        box: null,
        confidence: 0,
      }}
      input={null}
      alt=""
    />,
  );
  expect(screen.getByText('The mask cannot be drawn')).toBeInTheDocument();
});

test('an output no renderer knows is pretty-printed in a disclosure', () => {
  render(<ResultOutput output={{ answer: 42, notes: ['a'] }} input={null} alt="" />);
  const details = screen.getByTestId('json-output');
  expect(details).toHaveAttribute('open');
  expect(details.querySelector('pre')?.textContent).toBe(JSON.stringify({ answer: 42, notes: ['a'] }, null, 2));
});

test('shows a trained model: its weights hash, a loss and accuracy curve per epoch, and a model.onnx download', () => {
  let blob: Blob | undefined;
  vi.stubGlobal(
    'URL',
    class extends URL {
      static override createObjectURL(b: Blob) {
        blob = b;
        return 'blob:model';
      }
      static override revokeObjectURL() {}
    },
  );
  const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
  const model = new Uint8Array([8, 1, 18, 4, 115, 111, 117, 107]);
  render(
    <ResultOutput
      output={{
        training: {
          weightsHash: `0x${'ab'.repeat(32)}`,
          model: base64(model),
          features: 256,
          classes: ['0', '1'],
          template: { kind: 'mlp', hidden: [16] },
          hyperparameters: { epochs: 3, batchSize: 32, learningRate: 0.01, seed: 1 },
          samples: 42,
          history: { loss: [2, 1, 0.5], accuracy: [0.5, 0.75, 1] },
        },
      }}
      input={null}
      alt=""
    />,
  );
  expect(screen.getByTestId('weights-hash')).toHaveTextContent(`weights hash 0x${'ab'.repeat(32)}`);
  const result = screen.getByTestId('training-result');
  expect(result).toHaveTextContent('256 features → 2 classes, 42 samples, 3 epochs');
  // Loss scaled to its maximum (2 at the top), accuracy to 1: three points each, left to right.
  expect(result.querySelector('[data-curve="loss"]')).toHaveAttribute('points', '0.0,0.0 160.0,60.0 320.0,90.0');
  expect(result.querySelector('[data-curve="accuracy"]')).toHaveAttribute('points', '0.0,60.0 160.0,30.0 320.0,0.0');
  fireEvent.click(screen.getByRole('button', { name: 'Download model.onnx' }));
  expect(click).toHaveBeenCalled();
  expect(blob?.size).toBe(model.length);
  click.mockRestore();
});
