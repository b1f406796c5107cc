/**
 * Export of a trained classifier to ONNX, so that inference providers run it with ONNX Runtime like any published
 * model. The graph is written with `onnx-proto` (the generated protobuf.js code of `onnx.proto`), opset 13:
 *
 * `input [N, features] → (Gemm → Relu)* → Gemm → Softmax(axis 1) → probabilities [N, classes]`
 *
 * Weights are float32 initializers stored as little-endian `raw_data`, the layout ONNX specifies for it. Dense
 * kernels are `[in, out]` (TF.js's layout), which is Gemm's `B` without `transB`.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Name of the exported graph's input, `float32 [N, features]`. */
export const CLASSIFIER_INPUT = 'input';
/** Name of the exported graph's output, `float32 [N, classes]`: class probabilities, each row summing to 1. */
export const CLASSIFIER_OUTPUT = 'probabilities';

/** One dense layer's parameters. */
export type DenseLayer = {
  /** Row-major `[in, out]`. */
  kernel: Float32Array;
  /** `[out]`. */
  bias: Float32Array;
  in: number;
  out: number;
};

const littleEndianBytes = (data: Float32Array): Uint8Array => {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] as number, true);
  return bytes;
};

const tensorInfo = (name: string, dims: ReadonlyArray<number | string>): onnxProto.onnx.IValueInfoProto => ({
  name,
  type: {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  },
});

/**
 * Writes an MLP classifier (dense layers with ReLU between them, softmax after the last) as an ONNX model.
 * @param layers - The dense layers, input side first; each layer's `in` equals the previous layer's `out`.
 * @param producer - Recorded in the model's `producer_name` / `doc_string` (e.g. the training job).
 * @returns The serialised `ModelProto`.
 * @throws {RangeError} When there are no layers, the shapes do not chain, or an array's length is not its shape's.
 */
export function exportMlpToOnnx(layers: readonly DenseLayer[], producer = 'souk'): Uint8Array {
  if (layers.length === 0) throw new RangeError('an MLP has at least one layer');
  const initializer: onnxProto.onnx.ITensorProto[] = [];
  const node: onnxProto.onnx.INodeProto[] = [];
  let current = CLASSIFIER_INPUT;
  layers.forEach((layer, i) => {
    if (layer.kernel.length !== layer.in * layer.out || layer.bias.length !== layer.out) {
      throw new RangeError(`layer ${i}: kernel or bias length does not match [${layer.in}, ${layer.out}]`);
    }
    if (i > 0 && layer.in !== layers[i - 1]?.out) throw new RangeError(`layer ${i}: input size does not chain`);
    const w = `dense${i}.kernel`;
    const b = `dense${i}.bias`;
    initializer.push(
      {
        name: w,
        dataType: onnx.TensorProto.DataType.FLOAT,
        dims: [layer.in, layer.out],
        rawData: littleEndianBytes(layer.kernel),
      },
      { name: b, dataType: onnx.TensorProto.DataType.FLOAT, dims: [layer.out], rawData: littleEndianBytes(layer.bias) },
    );
    const linear = `dense${i}.out`;
    node.push({ opType: 'Gemm', name: `dense${i}`, input: [current, w, b], output: [linear] });
    if (i < layers.length - 1) {
      current = `dense${i}.relu`;
      node.push({ opType: 'Relu', name: `relu${i}`, input: [linear], output: [current] });
    } else {
      node.push({
        opType: 'Softmax',
        name: 'softmax',
        input: [linear],
        output: [CLASSIFIER_OUTPUT],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
      });
    }
  });
  const features = layers[0]?.in as number;
  const classes = layers[layers.length - 1]?.out as number;
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: producer,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'mlp-classifier',
      input: [tensorInfo(CLASSIFIER_INPUT, ['N', features])],
      output: [tensorInfo(CLASSIFIER_OUTPUT, ['N', classes])],
      initializer,
      node,
    },
  }).finish();
}
