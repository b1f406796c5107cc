/**
 * The provider's hash check on what the node's order gateway serves: a fake node API (a real HTTP server) serves
 * the order's model bundle and input; bytes whose SHA-256 differs from the manifest's (model) or the order's signed
 * input hash are refused with the reason, never returned.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { JOB_ACCESS_HEADER, jobAccessDomain, jobAccessTypes, type SignedJobAccess } from '@souk/protocol';
import { type Address, type Hex, verifyTypedData } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { NodeRequestError } from '../errors.ts';
import { downloadOrderContent } from './orders.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('downloadOrderContent against a node that serves the wrong bytes', () => {
  const account = privateKeyToAccount(generatePrivateKey());
  const chainId = 31337;
  const computeEscrow = '0x5FC8d32690cc91D4c39d9d3abcBD16989F875707' as Address;
  const ORDER = `0x${'07'.padStart(64, '0')}` as Hex;
  const REFUSED = `0x${'403'.padStart(64, '0')}` as Hex;
  const download = (orderHash: Hex, part: 'model' | 'input', expected: string) =>
    downloadOrderContent(account, chainId, computeEscrow, url, orderHash, part, expected);
  const model = new TextEncoder().encode('the model bundle the manifest describes');
  const input = new TextEncoder().encode('the input the requester escrowed');
  /** What the fake node serves per part, and the job access headers it received. */
  const served: Record<string, Uint8Array> = {};
  const accesses: string[] = [];
  let server: Server;
  let url: string;

  before(async () => {
    server = createServer((request, response) => {
      const match = /^\/api\/v1\/orders\/(0x[0-9a-f]{64})\/(model|input)$/.exec(request.url ?? '');
      accesses.push(String(request.headers[JOB_ACCESS_HEADER] ?? ''));
      if (!match) {
        response.writeHead(404, { 'content-type': 'application/problem+json' });
        return response.end(JSON.stringify({ status: 404, detail: 'no such route' }));
      }
      if (match[1] === REFUSED) {
        response.writeHead(403, { 'content-type': 'application/problem+json' });
        return response.end(JSON.stringify({ status: 403, detail: 'you hold no slot of this order' }));
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(Buffer.from(served[match[2]]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('returns the bytes when their SHA-256 matches, with a signed job access', async () => {
    served.model = model;
    served.input = input;
    assert.deepEqual(await download(ORDER, 'model', sha256(model)), model);
    assert.deepEqual(await download(ORDER, 'input', `0x${sha256(input)}`), input);
    const access = JSON.parse(Buffer.from(accesses.at(-1) as string, 'base64url').toString()) as SignedJobAccess;
    assert.equal(access.jobId, '7', 'the job id is the order hash as a uint256');
    const { signature, ...message } = access;
    assert.ok(
      await verifyTypedData({
        address: account.address,
        domain: jobAccessDomain(chainId, computeEscrow),
        types: jobAccessTypes,
        primaryType: 'JobAccess',
        message: { ...message, jobId: BigInt(message.jobId), expiry: BigInt(message.expiry) },
        signature,
      }),
      'the access is signed by the provider',
    );
  });

  test('refuses a model bundle whose hash differs from the manifest, saying which hashes', async () => {
    const tampered = new Uint8Array(model);
    tampered[0] ^= 1;
    served.model = tampered;
    await assert.rejects(download(ORDER, 'model', sha256(model)), (error: unknown) => {
      assert.ok(error instanceof NodeRequestError);
      assert.match(error.message, /The model of order 0x0+7 does not match its hash/);
      assert.match(error.message, new RegExp(`expected ${sha256(model)}, got ${sha256(tampered)}`));
      return true;
    });
  });

  test('refuses an input whose hash differs from the order’s input hash', async () => {
    served.input = new TextEncoder().encode('another input');
    await assert.rejects(
      download(ORDER, 'input', `0x${sha256(input)}`),
      /The input of order 0x0+7 does not match its hash/,
    );
  });

  test('a refusing node is reported with its problem detail', async () => {
    await assert.rejects(
      download(REFUSED, 'input', sha256(input)),
      (error: unknown) =>
        error instanceof NodeRequestError && /403: you hold no slot of this order/.test(error.message),
    );
  });
});
