/**
 * Sign-in with Ethereum against a local HTTP server: the EIP-4361 message the SDK signs carries the node's
 * challenge, and its signature recovers (viem) to the signing account.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type Hex, recoverMessageAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import { createSoukClient } from '../../clients/createSoukClient.ts';
import { SoukApiError } from '../../errors/base.ts';
import { problem, startFakeNode } from '../../testing/fakeNode.ts';
import { signIn } from './signIn.ts';

// Anvil's well-known first dev key (a test key, never a secret).
const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const other = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const challenge = {
  nonce: 'k3Jd9s0QmZp2Lx7V',
  domain: 'node.souk.test',
  uri: 'http://node.souk.test',
  chainId: 31337,
  statement: 'Sign in to Souk.',
};
const tokens = {
  address: account.address,
  accessToken: 'access-1',
  accessTokenExpiresIn: 900,
  refreshToken: 'refresh-1',
  refreshTokenExpiresIn: 2_592_000,
};

const nodes: Array<{ close: () => Promise<void> }> = [];
after(() => Promise.all(nodes.map((n) => n.close())));

async function node(
  login: (body: { message: string; signature: Hex }) => ReturnType<typeof problem> | undefined = () => undefined,
) {
  const fake = await startFakeNode((req) => {
    if (req.method === 'POST' && req.path === '/api/v1/auth/nonce') return { body: challenge };
    if (req.method === 'POST' && (req.path === '/api/v1/auth/login' || req.path === '/api/v1/auth/register')) {
      return login(JSON.parse(req.body.toString())) ?? { body: tokens };
    }
    return undefined;
  });
  nodes.push(fake);
  return fake;
}

describe('signIn (EIP-4361)', () => {
  test('signs the node’s challenge; the signature recovers to the account; the access token is stored', async () => {
    const fake = await node();
    const client = createSoukClient({ url: fake.url });
    const before = Date.now();
    assert.deepEqual(await signIn(client, { account, ttlSeconds: 120 }), tokens);
    assert.equal(client.accessToken, 'access-1');
    const login = fake.received.find((r) => r.path === '/api/v1/auth/login');
    assert.ok(login);
    const { message, signature } = JSON.parse(login.body.toString()) as { message: string; signature: Hex };
    assert.equal(await recoverMessageAddress({ message, signature }), account.address);
    assert.notEqual(await recoverMessageAddress({ message: `${message} `, signature }), account.address);
    const parsed = parseSiweMessage(message);
    assert.equal(parsed.address, account.address);
    assert.equal(parsed.domain, challenge.domain);
    assert.equal(parsed.uri, challenge.uri);
    assert.equal(parsed.nonce, challenge.nonce);
    assert.equal(parsed.chainId, challenge.chainId);
    assert.equal(parsed.statement, challenge.statement);
    assert.equal(parsed.version, '1');
    const ttl = (parsed.expirationTime as Date).getTime() - (parsed.issuedAt as Date).getTime();
    assert.ok(Math.abs(ttl - 120_000) < 1_000, `ttl ${ttl} ms`);
    assert.ok((parsed.issuedAt as Date).getTime() >= before - 1_000);
    // What the node checks: its domain and nonce, and the time window.
    assert.ok(
      validateSiweMessage({
        message: parsed,
        domain: challenge.domain,
        nonce: challenge.nonce,
        address: account.address,
      }),
    );
    assert.equal(validateSiweMessage({ message: parsed, address: other.address }), false);
  });

  test('with a profile it registers (POST /auth/register) and sends the profile fields beside the signature', async () => {
    const fake = await node();
    await signIn(createSoukClient({ url: fake.url }), {
      account,
      profile: { username: 'ada', email: 'ada@example.org' },
    });
    const register = fake.received.find((r) => r.path === '/api/v1/auth/register');
    assert.ok(register);
    const body = JSON.parse(register.body.toString());
    assert.equal(body.username, 'ada');
    assert.equal(body.email, 'ada@example.org');
    assert.equal(await recoverMessageAddress({ message: body.message, signature: body.signature }), account.address);
    assert.equal(
      fake.received.some((r) => r.path === '/api/v1/auth/login'),
      false,
    );
  });

  test('a rejected signature is a SoukApiError 401 and leaves the client signed out', async () => {
    const fake = await node(() =>
      problem(401, 'Unauthorized', 'SOUK_ERR_SIWE_INVALID', 'The signature does not match the address.'),
    );
    const client = createSoukClient({ url: fake.url });
    await assert.rejects(signIn(client, { account }), (err: unknown) => {
      assert.ok(err instanceof SoukApiError);
      assert.equal(err.status, 401);
      assert.equal(err.problem.code, 'SOUK_ERR_SIWE_INVALID');
      assert.equal(err.details, 'The signature does not match the address.');
      return true;
    });
    assert.equal(client.accessToken, undefined);
  });
});
