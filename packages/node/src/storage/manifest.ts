/**
 * The Souk asset manifest, version 1: what `mintAgent(owner, "ipfs://<manifestCid>")` points to. It describes an
 * asset (model, agent or dataset), its licence terms and its content (CID, size, plaintext SHA-256, encryption).
 *
 * Stored as one raw IPFS block (CIDv1, raw, sha2-256: `bafkrei…`) holding canonical JSON: UTF-8, object keys sorted
 * by UTF-16 code units, no whitespace, no `undefined` members. For the values this schema allows (strings, numbers,
 * `null`, objects, arrays) that is exactly the JSON Canonicalization Scheme (RFC 8785: `JSON.stringify` writes a
 * number in ECMAScript's shortest round-trip form, which is what RFC 8785 §3.2.2.3 asks), so the same manifest always
 * has the same bytes and the same CID. Field by field documentation: `docs/manifest.md`.
 *
 * A manifest grants nothing: it is public, and anyone can mint a token pointing at it. Which asset may release the
 * content it names is the node's content binding (`gateway/contentBinding.ts`, docs/manifest.md "Who may release the
 * content"), checked against the chain's creator and owner, never against the manifest.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  MAX_DERIVED_ROYALTY_BPS,
  MAX_INPUT_MEDIA_TYPES,
  MAX_LINEAGE_BPS,
  MAX_LINEAGE_RECIPIENTS,
  MEDIA_TYPE_PATTERN,
} from '@souk/protocol';
import { CID } from 'multiformats/cid';
import { MAX_CHUNK_SIZE } from './crypto.ts';
import { ManifestValidationError } from './errors.ts';

/** Value of the `souk` field: the manifest format version. */
export const MANIFEST_VERSION = 1;
/** Largest encoded manifest accepted, in bytes (1 MiB: the largest block every IPFS implementation transfers). */
export const MAX_MANIFEST_SIZE = 1024 * 1024;
/** Largest royalty, in basis points (10 %); mirrors `AgentNFT.MAX_ROYALTY_BPS`. */
export const MAX_ROYALTY_BPS = 1_000;
/** The `content.encryption.algorithm` of the chunked AES-256-GCM format in `crypto.ts`. */
export const ENCRYPTION_ALGORITHM = 'AES-256-GCM-STREAM';

const ISO_8601_UTC = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$';
const ADDRESS = '^0x[0-9a-fA-F]{40}$';
const UINT256_DECIMAL = '^(0|[1-9][0-9]{0,77})$';
const CIDV1_BASE32 = '^b[a-z2-7]{20,200}$';
const SHA256_HEX = '^[0-9a-f]{64}$';

/** A tensor an asset takes or returns (ONNX-style). */
export const TensorSpecSchema = Type.Object(
  {
    /** Tensor name, as in the model graph. */
    name: Type.String({ minLength: 1, maxLength: 256 }),
    /** Element type, ONNX spelling: `float32`, `float16`, `int64`, `uint8`, `bool`, `string`… */
    dtype: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
    /** Dimensions: a size ≥ 0, or a name for a dynamic dimension (`"batch"`). */
    shape: Type.Array(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1, maxLength: 64 })]), {
      maxItems: 32,
    }),
  },
  { additionalProperties: false },
);

