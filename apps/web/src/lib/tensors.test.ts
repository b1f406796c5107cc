import { parseNpy } from '@souk/protocol';
import { expect, test } from 'vitest';
import { cardSummary } from './markdown.ts';
import { boxPoints, isOcrOutput, labelAnchor } from './ocr.ts';
import { decodeTensor, type EncodedTensor, exampleInput, summarizeTensor, tensorToNpy } from './tensors.ts';

test('decodes little-endian tensors from base64', () => {
  const floats = new Float32Array([1.5, -2, 0.25]);
  const data = btoa(String.fromCharCode(...new Uint8Array(floats.buffer)));
  expect(decodeTensor({ dtype: 'float32', dims: [3], data })).toEqual({ values: [1.5, -2, 0.25], count: 3 });
  const longs = new BigInt64Array([5n, 2n ** 60n]);
  const longData = btoa(String.fromCharCode(...new Uint8Array(longs.buffer)));
  expect(decodeTensor({ dtype: 'int64', dims: [2], data: longData }).values).toEqual([5, String(2n ** 60n)]);
});

test('writes an input template of zeros for the declared shapes, one line per tensor', () => {
  const text = exampleInput([
    { name: 'x', dtype: 'float32', shape: ['batch', 2] },
    { name: 'mask', dtype: 'bool', shape: [3] },
    { name: 'sr', dtype: 'int64', shape: [] },
  ]);
  expect(JSON.parse(text)).toEqual({
    tensors: {
      x: { dtype: 'float32', dims: [1, 2], data: [0, 0] },
      mask: { dtype: 'bool', dims: [3], data: [false, false, false] },
      sr: { dtype: 'int64', dims: [], data: [0] },
    },
  });
  expect(text.split('\n')).toHaveLength(7);
  // An image-sized input is filled whole (1 × 3 × 48 × 192 zeros).
  const big = JSON.parse(exampleInput([{ name: 'x', dtype: 'float32', shape: ['n', 3, 48, 192] }]));
  expect(big.tensors.x.data).toHaveLength(3 * 48 * 192);
  expect(JSON.parse(exampleInput([]))).toEqual({ tensors: {} });
});

test('turns OCR boxes into SVG points and label anchors', () => {
  const box = [
    [25, 30],
    [225, 30],
    [225, 55],
    [25, 55],
  ];
  expect(boxPoints(box)).toBe('25,30 225,30 225,55 25,55');
  expect(labelAnchor(box)).toEqual({ x: 25, y: 30 });
  expect(isOcrOutput({ lines: [{ text: 'a', confidence: 1, box }] })).toBe(true);
  expect(isOcrOutput({ tensors: {} })).toBe(false);
});

test('summarises a model card by its first paragraph, as plain text', () => {
  expect(cardSummary('# Title\n\nReads **printed** text from [images](http://x) with ch_ppocr_mobile.\n\nMore.')).toBe(
    'Reads printed text from images with ch_ppocr_mobile.',
  );
  expect(cardSummary(undefined)).toBeUndefined();
});

test('a result tensor downloads as a .npy that reads back to the same elements', () => {
  const le = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const values = new Float32Array([0.25, 0.75, -3, Number.POSITIVE_INFINITY]);
  const tensor: EncodedTensor = { dtype: 'float32', dims: [2, 2], data: btoa(String.fromCharCode(...le(values))) };
  const back = parseNpy(tensorToNpy(tensor));
  expect(back.dims).toEqual([2, 2]);
  expect(back.data).toEqual(values);
  expect(summarizeTensor(tensor)).toEqual({
    count: 4,
    min: -3,
    max: 0.75,
    mean: (0.25 + 0.75 - 3) / 3,
    nan: 0,
    infinite: 1,
    head: [0.25, 0.75, -3, Number.POSITIVE_INFINITY],
  });
  const strings = parseNpy(tensorToNpy({ dtype: 'string', dims: [2], data: ['a', 'naïve'] }));
  expect(strings).toEqual({ dtype: 'string', dims: [2], data: ['a', 'naïve'] });
});
