import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from './errors.ts';
import type { OcrOutput } from './pipelines/ocr.ts';
import { canonicalJson, canonicalResult, resultHash } from './result.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('canonicalJson (RFC 8785)', () => {
  test('sorts keys by UTF-16 code units (U+1F600 before U+FB33) and writes no whitespace', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [true, null, 'x'], A: {}, é: 0, '\u{1F600}': 1, '\uFB33': 2 }),
      '{"A":{},"a":[true,null,"x"],"b":1,"é":0,"\u{1F600}":1,"\uFB33":2}',
    );
  });

  test('writes numbers in ECMAScript shortest form (RFC 8785 §3.2.2.3 examples)', () => {
    assert.equal(
      // biome-ignore lint/correctness/noPrecisionLoss: RFC 8785's own example; the shortest form is the point
      canonicalJson([1e21, 1e-7, 0.000001, -0, 333333333.33333329, 4.5, 2e-3, 1e23]),
      '[1e+21,1e-7,0.000001,0,333333333.3333333,4.5,0.002,1e+23]',
    );
  });

  test('escapes strings as JSON.stringify does', () => {
    assert.equal(canonicalJson('a"b\\c\n\u0001€'), '"a\\"b\\\\c\\n\\u0001€"');
  });

  test('omits undefined properties and refuses what JSON cannot hold', () => {
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
    assert.throws(() => canonicalJson(Number.NaN), InvalidInputError);
    assert.throws(() => canonicalJson('\uD800'), InvalidInputError);
  });
});

describe('canonicalResult', () => {
  const ocr: OcrOutput = {
    lines: [
      {
        text: 'TOTAL 12.50',
        confidence: 0.987654321,
        box: [
          [10.4, 20.6],
          [100, 20],
          [100, 40],
          [10, 40],
        ],
      },
      {
        text: 'Coffee 3.20',
        confidence: 0.5,
        box: [
          [1, 2],
          [3, 4],
          [5, 6],
          [7, 8],
        ],
      },
    ],
  };

  test('rounds OCR confidences to 4 decimals and boxes to integers, keys sorted', () => {
    assert.equal(
      text(canonicalResult(ocr)),
      '{"lines":[{"box":[[10,21],[100,20],[100,40],[10,40]],"confidence":0.9877,"text":"TOTAL 12.50"},' +
        '{"box":[[1,2],[3,4],[5,6],[7,8]],"confidence":0.5,"text":"Coffee 3.20"}]}',
    );
  });

  test('writes tensors as dtype, dims and base64 of little-endian bytes', () => {
    const output = {
      tensors: {
        y: { dtype: 'float32' as const, dims: [2], data: new Float32Array([1, -2]) },
        i: { dtype: 'int64' as const, dims: [1], data: new BigInt64Array([-1n]) },
      },
    };
    assert.equal(
      text(canonicalResult(output)),
      '{"tensors":{"i":{"data":"//////////8=","dims":[1],"dtype":"int64"},"y":{"data":"AACAPwAAAMA=","dims":[2],"dtype":"float32"}}}',
    );
  });

  test('resultHash is the 0x-prefixed SHA-256 of the canonical bytes, insensitive to key order and noise below rounding', () => {
    const hash = resultHash(ocr);
    // Pinned, computed outside this code: `printf '%s' '<the canonical text of the test above>' | sha256sum`.
    assert.equal(hash, '0xffe45e2422af0bae64041958f6ff3a05662be5d519f2aa79a44e7dd7a1558397');
    const reordered: OcrOutput = {
      lines: ocr.lines.map((l) => ({ box: l.box, confidence: l.confidence + 1e-9, text: l.text })),
    };
    assert.equal(resultHash(reordered), hash);
    assert.notEqual(resultHash({ lines: [{ ...ocr.lines[0], text: 'TOTAL 12.5O' }, ocr.lines[1]] }), hash);
  });

  test('resultHash of a tensor output is pinned too (SHA-256 of its canonical text, computed with sha256sum)', () => {
    const output = {
      tensors: {
        y: { dtype: 'float32' as const, dims: [2], data: new Float32Array([1, -2]) },
        i: { dtype: 'int64' as const, dims: [1], data: new BigInt64Array([-1n]) },
      },
    };
    assert.equal(resultHash(output), '0x4a30b6ee71edb09d40fd2147fb031989c96064d96424415510ea4a160d4480b4');
  });

  test('refuses outputs that are neither OCR lines nor tensors', () => {
    assert.throws(() => canonicalResult({} as OcrOutput), InvalidInputError);
    assert.throws(
      () => canonicalResult({ tensors: { x: { dtype: 'float32', dims: [3], data: new Float32Array(2) } } }),
      InvalidInputError,
    );
  });
});
