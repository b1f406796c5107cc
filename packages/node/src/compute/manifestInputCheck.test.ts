import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Manifest, TensorSpec } from '../storage/manifest.ts';
import { assertDeclaredInputs, declaredInputMismatch } from './manifestInputCheck.ts';

/** The PP-OCR direction classifier's declared input, as `souk publish` reads it from the graph. */
const X: TensorSpec = { name: 'x', dtype: 'float32', shape: ['batch', 3, 48, 192] };
const MASK: TensorSpec = { name: 'mask', dtype: 'int64', shape: ['batch', 'seq'] };

const manifest = (inputs: TensorSpec[] | undefined, pipeline?: string): Manifest => ({
  souk: 1,
  name: 'm',
  kind: 'model',
  runtime: { engine: 'onnxruntime', ...(pipeline ? { pipeline } : {}) },
  ...(inputs ? { inputs } : {}),
  license: { terms: 'MIT' },
  royaltyBps: 0,
  content: {
    cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
    size: 1,
    sha256: '0'.repeat(64),
    encryption: null,
  },
  createdAt: '2026-12-01T00:00:00.000Z',
});

const zeros = (dims: number[], dtype = 'float32') => ({
  dtype,
  dims,
  data: new Array(dims.reduce((a, b) => a * b, 1)).fill(0),
});
const json = (tensors: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify({ tensors }));

/** Runs the check and returns the refusal (or undefined when the input is accepted). */
function refusal(m: Manifest, input: Uint8Array): { statusCode: number; code: string; message: string } | undefined {
  try {
    assertDeclaredInputs({ assetId: 7n, manifest: m, input });
    return undefined;
  } catch (error) {
    return error as { statusCode: number; code: string; message: string };
  }
}

describe('declaredInputMismatch', () => {
  test('accepts any size on a symbolic dimension and the declared size on a static one', () => {
    assert.equal(declaredInputMismatch([X], { x: { dtype: 'float32', dims: [1, 3, 48, 192] } }), undefined);
    assert.equal(declaredInputMismatch([X], { x: { dtype: 'float32', dims: [64, 3, 48, 192] } }), undefined);
    assert.equal(declaredInputMismatch([X], { x: { dtype: 'float32', dims: [0, 3, 48, 192] } }), undefined);
  });

  test('names every missing input and what the model takes', () => {
    assert.equal(
      declaredInputMismatch([X, MASK], {}),
      'tensors "x", "mask" are missing; the model takes x float32[batch,3,48,192], mask int64[batch,seq].',
    );
    assert.equal(
      declaredInputMismatch([X, MASK], { x: { dtype: 'float32', dims: [1, 3, 48, 192] } }),
      'tensor "mask" is missing; the model takes x float32[batch,3,48,192], mask int64[batch,seq].',
    );
  });

  test('names a tensor the model does not declare', () => {
    assert.equal(
      declaredInputMismatch([X], { x: { dtype: 'float32', dims: [1, 3, 48, 192] }, y: { dtype: 'float32', dims: [] } }),
      'tensor "y" is not an input of the model; it takes x float32[batch,3,48,192].',
    );
  });

  test('names the tensor whose dtype differs and the declared dtype', () => {
    assert.equal(
      declaredInputMismatch([X], { x: { dtype: 'int64', dims: [1, 3, 48, 192] } }),
      'tensor "x" is int64; the model declares float32 (x float32[batch,3,48,192]).',
    );
  });

  test('names the tensor whose rank differs, with both shapes', () => {
    assert.equal(
      declaredInputMismatch([X], { x: { dtype: 'float32', dims: [3, 48, 192] } }),
      'tensor "x" has rank 3 ([3,48,192]); the model declares rank 4 (x float32[batch,3,48,192]).',
    );
  });

  test('names the axis whose static size differs', () => {
    assert.equal(
      declaredInputMismatch([X], { x: { dtype: 'float32', dims: [1, 3, 48, 100] } }),
      'tensor "x" has dimension 3 of size 100; the model declares 192 (x float32[batch,3,48,192]).',
    );
    assert.equal(
      declaredInputMismatch([X], { x: { dtype: 'float32', dims: [2, 1, 48, 192] } }),
      'tensor "x" has dimension 1 of size 1; the model declares 3 (x float32[batch,3,48,192]).',
    );
  });

  test('an empty declared shape constrains neither rank nor size (ONNX Runtime reports [] for unknown shapes)', () => {
    const free: TensorSpec = { name: 'x', dtype: 'float32', shape: [] };
    assert.equal(declaredInputMismatch([free], { x: { dtype: 'float32', dims: [2, 5] } }), undefined);
    assert.equal(declaredInputMismatch([free], { x: { dtype: 'float32', dims: [] } }), undefined);
    assert.match(
      declaredInputMismatch([free], { x: { dtype: 'bool', dims: [] } }) ?? '',
      /is bool; the model declares float32/,
    );
  });

  test('does not tie inputs that share a symbolic dimension name (ONNX Runtime does not either)', () => {
    const a: TensorSpec = { name: 'a', dtype: 'float32', shape: ['n'] };
    const b: TensorSpec = { name: 'b', dtype: 'float32', shape: ['n'] };
    assert.equal(
      declaredInputMismatch([a, b], { a: { dtype: 'float32', dims: [2] }, b: { dtype: 'float32', dims: [3] } }),
      undefined,
    );
  });
});

describe('assertDeclaredInputs', () => {
  test('accepts a JSON input that matches the declared inputs', () => {
    assert.equal(refusal(manifest([X]), json({ x: zeros([2, 3, 48, 192]) })), undefined);
    assert.equal(refusal(manifest([X], 'onnx'), json({ x: zeros([1, 3, 48, 192]) })), undefined);
  });

  test('refuses a wrong static dimension with 422 SOUK_ERR_INVALID_JOB_INPUT naming the asset, tensor and expectation', () => {
    const error = refusal(manifest([X]), json({ x: zeros([1, 3, 48, 100]) }));
    assert.equal(error?.statusCode, 422);
    assert.equal(error?.code, 'SOUK_ERR_INVALID_JOB_INPUT');
    assert.equal(
      error?.message,
      'Asset 7 (pipeline onnx) cannot take this input: tensor "x" has dimension 3 of size 100; the model declares 192 (x float32[batch,3,48,192]).',
    );
  });

  test('refuses a wrong dtype and a wrong name', () => {
    assert.match(refusal(manifest([X]), json({ x: zeros([1, 3, 48, 192], 'int32') }))?.message ?? '', /"x" is int32/);
    assert.match(refusal(manifest([X]), json({ image: zeros([1, 3, 48, 192]) }))?.message ?? '', /"x" is missing/);
  });

  test('refuses an input that is not the generic pipeline input with the decoder reason (422)', () => {
    const error = refusal(manifest([X]), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    assert.equal(error?.statusCode, 422);
    assert.match(error?.message ?? '', /^Asset 7 \(pipeline onnx\) cannot take this input\. The input is .*UTF-8 JSON/);
  });

  test('checks nothing for a pipeline other than onnx or a manifest that declares no inputs', () => {
    const bad = json({ x: zeros([1]) });
    assert.equal(refusal(manifest([X], 'ocr'), bad), undefined);
    assert.equal(refusal(manifest(undefined), bad), undefined);
    assert.equal(refusal(manifest([]), bad), undefined);
  });
});
