/** Test fixtures: a seeded random MLP written as ONNX (the same writer as the training engine's export). */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** A deterministic PRNG (mulberry32) in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Float dense layers `[in, out]` with uniform weights in ±1/√in and small biases. */
export function randomLayers(sizes: readonly number[], seed: number) {
  const r = prng(seed);
  return sizes.slice(1).map((out, i) => {
    const inn = sizes[i] as number;
    const lim = 1 / Math.sqrt(inn);
    return {
      in: inn,
      out,
      kernel: Float32Array.from({ length: inn * out }, () => (r() * 2 - 1) * lim * 2),
      bias: Float32Array.from({ length: out }, () => (r() * 2 - 1) * 0.1),
    };
  });
}

/** Random inputs `[n, features]` in [0, 1). */
export function randomInputs(n: number, features: number, seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n * features }, () => r());
}

const raw = (data: Float32Array) => {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => {
    view.setFloat32(i * 4, v, true);
  });
  return bytes;
};

/** One ONNX node of a hand-built graph. */
export type NodeSpec = {
  opType: string;
  input: string[];
  output: string[];
  name?: string;
  attribute?: onnxProto.onnx.IAttributeProto[];
};

/** Writes a graph of the given nodes and float initializers (`name → [dims, data]`) as an ONNX model. */
export function onnxModel(
  nodes: NodeSpec[],
  initializers: Record<string, [number[], Float32Array]>,
  input: string,
  output: string,
): Uint8Array {
  const info = (name: string) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }] } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'test',
      input: [info(input)],
      output: [info(output)],
      node: nodes,
      initializer: Object.entries(initializers).map(([name, [dims, data]]) => ({
        name,
        dataType: onnx.TensorProto.DataType.FLOAT,
        dims,
        rawData: raw(data),
      })),
    },
  }).finish();
}
