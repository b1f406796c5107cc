import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FormatError } from './errors.ts';
import { encodeNpy, isNpy, isZip, parseNpy, readNpyHeader, writeNpy } from './npy.ts';
import { allocateTensorData, type Tensor } from './tensor.ts';

const header = (bytes: Uint8Array) => {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  return new TextDecoder('latin1').decode(bytes.subarray(10, 10 + length));
};

/** Builds a .npy by hand (as another writer would), for the reader's tests. */
function npy(major: number, dict: string, data: Uint8Array): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  const pad = (64 - ((prefix + dict.length + 1) % 64)) % 64;
  const head = new TextEncoder().encode(`${dict}${' '.repeat(pad)}\n`);
  const out = new Uint8Array(prefix + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, head.length, true);
  else view.setUint32(8, head.length, true);
  out.set(head, prefix);
  out.set(data, prefix + head.length);
  return out;
}

describe('parseNpy and writeNpy', () => {
  const cases: Tensor[] = [
    {
      dtype: 'float32',
      dims: [2, 3],
      data: new Float32Array([0, -1.5, 3.25, Number.NaN, Number.POSITIVE_INFINITY, 1e-30]),
    },
    { dtype: 'int64', dims: [3], data: new BigInt64Array([-(2n ** 63n), 0n, 2n ** 63n - 1n]) },
    { dtype: 'int32', dims: [1, 2, 2], data: new Int32Array([-(2 ** 31), -1, 7, 2 ** 31 - 1]) },
    { dtype: 'uint8', dims: [4], data: new Uint8Array([0, 1, 128, 255]) },
    { dtype: 'bool', dims: [2, 1], data: new Uint8Array([1, 0]) },
    { dtype: 'float32', dims: [], data: new Float32Array([42]) },
    { dtype: 'int32', dims: [0, 5], data: new Int32Array(0) },
    { dtype: 'float16', dims: [3], data: new Uint16Array([0x3c00, 0x7e00, 0x8001]) },
    { dtype: 'float64', dims: [2], data: new Float64Array([Math.E, -0]) },
    { dtype: 'int8', dims: [2], data: new Int8Array([-128, 127]) },
    { dtype: 'int16', dims: [2], data: new Int16Array([-32768, 32767]) },
    { dtype: 'uint16', dims: [1], data: new Uint16Array([65535]) },
    { dtype: 'uint32', dims: [1], data: new Uint32Array([2 ** 32 - 1]) },
    { dtype: 'uint64', dims: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
    { dtype: 'string', dims: [2, 2], data: ['a', 'naïve', '', '🙂x'] },
  ];
  for (const tensor of cases) {
    test(`round-trips ${tensor.dtype} with shape (${tensor.dims})`, () => {
      const bytes = writeNpy(tensor);
      const back = parseNpy(bytes);
      assert.equal(back.dtype, tensor.dtype);
      assert.deepEqual(back.dims, tensor.dims);
      assert.deepEqual(back.data, tensor.data);
      assert.equal((10 + header(bytes).length) % 64, 0, 'data starts on a 64-byte boundary');
      assert.ok(header(bytes).endsWith('\n'));
    });
  }

  test('writes the header numpy.save writes', () => {
    const bytes = writeNpy({ dtype: 'float32', dims: [2, 3], data: new Float32Array(6) });
    assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    assert.equal(header(bytes), `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }${' '.repeat(58)}\n`);
    assert.equal(bytes.length, 128 + 24);
    assert.match(header(writeNpy({ dtype: 'int64', dims: [5], data: new BigInt64Array(5) })), /'shape': \(5,\), }/);
    assert.match(
      header(writeNpy({ dtype: 'bool', dims: [], data: new Uint8Array(1) })),
      /'descr': '\|b1'.*'shape': \(\), }/,
    );
    // numpy.array(['a', 'naïve', '🙂x']) is '<U5': the longest element in code points; UTF-32 little-endian
    const strings = writeNpy({ dtype: 'string', dims: [3], data: ['a', 'naïve', '🙂x'] });
    assert.match(header(strings), /'descr': '<U5'/);
    assert.equal(strings.length, 128 + 3 * 5 * 4);
    assert.deepEqual([...strings.subarray(128 + 40, 128 + 48)], [0x42, 0xf6, 0x01, 0, 0x78, 0, 0, 0]);
    const descrs = (['float16', 'float64', 'int8', 'int16', 'uint16', 'uint32', 'uint64'] as const).map(
      (dtype) =>
        /'descr': '([^']+)'/.exec(
          header(writeNpy({ dtype, dims: [0], data: allocateTensorData(dtype, 0) } as Tensor)),
        )?.[1],
    );
    assert.deepEqual(descrs, ['<f2', '<f8', '|i1', '<i2', '<u2', '<u4', '<u8']);
  });

  test('reads NumPy bytes strings (S) as UTF-8, trailing NULs as padding', () => {
    const data = new Uint8Array([0x61, 0x62, 0, 0xc3, 0xa9, 0]);
    const t = parseNpy(npy(1, "{'descr': '|S3', 'fortran_order': False, 'shape': (2,), }", data));
    assert.deepEqual(t, { dtype: 'string', dims: [2], data: ['ab', 'é'] });
    const bad = npy(1, "{'descr': '|S1', 'fortran_order': False, 'shape': (1,), }", new Uint8Array([0xff]));
    assert.throws(() => parseNpy(bad), /not UTF-8/);
  });

  test('reorders Fortran-ordered string arrays too', () => {
    const data = new Uint8Array(4 * 4);
    const view = new DataView(data.buffer);
    ['a', 'c', 'b', 'd'].forEach((c, i) => {
      view.setUint32(i * 4, c.charCodeAt(0), true);
    });
    const t = parseNpy(npy(1, "{'descr': '<U1', 'fortran_order': True, 'shape': (2, 2), }", data));
    assert.deepEqual(t.data, ['a', 'b', 'c', 'd']);
  });

  test('reads format 2.0 and 3.0 headers', () => {
    const data = new Uint8Array(new Int32Array([5, 6]).buffer);
    for (const major of [2, 3]) {
      const t = parseNpy(npy(major, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", data));
      assert.deepEqual([...t.data], [5, 6]);
    }
  });

  test('reads big-endian data', () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setFloat32(0, 1.5, false);
    new DataView(data.buffer).setFloat32(4, -2, false);
    const t = parseNpy(npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", data));
    assert.deepEqual([...t.data], [1.5, -2]);
  });

  test('reorders Fortran-ordered arrays to row-major', () => {
    // [[1, 2, 3], [4, 5, 6]] stored column by column
    const data = new Uint8Array(new Int32Array([1, 4, 2, 5, 3, 6]).buffer);
    const t = parseNpy(npy(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", data));
    assert.deepEqual(t.dims, [2, 3]);
    assert.deepEqual([...t.data], [1, 2, 3, 4, 5, 6]);
  });

  test('refuses bad magic, unsupported dtypes, object arrays and short data', () => {
    assert.throws(() => parseNpy(new Uint8Array(16)), FormatError);
    const c8 = npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
    assert.throws(
      () => parseNpy(c8),
      (error: unknown) =>
        error instanceof FormatError && /'<c8'/.test(error.shortMessage) && /complex/.test(String(error.details)),
    );
    const object = npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
    assert.throws(
      () => parseNpy(object),
      (error: unknown) => /pickles/.test(String((error as FormatError).details)),
    );
    const f16 = npy(1, "{'descr': '<f16', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(16));
    assert.throws(() => parseNpy(f16), /Unsupported \.npy dtype '<f16'/);
    const short = npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8));
    assert.throws(() => parseNpy(short), /needs 12/);
    const badBool = npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }", new Uint8Array([2]));
    assert.throws(() => parseNpy(badBool), FormatError);
  });
});

