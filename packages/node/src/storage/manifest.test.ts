import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { rawCid } from './blocks.ts';
import { ManifestValidationError } from './errors.ts';
import { canonicalJson, decodeManifest, encodeManifest, type Manifest, validateManifest } from './manifest.ts';

const manifest: Manifest = {
  souk: 1,
  name: 'PaddleOCR small',
  kind: 'model',
  description: 'Printed-text OCR, Latin script.',
  runtime: {
    engine: 'onnxruntime',
    version: '1.20.1',
    pipeline: 'ocr',
    inputMediaTypes: ['image/png', 'image/jpeg'],
  },
  inputs: [{ name: 'image', dtype: 'float32', shape: ['batch', 3, 48, 320] }],
  outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 40, 97] }],
  modelCard: '# PaddleOCR small\n\nTrained on …',
  license: {
    terms: 'Apache-2.0',
    price: '1000000000000000000',
    currency: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    durationSeconds: 2_592_000,
  },
  royaltyBps: 500,
  content: {
    cid: 'bafybeigqr2ulyhu7r6rmratednc5n7y6s4bl4yui725mm45qk7o2ydor3m',
    size: 3_000_000,
    sha256: 'a'.repeat(64),
    encryption: { algorithm: 'AES-256-GCM-STREAM', chunkSize: 1_048_576, version: 1 },
  },
  createdAt: '2025-06-01T12:00:00.000Z',
};

