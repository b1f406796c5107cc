import { PIPELINE_INPUT_MEDIA_TYPES } from '@souk/protocol';
import { expect, test } from 'vitest';
import { type InputKind, inputKindOf, pipelineSummary } from './inputKind.ts';

const runtime = (fields: { pipeline?: string; inputMediaTypes?: string[] }) => ({
  runtime: { engine: 'onnxruntime', ...fields },
});
const media = (kind: InputKind) => {
  if (kind.kind !== 'image' && kind.kind !== 'audio') throw new Error(`not a medium: ${kind.kind}`);
  return kind;
};
const file = (name: string, type = '') => new File(['x'], name, { type });

test("follows the manifest's declared media types, for a pipeline this app does not know", () => {
  const input = media(inputKindOf(runtime({ pipeline: 'whisper', inputMediaTypes: ['audio/wav', 'audio/flac'] })));
  expect(input.kind).toBe('audio');
  expect(input.accept).toBe('audio/wav,audio/flac,.wav,.flac');
  expect(input.hint).toBe('A recording (WAV, FLAC), at most 1 MiB.');
  expect(input.matches(file('a.wav', 'audio/wav'))).toBe(true);
  expect(input.matches(file('a.WAV'))).toBe(true); // no type from the browser: by extension
  expect(input.matches(file('a.mp3', 'audio/mpeg'))).toBe(false); // not declared
  expect(pipelineSummary(runtime({ pipeline: 'whisper', inputMediaTypes: ['audio/wav'] }))).toBe(
    'audio (WAV) → the pipeline’s output',
  );
});

test('a declared list narrows a known pipeline, and unknown types are named by their subtype', () => {
  const input = media(inputKindOf(runtime({ pipeline: 'ocr', inputMediaTypes: ['image/png', 'image/tiff'] })));
  expect(input.accept).toBe('image/png,image/tiff,.png');
  expect(input.hint).toBe('A photo or scan with printed text (PNG, TIFF), at most 1 MiB.');
  expect(input.matches(file('scan.tiff', 'image/tiff'))).toBe(true);
  expect(input.matches(file('photo.jpg', 'image/jpeg'))).toBe(false);
});

test("reads older manifests (no media types) by their pipeline, with @souk/protocol's types", () => {
  const ocr = media(inputKindOf(runtime({ pipeline: 'ocr' })));
  expect(ocr.kind).toBe('image');
  expect(ocr.accept.split(',').slice(0, 3)).toEqual([...(PIPELINE_INPUT_MEDIA_TYPES.ocr ?? [])]);
  expect(ocr.hint).toBe('A photo or scan with printed text (PNG, JPEG, WebP), at most 1 MiB.');
  expect(ocr.matches(file('page.jpeg'))).toBe(true);
  const vad = media(inputKindOf(runtime({ pipeline: 'vad' })));
  expect(vad.kind).toBe('audio');
  expect(vad.hint).toBe('A recording with speech (WAV, FLAC, MP3, Ogg, M4A, WebM, AIFF), at most 1 MiB.');
  expect(vad.matches(file('speech.opus'))).toBe(true);
  expect(vad.matches(file('cat.png', 'image/png'))).toBe(false);
  expect(media(inputKindOf(runtime({ pipeline: 'isnet' }))).kind).toBe('image');
  expect(media(inputKindOf(runtime({ pipeline: 'wakeword' }))).kind).toBe('audio');
  expect(pipelineSummary(runtime({ pipeline: 'isnet' }))).toBe(
    'image (PNG, JPEG, WebP) → foreground mask (COCO RLE) with its box, area and coverage',
  );
});

test('tensors for onnx (or no pipeline with declared inputs), a file for anything else', () => {
  const inputs = [{ name: 'x', dtype: 'float32', shape: [1] }];
  expect(inputKindOf(runtime({ pipeline: 'onnx' })).kind).toBe('tensors');
  expect(inputKindOf({ runtime: undefined, inputs }).kind).toBe('tensors');
  expect(inputKindOf({ runtime: undefined }).kind).toBe('file');
  expect(inputKindOf(runtime({ pipeline: 'custom' })).kind).toBe('file');
  // Media types of mixed kinds make neither an image nor a recording.
  expect(inputKindOf(runtime({ pipeline: 'custom', inputMediaTypes: ['image/png', 'audio/wav'] })).kind).toBe('file');
  expect(pipelineSummary(runtime({ pipeline: 'onnx' }))).toMatch(/^tensors named as the inputs below/);
  expect(pipelineSummary(runtime({ pipeline: 'custom' }))).toBe('bytes as the provider’s pipeline reads them');
});
