import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backendTestsAvailable, loadBackendTests } from './onnxBackendTests.ts';
import { runConformance } from './runConformance.ts';

// The ONNX backend node tests of Debian's libonnx-testdata (ONNX 1.12), decoded with libonnx-dev's onnx.proto.
// By default a fixed sample: every other test folder (sorted by name) plus every folder that exercises an element
// type or value kind beyond float32 (float16, float64, the small and unsigned integers, bool, string, optional,
// sequence). SOUK_ONNX_CONFORMANCE=all runs all 932 data sets.
const TYPE_COVERAGE = /float16|double|string|bool|int8|int16|uint|optional|sequence|cast|_opt|_seq/i;
const missing = backendTestsAvailable() ? false : 'needs apt packages libonnx-testdata and libonnx-dev';

describe('ONNX backend node tests (libonnx-testdata)', () => {
  test('the generic pipeline passes every test raw onnxruntime-node passes, and more', {
    skip: missing,
    timeout: 300_000,
  }, async (t) => {
    const all = process.env.SOUK_ONNX_CONFORMANCE === 'all';
    let index = 0;
    const cases = loadBackendTests({ filter: (name) => all || index++ % 2 === 0 || TYPE_COVERAGE.test(name) });
    const report = await runConformance(cases);
    t.diagnostic(`${report.total} data sets: generic ${report.generic} passed, raw onnxruntime-node ${report.raw}`);
    const regressions = Object.entries(report.cases)
      .filter(([, c]) => c.raw.ok && !c.generic.ok)
      .map(([id, c]) => `${id}: ${c.generic.ok ? '' : c.generic.reason}`);
    assert.deepEqual(regressions, [], 'tests raw ORT passes but the generic path fails');
    assert.ok(report.generic >= report.raw, `generic ${report.generic} < raw ${report.raw}`);
    // float16 tensors, which raw onnxruntime-node cannot feed on Node 24 (microsoft/onnxruntime#26791), pass here.
    const float16 = Object.entries(report.cases).filter(([id]) => /(?<!b)float16/i.test(id));
    const failed = float16.filter(([, c]) => !c.generic.ok).map(([id]) => id);
    assert.ok(float16.length >= 10, 'the sample holds the float16 tests');
    assert.deepEqual(failed, [], 'float16 tests the generic path fails');
    // optional(tensor) inputs take their tensor on both paths.
    for (const id of ['test_optional_get_element/test_data_set_0', 'test_optional_has_element/test_data_set_0']) {
      assert.deepEqual(report.cases[id], { raw: { ok: true }, generic: { ok: true } }, id);
    }
  });
});
