import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePayload, encodePayload } from './codec.ts';

test('round-trips JSON with bigints at any depth', () => {
  const value = { jobId: 2n ** 80n, wei: [0n, -5n], nested: { ok: true, s: '1', n: 1.5, none: null } };
  assert.deepEqual(decodePayload(encodePayload(value)), value);
  assert.equal(new TextDecoder().decode(encodePayload({ a: 1n })), '{"a":{"$bigint":"1"}}');
});

test('leaves objects that merely have a $bigint field next to others alone', () => {
  const value = { $bigint: '1', other: 2 };
  assert.deepEqual(decodePayload(encodePayload(value)), value);
});

test('encodes undefined as null and decodes an empty payload as undefined', () => {
  assert.equal(decodePayload(encodePayload(undefined)), null);
  assert.equal(decodePayload(new Uint8Array()), undefined);
});
