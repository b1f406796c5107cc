import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import { writeNpy } from '../pipelines/npy.ts';
import { writeNpz } from '../pipelines/npz.ts';
import { OCR_MODELS } from '../test/models.ts';
import { checkJobInput, type ModelInputSpec, NON_TENSOR_DTYPE, readModelSignature } from './checkInput.ts';

const x = (shape: (number | string)[], dtype = 'float64'): ModelInputSpec[] => [{ name: 'x', dtype, shape }];
const npz = writeNpz({ x: { dtype: 'float64', dims: [1, 3], data: new Float64Array(3) } });
const rejects = (parameters: Parameters<typeof checkJobInput>[0], pattern: RegExp) =>
  assert.rejects(
    checkJobInput(parameters),
    (error: unknown) => error instanceof InvalidInputError && pattern.test(`${error.shortMessage} ${error.details}`),
  );

describe('checkJobInput (generic onnx)', () => {
  test('takes a .npz, a bare .npy for a one-input model, and JSON, matched by name, dtype and rank', async () => {
    await checkJobInput({ input: npz, inputs: x(['batch', 3]) });
    await checkJobInput({
      input: writeNpy({ dtype: 'float64', dims: [1, 3], data: new Float64Array(3) }),
      inputs: x([1, 3]),
    });
    const json = { tensors: { x: { dtype: 'float64', dims: [1, 3], data: [0, 'NaN', 1] } } };
    await checkJobInput({ input: new TextEncoder().encode(JSON.stringify(json)), inputs: x([1, 3]) });
  });

  test('refuses a wrong dtype or rank with what the model takes, and leaves fixed dims to ONNX Runtime', async () => {
    await rejects({ input: npz, inputs: x([1, 3], 'float32') }, /has dtype float64; the model takes float32/);
    await rejects({ input: npz, inputs: x([3]) }, /rank 2/);
    await checkJobInput({ input: npz, inputs: x([1, 4]) });
  });

  test('refuses, before escrow, a model with a non-tensor output or an element type onnxruntime-node lacks', async () => {
    const outputs = [{ name: 'seq', dtype: NON_TENSOR_DTYPE, shape: [] }];
    await rejects({ input: npz, inputs: x([1, 3]), outputs }, /non-tensor output .*: seq.*converts only tensors/);
    await rejects({ input: npz, inputs: x([1, 3], 'bfloat16') }, /"x" is bfloat16.*no JavaScript tensor type/);
  });

  test('lets a tensor through to a non-tensor input (it may be optional(tensor)), and an empty input to a model without inputs', async () => {
    await checkJobInput({ input: npz, inputs: [{ name: 'x', dtype: NON_TENSOR_DTYPE, shape: [] }] });
    await checkJobInput({ input: writeNpz({}), inputs: [] });
    await rejects({ input: writeNpz({}), inputs: x([1]) }, /no tensors/);
  });
});

describe('readModelSignature', () => {
  test("reads a model's inputs and outputs from its ONNX Runtime session", async () => {
    const signature = await readModelSignature(new Uint8Array(readFileSync(OCR_MODELS.classifierModel)));
    assert.deepEqual(signature, {
      inputs: [
        {
          name: 'x',
          dtype: 'float32',
          shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'],
        },
      ],
      outputs: [{ name: 'softmax_0.tmp_0', dtype: 'float32', shape: ['p2o.DynamicDimension.3', 2] }],
    });
    await assert.rejects(readModelSignature(new Uint8Array([1, 2, 3])), /ONNX Runtime cannot load the model/);
  });
});
