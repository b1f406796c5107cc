/**
 * The ONNX backend node tests as Debian's `libonnx-testdata` ships them (`/usr/share/libonnx-testdata/data/node`,
 * ONNX 1.12): one folder per operator test holding `model.onnx` and `test_data_set_<k>/{input,output}_<i>.pb`, each
 * `.pb` a serialised `onnx.TensorProto` (or, for sequence/optional values, a `SequenceProto` / `OptionalProto`).
 *
 * The protobuf messages are decoded with protobufjs from the `onnx.proto` schema Debian's `libonnx-dev` ships
 * (`/usr/include/onnx/onnx.proto`). `OptionalProto` is not in that schema (it lives in `onnx-data.proto`, of which
 * Debian ships only the generated C++ header): it is declared here with protobufjs's reflection API, its field
 * numbers as that header (`onnx-data.pb.h`) gives them — `name` 1, `elem_type` 2, `tensor_value` 3 — so that an
 * `optional(tensor)` input can be fed its tensor. Sequence and map values are reported as not expressible (neither
 * path can feed them).
 *
 * Outputs are compared as ONNX's own backend test runner does (`onnx/backend/test/runner/__init__.py`,
 * `assert_similar_outputs`): same element type and shape, numbers within `rtol = 1e-3`, `atol = 1e-7`
 * (`numpy.testing.assert_allclose`, NaN equal to NaN), strings equal.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import {
  allocateTensorData,
  type FixedDtype,
  type Tensor,
  type TensorDtype,
  tensorFromBytes,
} from '../pipelines/tensor.ts';

/** Where `libonnx-testdata` puts the node tests. */
export const ONNX_NODE_TESTS_DIR = '/usr/share/libonnx-testdata/data/node';
/** Where `libonnx-dev` puts the ONNX protobuf schema. */
export const ONNX_PROTO_PATH = '/usr/include/onnx/onnx.proto';

/** `TensorProto.DataType` → dtype, for the types onnxruntime-node carries (1–13). */
const DATA_TYPES: Readonly<Record<number, TensorDtype>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};
const DATA_TYPE_NAMES: Readonly<Record<number, string>> = { 14: 'complex64', 15: 'complex128', 16: 'bfloat16' };

/** One value a test feeds or expects, by graph position. */
export type TestValue =
  | { kind: 'tensor'; name: string; tensor: Tensor }
  /** Not decodable as a tensor: a sequence/map/optional value, or an element type the provider lacks. */
  | { kind: 'other'; name: string; reason: string };

/** One `test_data_set_<k>` of one node test. */
export type BackendTestCase = {
  /** `test_abs/test_data_set_0`. */
  id: string;
  /** The model file's bytes. */
  model: Uint8Array;
  /** Graph inputs (initializers excluded), in order. */
  inputs: TestValue[];
  /** Expected graph outputs, in order. */
  outputs: TestValue[];
};

