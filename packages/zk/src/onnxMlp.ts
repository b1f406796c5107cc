/**
 * Reads a float ONNX MLP into dense layers. The accepted subset, in graph order, one chain from the graph's single
 * input to its single output:
 *
 * `(Gemm | MatMul [Add]) Relu … (Gemm | MatMul [Add]) [Softmax] [ArgMax]`
 *
 * - `Gemm`: `A` is the running tensor, `B` and `C` float32 initializers; `transA = 0`, `transB` 0 or 1; `alpha` is
 *   folded into the kernel, `beta` into the bias.
 * - `MatMul`: the running tensor times a float32 initializer `[in, out]`; an `Add` of a float32 initializer `[out]`
 *   (or `[1, out]`) right after it is its bias.
 * - `Relu` after every dense layer but the last, none after the last.
 * - `Softmax` (on the last axis) and `ArgMax` (last axis) only at the end: both keep the argmax of the logits,
 *   which is what the circuit proves.
 *
 * Anything else (Conv, Sigmoid, quantized operators such as QLinearMatMul, branches) is refused with an
 * {@link UnsupportedModelError} that names the node and the reason.
 */
import onnxProto from 'onnx-proto';
import { UnsupportedModelError } from './errors.ts';

const { onnx } = onnxProto;

/** One float dense layer: `y = x · kernel + bias`, then ReLU when `relu`. */
export type FloatLayer = {
  /** Input width. */
  in: number;
  /** Output width. */
  out: number;
  /** Row-major `[in, out]`. */
  kernel: Float32Array;
  /** `[out]`. */
  bias: Float32Array;
  /** Whether ReLU follows (every layer but the last). */
  relu: boolean;
};

/** A float MLP read from ONNX. */
export type FloatMlp = {
  layers: FloatLayer[];
  /** Input width (the first layer's `in`). */
  features: number;
  /** Output width (the last layer's `out`). */
  classes: number;
  /** Whether the graph ends in Softmax (ignored by the circuit: argmax is unchanged). */
  softmax: boolean;
  /** Whether the graph ends in ArgMax. */
  argmax: boolean;
};

type Tensor = { dims: number[]; data: Float32Array };

const nodeName = (node: onnxProto.onnx.INodeProto, i: number): string => node.name || `#${i}`;

function readTensor(t: onnxProto.onnx.ITensorProto): Tensor | string {
  const dims = (t.dims ?? []).map((d) => Number(d));
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) {
    return `initializer '${t.name}' has data type ${t.dataType}, only FLOAT (1) is read`;
  }
  const size = dims.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== size * 4) return `initializer '${t.name}' raw_data has ${t.rawData.length} bytes`;
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(i * 4, true);
  } else {
    data = Float32Array.from(t.floatData ?? []);
    if (data.length !== size) return `initializer '${t.name}' has ${data.length} values for dims [${dims}]`;
  }
  return { dims, data };
}

const attribute = (node: onnxProto.onnx.INodeProto, name: string) => node.attribute?.find((a) => a.name === name);
const intAttribute = (node: onnxProto.onnx.INodeProto, name: string, fallback: number): number => {
  const a = attribute(node, name);
  return a ? Number(a.i ?? 0) : fallback;
};
const floatAttribute = (node: onnxProto.onnx.INodeProto, name: string, fallback: number): number => {
  const a = attribute(node, name);
  return a ? Number(a.f ?? 0) : fallback;
};

/**
 * Parses a serialised ONNX `ModelProto` holding a float MLP in the subset above.
 * @param bytes - The `.onnx` file's bytes.
 * @returns The dense layers with kernels normalised to `[in, out]`.
 * @throws {UnsupportedModelError} For any operator, attribute, shape or graph structure outside the subset.
 */
