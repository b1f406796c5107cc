/**
 * The EIP-712 access request a licence holder signs to download: its fields, its single-use nonce and expiry, and
 * a signature that recovers (viem) to the consumer under the "Souk Gateway" domain — and the headers
 * `downloadAsset` sends.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { accessRequestTypes } from '@souk/protocol';
import { type Hex, recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createSoukClient } from '../../clients/createSoukClient.ts';
import { startFakeNode } from '../../testing/fakeNode.ts';
import { downloadAsset, signAccessRequest } from './downloadAsset.ts';

const account = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const licenses: Hex = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const chainId = 31337;
type Decoded = { consumer: string; assetId: string; nonce: Hex; expiry: number; signature: Hex };
const decode = (header: string) => JSON.parse(Buffer.from(header, 'base64url').toString()) as Decoded;
const recover = (d: Decoded, domain = { name: 'Souk Gateway', version: '1', chainId, verifyingContract: licenses }) =>
  recoverTypedDataAddress({
    domain,
    types: accessRequestTypes,
    primaryType: 'AccessRequest',
    message: { consumer: d.consumer as Hex, assetId: BigInt(d.assetId), nonce: d.nonce, expiry: BigInt(d.expiry) },
    signature: d.signature,
  });

describe('signAccessRequest (EIP-712)', () => {
  test('encodes consumer, asset id, a 32-byte nonce and the expiry; the signature recovers to the consumer', async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = await signAccessRequest({ assetId: 2n ** 70n, account, chainId, licenses, ttlSeconds: 60 });
    assert.match(header, /^[A-Za-z0-9_-]+$/); // base64url, no padding
    const d = decode(header);
    assert.equal(d.consumer, account.address);
    assert.equal(d.assetId, (2n ** 70n).toString());
    assert.match(d.nonce, /^0x[0-9a-f]{64}$/);
    assert.ok(d.expiry >= now + 60 && d.expiry <= now + 61, `expiry ${d.expiry - now} s ahead`);
    assert.equal(await recover(d), account.address);
  });

  test('the signature binds every field and the domain: any change recovers another address', async () => {
    const d = decode(await signAccessRequest({ assetId: 7n, account, chainId, licenses }));
    assert.notEqual(await recover({ ...d, assetId: '8' }), account.address);
    assert.notEqual(await recover({ ...d, expiry: d.expiry + 1 }), account.address);
    assert.notEqual(await recover({ ...d, nonce: `0x${'00'.repeat(32)}` }), account.address);
    assert.notEqual(
      await recover(d, { name: 'Souk Gateway', version: '1', chainId: 1, verifyingContract: licenses }),
      account.address,
    );
    assert.notEqual(
      await recover(d, {
        name: 'Souk Gateway',
        version: '1',
        chainId,
        verifyingContract: '0x0000000000000000000000000000000000000001',
      }),
      account.address,
    );
  });

  test('every request has a fresh nonce (single use)', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++)
      nonces.add(decode(await signAccessRequest({ assetId: 1n, account, chainId, licenses })).nonce);
    assert.equal(nonces.size, 5);
  });
});

describe('downloadAsset', () => {
  const nodes: Array<{ close: () => Promise<void> }> = [];
  after(() => Promise.all(nodes.map((n) => n.close())));

  test('sends a freshly signed X-Souk-Access and a byte range, and streams the answer', async () => {
    const fake = await startFakeNode(() => ({
      status: 206,
      headers: { 'content-type': 'application/octet-stream' },
      body: 'abc',
    }));
    nodes.push(fake);
    const response = await downloadAsset(createSoukClient({ url: fake.url }), {
      assetId: 5n,
      account,
      chainId,
      licenses,
      range: { start: 10, end: 12 },
    });
    assert.equal(await response.text(), 'abc');
    const [req] = fake.received;
    assert.equal(req.path, '/api/v1/assets/5/content');
    assert.equal(req.headers.range, 'bytes=10-12');
    const d = decode(String(req.headers['x-souk-access']));
    assert.equal(d.assetId, '5');
    assert.equal(await recover(d), account.address);
  });

  test('refuses to sign without the chain id and Licenses address, before any request', async () => {
    const fake = await startFakeNode(() => ({ body: {} }));
    nodes.push(fake);
    await assert.rejects(
      downloadAsset(createSoukClient({ url: fake.url }), { assetId: 5n, account }),
      /chainId and licenses/,
    );
    assert.equal(fake.received.length, 0);
  });
});