/** How to run an asset. */
export const RuntimeSchema = Type.Object(
  {
    /** Inference engine, e.g. `onnxruntime`. */
    engine: Type.String({ minLength: 1, maxLength: 64 }),
    /** Engine version requirement, e.g. `1.20.1` or `>=1.18`. */
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Pre/post-processing pipeline the provider applies, e.g. `ocr`. */
    pipeline: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /**
     * Media types a job's input may have (`image/png`, `audio/wav`…) for a pipeline that decodes a medium; absent:
     * tensors, bytes as the pipeline reads them, or (older manifests) the pipeline's own (`@souk/protocol`'s
     * `inputMediaTypesOf`).
     */
    inputMediaTypes: Type.Optional(
      Type.Array(Type.String({ pattern: MEDIA_TYPE_PATTERN, maxLength: 255 }), {
        minItems: 1,
        maxItems: MAX_INPUT_MEDIA_TYPES,
        uniqueItems: true,
      }),
    ),
    /** How independent runs must agree (`@souk/protocol`'s `tolerance.ts`); absent: `exact`. */
    verification: Type.Optional(
      Type.Union([
        Type.Object({ class: Type.Literal('exact') }, { additionalProperties: false }),
        Type.Object(
          {
            class: Type.Literal('tolerance'),
            /** Absolute tolerance, ≥ 0. */
            atol: Type.Number({ minimum: 0 }),
            /** Relative tolerance, 0…1. */
            rtol: Type.Number({ minimum: 0, maximum: 1 }),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
  },
  { additionalProperties: false },
);

/** Licence terms a buyer accepts. */
export const LicenseSchema = Type.Object(
  {
    /** The terms: an SPDX id, a URL, or the text itself. */
    terms: Type.String({ minLength: 1, maxLength: 10_000 }),
    /** List price in wei of `currency` (decimal string, uint256). Absent: not for sale at a fixed price. */
    price: Type.Optional(Type.String({ pattern: UINT256_DECIMAL })),
    /** ERC-20 token the price is in. Absent: the chain's native currency. */
    currency: Type.Optional(Type.String({ pattern: ADDRESS })),
    /** Licence duration, in seconds. Absent: perpetual. */
    durationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    /**
     * Lineage royalty this asset claims of every model trained from it (a recipe) or on it (a dataset): basis points
     * of the derived model's creator earnings, paid on-chain by its RoyaltySplit (docs/training.md). Absent: none.
     */
    derivedRoyaltyBps: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DERIVED_ROYALTY_BPS })),
  },
  { additionalProperties: false },
);

/** Encryption of the stored content (see `crypto.ts`). */
export const EncryptionSchema = Type.Object(
  {
    /** Always `AES-256-GCM-STREAM`. */
    algorithm: Type.Literal(ENCRYPTION_ALGORITHM),
    /** Plaintext bytes per chunk. */
    chunkSize: Type.Integer({ minimum: 1, maximum: MAX_CHUNK_SIZE }),
    /** Stream format version (the header byte), 1. */
    version: Type.Literal(1),
  },
  { additionalProperties: false },
);

/** The asset's content. */
export const ContentSchema = Type.Object(
  {
    /** CIDv1 (base32) of the UnixFS file holding the ciphertext (or the plaintext when `encryption` is null). */
    cid: Type.String({ pattern: CIDV1_BASE32 }),
    /** Plaintext size, in bytes. */
    size: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    /** SHA-256 of the plaintext, 64 lower-case hex digits. */
    sha256: Type.String({ pattern: SHA256_HEX }),
    /** How the content is encrypted; `null` for a public asset stored in clear. */
    encryption: Type.Union([EncryptionSchema, Type.Null()]),
  },
  { additionalProperties: false },
);

/** The Souk asset manifest, version 1 (TypeBox / JSON Schema). */
/**
 * Where a trained model's weights came from (docs/training.md): written by the node from its record of the training
 * order (`orders/lineage.ts`), never taken from the publisher.
 */
export const LineageSchema = Type.Object(
  {
    /** EIP-712 hash of the training order. */
    trainingOrder: Type.String({ pattern: '^0x[0-9a-f]{64}$' }),
    /** The training-recipe asset and version the order named. */
    recipe: Type.Object(
      { assetId: Type.String({ pattern: UINT256_DECIMAL }), version: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
    /**
     * The datasets trained on: by SHA-256 of their bytes (the order's input hash for an inline dataset), and, for a
     * licensed dataset asset the order referenced (compute-to-data), its asset id and content SHA-256.
     */
    datasets: Type.Array(
      Type.Object(
        {
          sha256: Type.String({ pattern: SHA256_HEX }),
          assetId: Type.Optional(Type.String({ pattern: UINT256_DECIMAL })),
        },
        { additionalProperties: false },
      ),
      {
        minItems: 1,
        maxItems: 16,
      },
    ),
    /** SHA-256 of the trained weights the providers agreed on. */
    weightsHash: Type.String({ pattern: '^0x[0-9a-f]{64}$' }),
    template: Type.Object(
      {
        kind: Type.Literal('mlp'),
        hidden: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 16 }),
      },
      { additionalProperties: false },
    ),
    hyperparameters: Type.Object(
      {
        epochs: Type.Integer({ minimum: 1 }),
        batchSize: Type.Integer({ minimum: 1 }),
        learningRate: Type.Number({ exclusiveMinimum: 0 }),
        seed: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    /** Providers whose signed attestations verified the training (lower-case addresses). */
    providers: Type.Array(Type.String({ pattern: ADDRESS }), { minItems: 1, maxItems: 16 }),
    /**
     * Lineage royalties (`@souk/protocol`'s `LineageRoyalty`): who is paid what share of the model's creator
     * earnings, as the recipe and the datasets declared (`license.derivedRoyaltyBps`). The model is minted through
     * `LineageRoyalties.mintDerived` with exactly these accounts and shares; absent or empty: minted plainly.
     */
    royalties: Type.Optional(
      Type.Array(
        Type.Object(
          {
            account: Type.String({ pattern: '^0x[0-9a-f]{40}$' }),
            bps: Type.Integer({ minimum: 1, maximum: MAX_LINEAGE_BPS }),
            assetId: Type.String({ pattern: UINT256_DECIMAL }),
            role: Type.Union([Type.Literal('recipe'), Type.Literal('dataset')]),
          },
          { additionalProperties: false },
        ),
        { maxItems: MAX_LINEAGE_RECIPIENTS },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ManifestSchema = Type.Object(
  {
    /** Manifest format version: 1. */
    souk: Type.Literal(MANIFEST_VERSION),
    /** Display name. */
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** What the asset is. */
    kind: Type.Union([Type.Literal('model'), Type.Literal('agent'), Type.Literal('dataset')]),
    /** Short plain-text description. */
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    /** How to run it (models and agents). */
    runtime: Type.Optional(RuntimeSchema),
    /** Input tensors. */
    inputs: Type.Optional(Type.Array(TensorSpecSchema, { maxItems: 256 })),
    /** Output tensors. */
    outputs: Type.Optional(Type.Array(TensorSpecSchema, { maxItems: 256 })),
    /** Model card, Markdown (CommonMark). */
    modelCard: Type.Optional(Type.String({ maxLength: 262_144 })),
    /** Licence terms. */
    license: LicenseSchema,
    /** ERC-2981 royalty on resales, in basis points (0 … 1000). */
    royaltyBps: Type.Integer({ minimum: 0, maximum: MAX_ROYALTY_BPS }),
    /** The content. */
    content: ContentSchema,
    /** A model trained through the market: where its weights came from ({@link LineageSchema}). */
    lineage: Type.Optional(LineageSchema),
    /** Creation time, ISO 8601 in UTC (`2025-01-31T12:00:00.000Z`, as `Date.prototype.toISOString`). */
    createdAt: Type.String({ pattern: ISO_8601_UTC }),
  },
  { additionalProperties: false },
);

/** A Souk asset manifest, version 1. */
export type Manifest = Static<typeof ManifestSchema>;
/** A tensor of `inputs` / `outputs`. */
export type TensorSpec = Static<typeof TensorSpecSchema>;
/** `manifest.content.encryption` when the content is encrypted. */
export type ManifestEncryption = Static<typeof EncryptionSchema>;

/**
 * Checks a value against the manifest schema and the rules JSON Schema cannot say (a real date, a parsable CID).
 *
 * @param value Any value, e.g. from `JSON.parse`.
 * @returns The value, typed.
 * @throws {ManifestValidationError} with the first problem and its JSON Pointer path.
 * @example
 * ```ts
 * import { validateManifest } from './manifest.ts'
 * const manifest = validateManifest(request.body)
 * ```
 */
export function validateManifest(value: unknown): Manifest {
  const first = Value.Errors(ManifestSchema, value).First();
  if (first) throw new ManifestValidationError({ reason: first.message, path: first.path || '/' });
  const manifest = value as Manifest;
  if (!isRealUtcDate(manifest.createdAt))
    throw new ManifestValidationError({ reason: 'not a calendar date and time', path: '/createdAt' });
  try {
    const cid = CID.parse(manifest.content.cid);
    if (cid.version !== 1) throw new Error('not CIDv1');
  } catch {
    throw new ManifestValidationError({ reason: 'not a CIDv1', path: '/content/cid' });
  }
  return manifest;
}

/**
 * Encodes a manifest as canonical JSON (RFC 8785: keys sorted, no whitespace), UTF-8: the bytes to `putRaw`.
 *
 * @param manifest The manifest; validated first.
 * @returns The UTF-8 bytes.
 * @throws {ManifestValidationError} when the manifest is invalid or encodes to more than 1 MiB.
 * @example
 * ```ts
 * import { encodeManifest } from './manifest.ts'
 * const manifestCid = await store.putRaw(encodeManifest(manifest)) // 'bafkrei…'
 * ```
 */
export function encodeManifest(manifest: Manifest): Uint8Array {
  validateManifest(manifest);
  const bytes = new TextEncoder().encode(canonicalJson(manifest));
  if (bytes.length > MAX_MANIFEST_SIZE)
    throw new ManifestValidationError({ reason: `${bytes.length} bytes, more than ${MAX_MANIFEST_SIZE}` });
  return bytes;
}

/**
 * Decodes and validates a manifest. Accepts any JSON layout (not only canonical).
 *
 * @param input UTF-8 bytes (as from `getRaw`) or a string.
 * @returns The manifest.
 * @throws {ManifestValidationError} on invalid UTF-8 or JSON, more than 1 MiB, or a schema violation (reason and
 * JSON Pointer path in `details`).
 * @example
 * ```ts
 * import { decodeManifest } from './manifest.ts'
 * const manifest = decodeManifest(await store.getRaw(manifestCid))
 * ```
 */
export function decodeManifest(input: Uint8Array | string): Manifest {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > MAX_MANIFEST_SIZE)
    throw new ManifestValidationError({ reason: `${size} bytes, more than ${MAX_MANIFEST_SIZE}` });
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new ManifestValidationError({ reason: 'not valid UTF-8' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ManifestValidationError({ reason: `not JSON (${(err as Error).message})` });
  }
  return validateManifest(value);
}

/**
 * Serialises a JSON value canonically: object keys sorted by UTF-16 code units, no whitespace, `undefined` members
 * dropped (RFC 8785 for strings, integers, booleans and `null`).
 *
 * @param value A JSON-compatible value (no non-integer numbers, which RFC 8785 formats differently).
 * @returns The canonical JSON text.
 * @example
 * ```ts
 * import { canonicalJson } from './manifest.ts'
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

function isRealUtcDate(text: string): boolean {
  const time = Date.parse(text);
  if (Number.isNaN(time)) return false;
  // Date.parse rolls 2025-02-30 over to March: a real date survives the round trip.
  return new Date(time).toISOString().slice(0, 19) === text.slice(0, 19);
}