export function readOnnxMlp(bytes: Uint8Array): FloatMlp {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new UnsupportedModelError('graph', '', 'the model has no graph');
  const graphName = graph.name || 'graph';
  const initializers = new Map<string, onnxProto.onnx.ITensorProto>();
  for (const t of graph.initializer ?? []) initializers.set(t.name ?? '', t);
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ''));
  if (inputs.length !== 1) {
    throw new UnsupportedModelError('graph', graphName, `the graph has ${inputs.length} inputs, the subset has one`);
  }
  if ((graph.output ?? []).length !== 1) {
    throw new UnsupportedModelError('graph', graphName, 'the graph has more than one output');
  }
  let current = inputs[0]?.name ?? '';
  const layers: FloatLayer[] = [];
  let softmax = false;
  let argmax = false;
  let pendingBias = false; // the last layer came from a MatMul that an Add may still give a bias

  const constant = (node: onnxProto.onnx.INodeProto, i: number, name: string | undefined, what: string): Tensor => {
    const t = initializers.get(name ?? '');
    if (!t)
      throw new UnsupportedModelError(
        node.opType ?? '',
        nodeName(node, i),
        `${what} '${name}' is not a constant initializer`,
      );
    const read = readTensor(t);
    if (typeof read === 'string') throw new UnsupportedModelError(node.opType ?? '', nodeName(node, i), read);
    return read;
  };

  (graph.node ?? []).forEach((node, i) => {
    const op = node.opType ?? '';
    const name = nodeName(node, i);
    const refuse = (reason: string): never => {
      throw new UnsupportedModelError(op, name, reason);
    };
    if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx')
      refuse(`operator domain '${node.domain}' is not supported`);
    if (node.input?.[0] !== current)
      refuse(`its input '${node.input?.[0]}' is not the running tensor '${current}' (the graph is not one chain)`);
    if ((node.output ?? []).length !== 1) refuse('it has more than one output');
    if (argmax) refuse('nothing may follow ArgMax');
    if (softmax && op !== 'ArgMax') refuse('only ArgMax may follow Softmax');
    const last = layers[layers.length - 1];
    switch (op) {
      case 'Gemm':
      case 'MatMul': {
        if (last && !last.relu) refuse('dense layers must be separated by Relu');
        const b = constant(node, i, node.input?.[1], 'weight');
        if (b.dims.length !== 2) refuse(`weight has dims [${b.dims}], expected 2-D`);
        let [rows, cols] = b.dims as [number, number];
        let kernel = b.data;
        const transB = op === 'Gemm' ? intAttribute(node, 'transB', 0) : 0;
        if (op === 'Gemm') {
          if (intAttribute(node, 'transA', 0) !== 0) refuse('transA = 1 is not supported');
          if (transB !== 0 && transB !== 1) refuse(`transB = ${transB}`);
        }
        if (transB === 1) {
          kernel = new Float32Array(rows * cols);
          for (let r = 0; r < rows; r++)
            for (let c = 0; c < cols; c++) kernel[c * rows + r] = b.data[r * cols + c] as number;
          [rows, cols] = [cols, rows];
        }
        if (last && last.out !== rows) refuse(`weight has ${rows} rows, the previous layer gives ${last.out}`);
        const alpha = op === 'Gemm' ? floatAttribute(node, 'alpha', 1) : 1;
        const beta = op === 'Gemm' ? floatAttribute(node, 'beta', 1) : 1;
        if (alpha !== 1) kernel = kernel.map((v) => v * alpha);
        const bias = new Float32Array(cols);
        if (op === 'Gemm' && node.input?.[2]) {
          const c = constant(node, i, node.input[2], 'bias');
          if (c.data.length !== cols)
            refuse(`bias has ${c.data.length} values, expected ${cols} (broadcast is not supported)`);
          for (let k = 0; k < cols; k++) bias[k] = (c.data[k] as number) * beta;
        }
        layers.push({ in: rows, out: cols, kernel, bias, relu: false });
        pendingBias = op === 'MatMul';
        break;
      }
      case 'Add': {
        if (!last || !pendingBias) refuse('Add is supported only as the bias right after a MatMul');
        const c = constant(node, i, node.input?.[1], 'bias');
        if (c.data.length !== last?.out) refuse(`bias has ${c.data.length} values, expected ${last?.out}`);
        for (let k = 0; k < c.data.length; k++) (last as FloatLayer).bias[k] = c.data[k] as number;
        pendingBias = false;
        break;
      }
      case 'Relu':
        if (!last || last.relu) refuse('Relu must follow a dense layer');
        (last as FloatLayer).relu = true;
        pendingBias = false;
        break;
      case 'Softmax':
      case 'ArgMax': {
        if (!last || last.relu) refuse(`${op} must follow the last dense layer, without Relu`);
        const axis = intAttribute(node, 'axis', op === 'Softmax' ? -1 : 0);
        if (axis !== 1 && axis !== -1) refuse(`axis ${axis}: only the class axis (1 or -1) is supported`);
        if (op === 'Softmax') softmax = true;
        else argmax = true;
        pendingBias = false;
        break;
      }
      default:
        refuse(
          /^(QLinear|QuantizeLinear|DequantizeLinear|MatMulInteger|ConvInteger)/.test(op)
            ? 'quantized operators are not read: supply the float model, Souk quantizes it'
            : `operator ${op} is outside the zk subset (Gemm, MatMul, Add, Relu, final Softmax/ArgMax)`,
        );
    }
    current = node.output?.[0] ?? '';
  });
  if (layers.length === 0) throw new UnsupportedModelError('graph', graphName, 'the graph has no dense layer');
  const final = layers[layers.length - 1] as FloatLayer;
  if (final.relu)
    throw new UnsupportedModelError('Relu', graphName, 'the last dense layer must give logits, not a Relu');
  if (graph.output?.[0]?.name !== current) {
    throw new UnsupportedModelError('graph', graphName, `the graph's output is not the end of the chain '${current}'`);
  }
  return { layers, features: (layers[0] as FloatLayer).in, classes: final.out, softmax, argmax };
}
