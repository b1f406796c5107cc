import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputMediaTypesOf, MEDIA_TYPE_PATTERN, PIPELINE_INPUT_MEDIA_TYPES } from './mediaTypes.ts';

test('the declared media types win; an older manifest gets its pipeline’s; tensors and unknown pipelines none', () => {
  assert.deepEqual(inputMediaTypesOf({ pipeline: 'vad', inputMediaTypes: ['audio/wav'] }), ['audio/wav']);
  assert.deepEqual(inputMediaTypesOf({ pipeline: 'whisper', inputMediaTypes: ['audio/flac'] }), ['audio/flac']);
  assert.deepEqual(inputMediaTypesOf({ pipeline: 'ocr' }), ['image/png', 'image/jpeg', 'image/webp']);
  assert.equal(inputMediaTypesOf({ pipeline: 'isnet' }), PIPELINE_INPUT_MEDIA_TYPES.isnet);
  assert.ok(inputMediaTypesOf({ pipeline: 'wakeword' })?.includes('audio/wav'));
  assert.deepEqual(inputMediaTypesOf({ pipeline: 'ocr', inputMediaTypes: [] }), PIPELINE_INPUT_MEDIA_TYPES.ocr);
  assert.equal(inputMediaTypesOf({ pipeline: 'onnx' }), undefined);
  assert.equal(inputMediaTypesOf({ pipeline: 'whisper' }), undefined);
  assert.equal(inputMediaTypesOf({ pipeline: 'constructor' }), undefined);
  assert.equal(inputMediaTypesOf({}), undefined);
  assert.equal(inputMediaTypesOf(undefined), undefined);
});

test('media types are type/subtype in lower case, without parameters', () => {
  const pattern = new RegExp(MEDIA_TYPE_PATTERN);
  for (const type of Object.values(PIPELINE_INPUT_MEDIA_TYPES).flat()) assert.match(type, pattern);
  for (const type of ['application/vnd.ms-excel', 'audio/x-wav', 'image/svg+xml']) assert.match(type, pattern);
  for (const type of ['image/PNG', 'png', 'audio/wav; rate=16000', 'audio/', '/wav', 'a/b/c']) {
    assert.doesNotMatch(type, pattern);
  }
});