const le = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

describe('encodeNpy', () => {
  const cases: [string, Tensor][] = [
    [
      'float32 [2, 3]',
      { dtype: 'float32', dims: [2, 3], data: new Float32Array([0.5, -1, 3.25, 7, Number.NaN, 1e-7]) },
    ],
    ['int64 [3] past 2^53', { dtype: 'int64', dims: [3], data: new BigInt64Array([-1n, 2n ** 60n, 0n]) }],
    ['bool [4]', { dtype: 'bool', dims: [4], data: new Uint8Array([1, 0, 0, 1]) }],
    ['uint8 scalar', { dtype: 'uint8', dims: [], data: new Uint8Array([200]) }],
    ['float16 [2]', { dtype: 'float16', dims: [2], data: new Uint16Array([0x3c00, 0xc000]) }],
    ['float64 [1, 0]', { dtype: 'float64', dims: [1, 0], data: new Float64Array([]) }],
  ];
  for (const [name, tensor] of cases) {
    test(`writes ${name} from its bytes byte for byte as numpy.save (writeNpy) does`, () => {
      const bytes = le(tensor.data as ArrayBufferView);
      const ours = encodeNpy({ dtype: tensor.dtype, dims: [...tensor.dims], data: bytes });
      assert.deepEqual(ours, writeNpy(tensor));
      assert.equal((ours.length - bytes.length) % 64, 0);
      const back = parseNpy(ours);
      assert.equal(back.dtype, tensor.dtype);
      assert.deepEqual(back.dims, [...tensor.dims]);
      assert.deepEqual(le(back.data as ArrayBufferView), bytes);
    });
  }

  test('writes strings as <U(longest) UTF-32, as numpy.save does', () => {
    const strings = ['a', 'naïve', '🙂x'];
    const ours = encodeNpy({ dtype: 'string', dims: [3], data: strings });
    assert.deepEqual(ours, writeNpy({ dtype: 'string', dims: [3], data: strings }));
    assert.deepEqual(parseNpy(ours).data, strings);
    assert.deepEqual(readNpyHeader(ours), {
      dtype: 'string',
      dims: [3],
      fortranOrder: false,
      dataOffset: 128,
      descr: '<U5',
    });
  });

  test('refuses bytes that do not fill the shape, and dtypes .npy cannot hold', () => {
    assert.throws(() => encodeNpy({ dtype: 'float32', dims: [3], data: new Uint8Array(8) }), FormatError);
    assert.throws(() => encodeNpy({ dtype: 'bfloat16', dims: [1], data: new Uint8Array(2) }), /cannot hold bfloat16/);
    assert.throws(
      () => encodeNpy({ dtype: 'string', dims: [2], data: ['a'] }),
      /1 strings do not fill the shape \[2\]/,
    );
    assert.throws(() => encodeNpy({ dtype: 'int8', dims: [1], data: ['a'] }), /needs its bytes/);
    assert.throws(() => encodeNpy({ dtype: 'string', dims: [1], data: new Uint8Array(4) }), /needs its strings/);
  });
});