/** A copy of the manifest with one field replaced (or removed with `undefined`). */
function withField(pathParts: string[], value: unknown): unknown {
  const copy = structuredClone(manifest) as unknown as Record<string, unknown>;
  let node = copy;
  for (const part of pathParts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  const last = pathParts[pathParts.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function rejectsAt(value: unknown, path: string, reason?: RegExp): void {
  assert.throws(
    () => validateManifest(value),
    (err: unknown) => {
      assert.ok(err instanceof ManifestValidationError, String(err));
      assert.equal(err.details.path, path);
      if (reason) assert.match(String(err.details.reason), reason);
      return true;
    },
  );
}

describe('encodeManifest', () => {
  test('writes canonical JSON: keys sorted at every level, no whitespace', () => {
    const text = new TextDecoder().decode(encodeManifest(manifest));
    assert.ok(!/\s(?=(?:[^"]*"[^"]*")*[^"]*$)/.test(text), 'no whitespace outside strings');
    assert.ok(text.startsWith('{"content":{"cid":"bafy'));
    assert.ok(text.includes('"encryption":{"algorithm":"AES-256-GCM-STREAM","chunkSize":1048576,"version":1}'));
    assert.ok(
      text.endsWith(
        '"royaltyBps":500,"runtime":{"engine":"onnxruntime","inputMediaTypes":["image/png","image/jpeg"],' +
          '"pipeline":"ocr","version":"1.20.1"},"souk":1}',
      ),
    );
  });

  test('gives the same bytes whatever the key order or layout of the input', () => {
    const reverseKeys = (value: unknown): unknown =>
      value === null || typeof value !== 'object'
        ? value
        : Array.isArray(value)
          ? value.map(reverseKeys)
          : Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reverseKeys(v)]),
            );
    const reversed = reverseKeys(manifest) as Manifest;
    assert.notEqual(JSON.stringify(reversed), JSON.stringify(manifest));
    const bytes = encodeManifest(manifest);
    assert.deepEqual(encodeManifest(reversed), bytes);
    assert.deepEqual(encodeManifest(decodeManifest(JSON.stringify(manifest, null, 2))), bytes);
    assert.deepEqual(encodeManifest(decodeManifest(bytes)), bytes);
    assert.equal(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: 2 }] }), '{"a":[true,null,{"c":2,"d":"x"}],"b":1}');
  });

  test('drops undefined optional fields, as JSON does', () => {
    const minimal = { ...manifest, description: undefined };
    assert.ok(!new TextDecoder().decode(encodeManifest(minimal)).includes('description'));
  });

  test('stores under a bafkrei… CID equal to multiformats sha2-256 + raw codec', async () => {
    const bytes = encodeManifest(manifest);
    const cid = rawCid(bytes);
    assert.match(cid, /^bafkrei[a-z2-7]{52}$/);
    assert.equal(cid, CID.createV1(raw.code, await sha256.digest(bytes)).toString());
    assert.equal(`ipfs://${cid}`.length, 66); // the URI length CidCodec.sol packs
  });

  test('refuses to encode an invalid manifest', () => {
    assert.throws(() => encodeManifest({ ...manifest, royaltyBps: 1001 }), ManifestValidationError);
  });
});

describe('decodeManifest', () => {
  test('accepts a public asset (encryption null) with only the required fields', () => {
    const minimal = {
      souk: 1,
      name: 'Receipts 2024',
      kind: 'dataset',
      license: { terms: 'CC-BY-4.0' },
      royaltyBps: 0,
      content: {
        cid: manifest.content.cid,
        size: 0,
        sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        encryption: null,
      },
      createdAt: '2025-01-31T00:00:00Z',
    };
    assert.deepEqual(decodeManifest(JSON.stringify(minimal)), minimal);
  });

  test('says why and where a manifest is invalid', () => {
    rejectsAt(withField(['name'], undefined), '/name');
    rejectsAt(withField(['souk'], 2), '/souk');
    rejectsAt(withField(['kind'], 'weights'), '/kind');
    rejectsAt(withField(['royaltyBps'], 1001), '/royaltyBps');
    rejectsAt(withField(['royaltyBps'], 1.5), '/royaltyBps');
    rejectsAt(withField(['license', 'price'], '01'), '/license/price');
    rejectsAt(withField(['license', 'price'], '-5'), '/license/price');
    rejectsAt(withField(['license', 'currency'], '0x1234'), '/license/currency');
    rejectsAt(withField(['license', 'durationSeconds'], 0), '/license/durationSeconds');
    rejectsAt(withField(['content', 'sha256'], 'A'.repeat(64)), '/content/sha256');
    rejectsAt(withField(['content', 'size'], -1), '/content/size');
    rejectsAt(
      withField(['content', 'encryption'], { algorithm: 'AES-CBC', chunkSize: 1, version: 1 }),
      '/content/encryption',
    );
    rejectsAt(withField(['content', 'encryption'], undefined), '/content/encryption');
    rejectsAt(withField(['content', 'cid'], 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'), '/content/cid');
    rejectsAt(withField(['content', 'cid'], 'bafyaaaaaaaaaaaaaaaaaaaaaaaaaaa'), '/content/cid', /CIDv1/);
    rejectsAt(withField(['createdAt'], '2025-06-01 12:00'), '/createdAt');
    rejectsAt(withField(['createdAt'], '2025-02-30T00:00:00Z'), '/createdAt', /calendar/);
    rejectsAt(withField(['inputs'], [{ name: 'x', dtype: 'float32', shape: [-1] }]), '/inputs/0/shape/0');
    rejectsAt(withField(['runtime', 'inputMediaTypes'], ['image/PNG']), '/runtime/inputMediaTypes/0');
    rejectsAt(withField(['runtime', 'inputMediaTypes'], ['audio/wav; rate=16000']), '/runtime/inputMediaTypes/0');
    rejectsAt(withField(['runtime', 'inputMediaTypes'], ['png']), '/runtime/inputMediaTypes/0');
    rejectsAt(withField(['runtime', 'inputMediaTypes'], []), '/runtime/inputMediaTypes');
    rejectsAt(withField(['runtime', 'inputMediaTypes'], ['image/png', 'image/png']), '/runtime/inputMediaTypes');
    rejectsAt(withField(['extra'], true), '/extra');
  });

  test('rejects bytes that are not UTF-8 or not JSON, and oversized input', () => {
    assert.throws(() => decodeManifest(new Uint8Array([0xff, 0xfe])), /not valid UTF-8/);
    assert.throws(() => decodeManifest('{"souk":1,'), /not JSON/);
    assert.throws(() => decodeManifest('null'), ManifestValidationError);
    assert.throws(() => decodeManifest(' '.repeat(1024 * 1024 + 1)), /more than 1048576/);
  });
});