type Long = { toString(): string };
type TensorProtoObject = {
  name?: string;
  dims?: (number | Long)[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: number[];
  doubleData?: number[];
  int32Data?: number[];
  int64Data?: (number | Long)[];
  uint64Data?: (number | Long)[];
  stringData?: Uint8Array[];
  dataLocation?: number;
};
type TypeProtoObject = {
  tensorType?: { elemType?: number };
  sequenceType?: unknown;
  mapType?: unknown;
  optionalType?: { elemType?: TypeProtoObject };
  sparseTensorType?: unknown;
};
type ValueInfoObject = { name: string; type?: TypeProtoObject };
type ModelProtoObject = {
  graph: { input: ValueInfoObject[]; output: ValueInfoObject[]; initializer: { name: string }[] };
};

let schema: { model: protobuf.Type; tensor: protobuf.Type; optional: protobuf.Type } | undefined;
function types() {
  if (!schema) {
    const root = protobuf.loadSync(ONNX_PROTO_PATH);
    const optional = new protobuf.Type('OptionalProto')
      .add(new protobuf.Field('name', 1, 'string'))
      .add(new protobuf.Field('elemType', 2, 'int32'))
      .add(new protobuf.Field('tensorValue', 3, 'TensorProto'));
    const onnx = root.lookup('onnx');
    if (!(onnx instanceof protobuf.Namespace)) throw new Error(`${ONNX_PROTO_PATH} has no onnx package`);
    onnx.add(optional);
    root.resolveAll();
    schema = { model: root.lookupType('onnx.ModelProto'), tensor: root.lookupType('onnx.TensorProto'), optional };
  }
  return schema;
}

/**
 * Whether the test data and the schema are installed (`apt-get install libonnx-testdata libonnx-dev`).
 * @returns `true` when both paths exist.
 */
export function backendTestsAvailable(): boolean {
  return existsSync(ONNX_NODE_TESTS_DIR) && existsSync(ONNX_PROTO_PATH);
}

/**
 * Decodes a serialised `onnx.TensorProto` into a provider tensor.
 * @param bytes - The `.pb` file.
 * @returns The tensor and its name (may be empty).
 * @throws {Error} For element types the provider does not carry (complex, bfloat16) or external data.
 */
export function decodeTensorProto(bytes: Uint8Array): { name: string; tensor: Tensor } {
  const t = types().tensor.decode(bytes) as unknown as TensorProtoObject;
  const code = t.dataType ?? 0;
  const dtype = DATA_TYPES[code];
  if (!dtype) throw new Error(`element type ${DATA_TYPE_NAMES[code] ?? code}`);
  if (t.dataLocation === 1) throw new Error('external data');
  const dims = (t.dims ?? []).map((d) => Number(String(d)));
  const name = t.name ?? '';
  const count = dims.reduce((a, b) => a * b, 1);
  if (dtype === 'string') {
    const utf8 = new TextDecoder();
    return { name, tensor: { dtype, dims, data: (t.stringData ?? []).map((s) => utf8.decode(s)) } };
  }
  if (t.rawData && t.rawData.length > 0) return { name, tensor: tensorFromBytes(dtype, dims, t.rawData) };
  const data = allocateTensorData(dtype as FixedDtype, count) as unknown as { [i: number]: number | bigint };
  const from: ArrayLike<number | Long> =
    dtype === 'float32'
      ? (t.floatData ?? [])
      : dtype === 'float64'
        ? (t.doubleData ?? [])
        : dtype === 'int64'
          ? (t.int64Data ?? [])
          : dtype === 'uint32' || dtype === 'uint64'
            ? (t.uint64Data ?? [])
            : (t.int32Data ?? []);
  if (from.length !== count) throw new Error(`${from.length} elements for dims [${dims}]`);
  for (let i = 0; i < count; i++) {
    const v = from[i];
    if (dtype === 'int64' || dtype === 'uint64') data[i] = BigInt(String(v));
    else if (dtype === 'uint32') data[i] = Number(String(v));
    else if (dtype === 'float16') data[i] = (v as number) & 0xffff;
    else data[i] = v as number;
  }
  return { name, tensor: { dtype, dims, data } as Tensor };
}

/** Why a graph value is not a tensor the provider carries, or `undefined` when it is. */
function nonTensorReason(type: TypeProtoObject | undefined): string | undefined {
  if (!type) return undefined;
  if (type.sequenceType) return 'a sequence value';
  if (type.mapType) return 'a map value';
  if (type.optionalType) return 'an optional value of a sequence or map';
  if (type.sparseTensorType) return 'a sparse tensor';
  const code = type.tensorType?.elemType ?? 0;
  if (code !== 0 && !DATA_TYPES[code]) return `element type ${DATA_TYPE_NAMES[code] ?? code}`;
  return undefined;
}

function readValue(path: string, info: ValueInfoObject): TestValue {
  const inner = info.type?.optionalType?.elemType;
  if (inner?.tensorType && !nonTensorReason(inner)) {
    // optional(tensor): present, it is fed as its tensor; absent, it cannot be expressed in onnxruntime-node.
    const value = types().optional.decode(readFileSync(path)) as unknown as { tensorValue?: unknown };
    if (!value.tensorValue) return { kind: 'other', name: info.name, reason: 'an absent optional value' };
    const bytes = types()
      .tensor.encode(value.tensorValue as protobuf.Message)
      .finish();
    return { kind: 'tensor', name: info.name, tensor: decodeTensorProto(bytes).tensor };
  }
  const reason = nonTensorReason(info.type);
  if (reason) return { kind: 'other', name: info.name, reason };
  try {
    const { tensor } = decodeTensorProto(readFileSync(path));
    return { kind: 'tensor', name: info.name, tensor };
  } catch (error) {
    return { kind: 'other', name: info.name, reason: (error as Error).message };
  }
}

/**
 * Lists the node tests' data sets, optionally a sample of them.
 * @param options - `filter` keeps tests by folder name; `limit` keeps the first N test folders (sorted by name).
 * @returns One case per `test_data_set_<k>`, sorted by id.
 * @throws {Error} When the test data or the schema is not installed.
 */
export function loadBackendTests({
  filter = () => true,
  limit = Number.POSITIVE_INFINITY,
}: {
  filter?: (name: string) => boolean;
  limit?: number;
} = {}): BackendTestCase[] {
  const folders = readdirSync(ONNX_NODE_TESTS_DIR).filter(filter).sort().slice(0, limit);
  const cases: BackendTestCase[] = [];
  for (const folder of folders) {
    const dir = join(ONNX_NODE_TESTS_DIR, folder);
    const model = new Uint8Array(readFileSync(join(dir, 'model.onnx')));
    const graph = (types().model.decode(model) as unknown as ModelProtoObject).graph;
    const initializers = new Set(graph.initializer.map((i) => i.name));
    const inputs = graph.input.filter((i) => !initializers.has(i.name));
    for (const set of readdirSync(dir)
      .filter((f) => f.startsWith('test_data_set_'))
      .sort()) {
      const data = join(dir, set);
      cases.push({
        id: `${folder}/${set}`,
        model,
        inputs: inputs.map((info, i) => readValue(join(data, `input_${i}.pb`), info)),
        outputs: graph.output.map((info, i) => readValue(join(data, `output_${i}.pb`), info)),
      });
    }
  }
  return cases;
}

/** An element as a comparable value: numbers (bool as 0/1), bigints, strings. */
export type Element = number | bigint | string;

/**
 * Compares an output with its expected value as ONNX's backend test runner does (see the file header).
 * @param name - Output name, for the message.
 * @param actual - The output: its dtype, dims, and an accessor for element `i`.
 * @param expected - The expected tensor's dtype, dims and accessor.
 * @returns `undefined` when they match, else why not.
 */
export function compareOutput(
  name: string,
  actual: { dtype: string; dims: readonly number[]; length: number; at(i: number): Element },
  expected: { dtype: string; dims: readonly number[]; length: number; at(i: number): Element },
  { rtol = 1e-3, atol = 1e-7 }: { rtol?: number; atol?: number } = {},
): string | undefined {
  if (actual.dtype !== expected.dtype) return `${name}: dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.dims.join() !== expected.dims.join()) return `${name}: dims [${actual.dims}], expected [${expected.dims}]`;
  if (actual.length !== expected.length) return `${name}: ${actual.length} elements, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual.at(i);
    const e = expected.at(i);
    if (typeof e === 'number' && typeof a === 'number') {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      if (a === e) continue;
      if (Number.isFinite(e) && Math.abs(a - e) <= atol + rtol * Math.abs(e)) continue;
    } else if (a === e) {
      continue;
    }
    return `${name}[${i}]: ${String(a)}, expected ${String(e)}`;
  }
  return undefined;
}