describe('readNpyHeader', () => {
  test('reads the dtype and shape of the files writeNpy writes', () => {
    const file = writeNpy({ dtype: 'int32', dims: [1, 3, 2], data: new Int32Array(6) });
    assert.ok(isNpy(file));
    assert.deepEqual(readNpyHeader(file), {
      dtype: 'int32',
      dims: [1, 3, 2],
      fortranOrder: false,
      dataOffset: 128,
      descr: '<i4',
    });
    // The header alone is enough: a picked file's first bytes.
    assert.equal(readNpyHeader(file.subarray(0, 128)).dtype, 'int32');
  });

  test('refuses a file that is not .npy, or a NumPy type without an ONNX tensor', () => {
    assert.throws(() => readNpyHeader(new TextEncoder().encode('{"tensors":{}}')), /Not a \.npy file/);
    const complex = writeNpy({ dtype: 'float32', dims: [1], data: new Float32Array(1) });
    const header = new TextDecoder().decode(complex.subarray(10, 64)).replace("'<f4'", "'<c8'");
    complex.set(new TextEncoder().encode(header), 10);
    assert.throws(() => readNpyHeader(complex), /NumPy type <c8/);
    assert.throws(
      () => readNpyHeader(npy(4, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4))),
      /format version 4\.0/,
    );
    assert.throws(() => readNpyHeader(npy(1, "{'descr': '<i4', 'shape': (1,), }", new Uint8Array(4))), /Malformed/);
    assert.throws(
      () => readNpyHeader(npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,), }", new Uint8Array(4))),
      /Bad \.npy shape/,
    );
    assert.throws(
      () => readNpyHeader(writeNpy({ dtype: 'int8', dims: [1], data: new Int8Array(1) }).subarray(0, 40)),
      /Truncated/,
    );
  });
});

test('isNpy and isZip tell a .npy from a .npz (zip, empty zip included) and from JSON', () => {
  const file = writeNpy({ dtype: 'uint8', dims: [1], data: new Uint8Array(1) });
  assert.ok(isNpy(file) && !isZip(file));
  assert.ok(isZip(new Uint8Array([0x50, 0x4b, 3, 4, 0])) && isZip(new Uint8Array([0x50, 0x4b, 5, 6])));
  const json = new TextEncoder().encode('{"tensors":{}}');
  assert.ok(!isNpy(json) && !isZip(json) && !isZip(new Uint8Array([0x50, 0x4b])));
});
