/** Test fixtures: a seeded random MLP written as ONNX (the same writer as the training engine's export). */
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * The committed single-party DEVELOPMENT powers of tau 2^12 (made by `devPowersOfTau`), enough for the 16→8→4 MLP:
 * tests pass it as `ptauFile`, so they need no ptau run. Never for production.
 */
export const DEV_PTAU_12 = path.join(import.meta.dirname, 'fixtures', 'dev-pot12.ptau');

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

/**
 * A seeded random MLP (`randomLayers`) as a float ONNX graph of `MatMul`, `Add` and `Relu` nodes (what
 * `readOnnxMlp` reads), for tests outside the provider that cannot use its training export.
 */
export function randomMlpOnnx(sizes: readonly number[], seed: number): Uint8Array {
  const layers = randomLayers(sizes, seed);
  const nodes: NodeSpec[] = [];
  const initializers: Record<string, [number[], Float32Array]> = {};
  let x = 'input';
  layers.forEach((l, i) => {
    initializers[`W${i}`] = [[l.in, l.out], l.kernel];
    initializers[`B${i}`] = [[l.out], l.bias];
    nodes.push({ opType: 'MatMul', input: [x, `W${i}`], output: [`m${i}`] });
    const last = i === layers.length - 1;
    nodes.push({ opType: 'Add', input: [`m${i}`, `B${i}`], output: [last ? 'logits' : `a${i}`] });
    if (!last) nodes.push({ opType: 'Relu', input: [`a${i}`], output: [`h${i}`] });
    x = `h${i}`;
  });
  return onnxModel(nodes, initializers, 'input', 'logits');
}
