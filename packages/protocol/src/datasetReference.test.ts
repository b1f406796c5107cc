import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DatasetReferenceError,
  decodeDatasetReference,
  encodeDatasetReference,
  isDatasetReference,
} from './datasetReference.ts';

const sha = 'ab'.repeat(32);
const raw = (json: string) =>
  new Uint8Array([...new TextEncoder().encode('SOUKDSR1'), ...new TextEncoder().encode(json)]);

describe('dataset references (SOUKDSR1)', () => {
  test('round-trips and normalises the hash to lower case without 0x', () => {
    const bytes = encodeDatasetReference({ assetId: 7n, sha256: `0x${sha.toUpperCase()}` });
    assert.equal(new TextDecoder().decode(bytes), `SOUKDSR1{"assetId":"7","sha256":"${sha}"}`);
    assert.ok(isDatasetReference(bytes));
    assert.deepEqual(decodeDatasetReference(bytes), { assetId: 7n, sha256: sha });
  });

  test('a second spelling of one reference is refused (one reference, one inputHash)', () => {
    for (const json of [
      `{"sha256":"${sha}","assetId":"7"}`,
      `{"assetId":"07","sha256":"${sha}"}`,
      `{"assetId":"7","sha256":"${sha.toUpperCase()}"}`,
      `{"assetId": "7","sha256":"${sha}"}`,
      `{"assetId":"7","sha256":"0x${sha}"}`,
    ]) {
      assert.throws(() => decodeDatasetReference(raw(json)), DatasetReferenceError, json);
    }
  });

  test('refuses malformed references with a reason', () => {
    assert.throws(() => decodeDatasetReference(raw('{')), /not UTF-8 JSON/);
    assert.throws(() => decodeDatasetReference(raw('{"assetId":7}')), /assetId/);
    assert.throws(() => decodeDatasetReference(raw(`{"assetId":"-1","sha256":"${sha}"}`)), /assetId/);
    assert.throws(() => decodeDatasetReference(new TextEncoder().encode('SOUKEVL1{}')), /not a dataset reference/);
    assert.throws(() => encodeDatasetReference({ assetId: 2n ** 256n, sha256: sha }), /uint256/);
    assert.throws(() => encodeDatasetReference({ assetId: 1n, sha256: 'zz' }), /64 hex/);
    assert.equal(isDatasetReference(new Uint8Array(3)), false);
  });
});
