/**
 * The asset contract: every property the schema lists is required (so the derived `Asset` type and what the node's
 * serialiser emits agree), and the derived type is exactly the shape the SDK used to hand-copy (checked by tsc: a
 * difference makes `Equal` false and the assignment below a type error).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Asset, type AssetDetail, assetDetailSchema, assetSchema } from './assets.ts';
import type { FromSchema } from './jsonSchema.ts';

/** The same type written as one object literal (an intersection is not `Equal` to its flattened form). */
type Flat<T> = { [K in keyof T]: T[K] };
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

type Expected = {
  id: string;
  kind: 'model' | 'agent' | 'dataset';
  name: string | null;
  description: string | null;
  creator: string;
  owner: string;
  royaltyBps: number;
  manifestUri: string;
  manifestCid: string | null;
  contentCid: string | null;
  versionCount: number;
  priceWei: string | null;
  currency: string | null;
  licence: { currency: string | null; priceWei: string | null; durationSeconds: string | null; active: boolean } | null;
  createdBlock: number;
  createdAt: string;
  updatedBlock: number;
};

describe('assetSchema', () => {
  test('requires every property it lists, at each level', () => {
    assert.deepEqual([...assetSchema.required].sort(), Object.keys(assetSchema.properties).sort());
    const licence = assetSchema.properties.licence;
    assert.deepEqual([...licence.required].sort(), Object.keys(licence.properties).sort());
  });

  test('derives the Asset type field for field', () => {
    const same: Equal<Asset, Expected> = true;
    assert.equal(same, true);
  });
});

describe('assetDetailSchema', () => {
  test('is an asset plus versions and listing, every property required', () => {
    assert.deepEqual([...assetDetailSchema.required].sort(), Object.keys(assetDetailSchema.properties).sort());
    const { versions, listing } = assetDetailSchema.properties;
    assert.deepEqual([...versions.items.required].sort(), Object.keys(versions.items.properties).sort());
    assert.deepEqual([...listing.required].sort(), Object.keys(listing.properties).sort());
    const same: Equal<
      AssetDetail,
      Flat<
        Expected & {
          versions: { version: number; uri: string; blockNumber: number; transactionHash: string; createdAt: string }[];
          listing: { seller: string; currency: string; priceWei: string; active: boolean } | null;
        }
      >
    > = true;
    assert.equal(same, true);
  });
});

describe('FromSchema', () => {
  test('optional when not required, unions for type lists and anyOf, arrays from items', () => {
    const schema = {
      type: 'object',
      required: ['a'],
      properties: {
        a: { type: 'array', items: { type: 'integer' } },
        b: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        c: { type: ['boolean', 'null'] },
        d: { type: 'string', enum: ['x', 'y'] },
      },
    } as const;
    const same: Equal<
      FromSchema<typeof schema>,
      { a: number[]; b?: string | null | undefined; c?: boolean | null | undefined; d?: 'x' | 'y' | undefined }
    > = true;
    assert.equal(same, true);
  });
});
