/**
 * `verifyAccessRequest` on its own: an injected clock and a publicClient whose `verifyTypedData` is viem's real
 * (local, EOA) verifier and whose `readContract` answers `Licenses.hasAccess` from a table. Every refusal is
 * checked for its status and its reason.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  accessRequestDomain,
  accessRequestTypes,
  MAX_ACCESS_REQUEST_TTL,
  type SignedAccessRequest,
} from '@souk/protocol';
import { type Address, type Hex, type PublicClient, toHex, verifyTypedData } from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { AccessDeniedError, decodeAccessRequest, redactAccessQuery, verifyAccessRequest } from './accessRequest.ts';

const CHAIN_ID = 31337;
const LICENSES = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address;
const COMPUTE_MARKET = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' as Address;
const NOW = 1_800_000_000;
const ASSET = 7n;

const consumer = privateKeyToAccount(generatePrivateKey());
const stranger = privateKeyToAccount(generatePrivateKey());

/** A publicClient with viem's real typed-data verifier and a `hasAccess` answered from `holders`. */
function fakePublicClient(holders: Set<string>): PublicClient {
  return {
    verifyTypedData: (parameters: Parameters<typeof verifyTypedData>[0]) => verifyTypedData(parameters),
    readContract: async ({ functionName, args }: { functionName: string; args: [Address, bigint] }) => {
      assert.equal(functionName, 'hasAccess');
      return holders.has(`${args[0].toLowerCase()}:${args[1]}`);
    },
  } as unknown as PublicClient;
}

async function sign({
  signer = consumer,
  as = consumer.address,
  assetId = ASSET,
  expiry = NOW + 300,
  nonce = toHex(crypto.getRandomValues(new Uint8Array(32))),
  chainId = CHAIN_ID,
  verifyingContract = LICENSES,
}: {
  signer?: PrivateKeyAccount;
  as?: Address;
  assetId?: bigint;
  expiry?: number;
  nonce?: Hex;
  chainId?: number;
  verifyingContract?: Address;
} = {}): Promise<SignedAccessRequest> {
  const signature = await signer.signTypedData({
    domain: accessRequestDomain(chainId, verifyingContract),
    types: accessRequestTypes,
    primaryType: 'AccessRequest',
    message: { consumer: as, assetId, nonce, expiry: BigInt(expiry) },
  });
  return { consumer: as, assetId: String(assetId), nonce, expiry, signature };
}

/** The single-use store the route uses, in memory: a set of the nonce strings it was given. */
function nonceStore() {
  const used = new Set<string>();
  const seen: Hex[] = [];
  return {
    seen,
    consumeNonce: async (nonce: Hex) => {
      seen.push(nonce);
      if (used.has(nonce)) return false;
      used.add(nonce);
      return true;
    },
  };
}

function verify(
  request: SignedAccessRequest,
  store = nonceStore(),
  holders = new Set([`${consumer.address.toLowerCase()}:${ASSET}`]),
) {
  return verifyAccessRequest({
    request,
    assetId: ASSET,
    publicClient: fakePublicClient(holders),
    chainId: CHAIN_ID,
    licenses: LICENSES,
    consumeNonce: store.consumeNonce,
    now: NOW,
  });
}

const refused = (status: 401 | 403, reason: RegExp) => (error: unknown) =>
  error instanceof AccessDeniedError && error.status === status && reason.test(error.message);

describe('verifyAccessRequest', () => {
  test('accepts a fresh request of a licence holder and returns the checksummed consumer', async () => {
    assert.equal(await verify(await sign()), consumer.address);
  });

  test('refuses a request signed for another asset (401)', async () => {
    await assert.rejects(verify(await sign({ assetId: ASSET + 1n })), refused(401, /for asset 8, not 7/));
  });

  test('refuses an expired request, and one expiring exactly now (401)', async () => {
    await assert.rejects(verify(await sign({ expiry: NOW - 1 })), refused(401, /expired/));
    await assert.rejects(verify(await sign({ expiry: NOW })), refused(401, /expired/));
  });

  test('refuses a request expiring more than 1 h ahead (401), accepts exactly 1 h', async () => {
    await assert.rejects(
      verify(await sign({ expiry: NOW + MAX_ACCESS_REQUEST_TTL + 1 })),
      refused(401, /more than 3600 s ahead/),
    );
    assert.equal(await verify(await sign({ expiry: NOW + MAX_ACCESS_REQUEST_TTL })), consumer.address);
  });

  test('refuses a request naming the consumer but signed by another key (401), before touching the nonce', async () => {
    const store = nonceStore();
    await assert.rejects(verify(await sign({ signer: stranger }), store), refused(401, /signature/));
    assert.deepEqual(store.seen, [], 'no nonce recorded for a bad signature');
  });

  test("refuses a request signed under another contract's EIP-712 domain or another chain id (401)", async () => {
    await assert.rejects(verify(await sign({ verifyingContract: COMPUTE_MARKET })), refused(401, /signature/));
    await assert.rejects(verify(await sign({ chainId: 1 })), refused(401, /signature/));
  });

  test('refuses a replay of the same request (401)', async () => {
    const store = nonceStore();
    const request = await sign();
    await verify(request, store);
    await assert.rejects(verify(request, store), refused(401, /already used/));
  });

  test('regression: a used request replayed with its nonce upper- or mixed-cased is refused (hex case replay)', async () => {
    const store = nonceStore();
    const request = await sign();
    await verify(request, store);
    const upper = { ...request, nonce: `0x${request.nonce.slice(2).toUpperCase()}` as Hex };
    const mixed = {
      ...request,
      nonce: `0x${[...request.nonce.slice(2)].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('')}` as Hex,
    };
    for (const variant of [upper, mixed]) {
      await assert.rejects(verify(variant, store), refused(401, /already used/));
    }
    // And through the header form, with the consumer lower-cased and the asset id zero-padded as well.
    const header = Buffer.from(
      JSON.stringify({ ...upper, consumer: request.consumer.toLowerCase(), assetId: `000${request.assetId}` }),
    ).toString('base64url');
    await assert.rejects(verify(decodeAccessRequest(header), store), refused(401, /already used/));
    assert.ok(
      store.seen.every((n) => n === request.nonce),
      'the store only ever sees the canonical spelling',
    );
  });

  test('refuses a valid request of an account without a licence (403) after consuming its nonce', async () => {
    const store = nonceStore();
    const request = await sign({ signer: stranger, as: stranger.address });
    await assert.rejects(verify(request, store), refused(403, /holds no valid licence for asset 7/));
    assert.deepEqual(store.seen, [request.nonce]);
  });
});

describe('decodeAccessRequest', () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  test('returns the canonical spelling of every signed field', async () => {
    const request = await sign();
    const decoded = decodeAccessRequest(
      encode({
        ...request,
        consumer: request.consumer.toUpperCase().replace('0X', '0x'),
        assetId: '0007',
        nonce: request.nonce.toUpperCase().replace('0X', '0x'),
        signature: request.signature.toUpperCase().replace('0X', '0x'),
      }),
    );
    assert.deepEqual(decoded, request);
  });

  test('refuses malformed input with 401', () => {
    const bad = [
      'not json',
      encode(null),
      encode([]),
      encode({ consumer: '0x1', assetId: '1', nonce: '0x', expiry: 1, signature: '0x' }),
      encode({
        consumer: consumer.address,
        assetId: '9'.repeat(78),
        nonce: toHex(1, { size: 32 }),
        expiry: 1,
        signature: '0x00',
      }),
      encode({
        consumer: consumer.address,
        assetId: '1',
        nonce: toHex(1, { size: 32 }),
        expiry: -1,
        signature: '0x00',
      }),
      encode({
        consumer: consumer.address,
        assetId: '1',
        nonce: toHex(1, { size: 32 }),
        expiry: 1.5,
        signature: '0x00',
      }),
    ];
    for (const value of bad) {
      assert.throws(() => decodeAccessRequest(value), refused(401, /./));
    }
  });
});

describe('redactAccessQuery', () => {
  test('hides every access query value from request logs and leaves the rest of the URL alone', () => {
    assert.equal(
      redactAccessQuery('/api/v1/assets/1/content?access=eyJjb25zdW1lciI6IjB4In0&range=1'),
      '/api/v1/assets/1/content?access=[Redacted]&range=1',
    );
    assert.equal(redactAccessQuery('/x?a=1&ACCESS=abc#frag'), '/x?a=1&ACCESS=[Redacted]#frag');
    assert.equal(redactAccessQuery('/x?access=a&access=b'), '/x?access=[Redacted]&access=[Redacted]');
    assert.equal(redactAccessQuery('/x?noaccess=1&accessible=2'), '/x?noaccess=1&accessible=2');
  });
});
