/**
 * Sign-in and sessions against a real node (embedded devnet, PGlite): the SIWE fields the node checks (EIP-4361
 * §verification) against its configured public origin — never the request's Host — and refresh-token families.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { createSoukClient, getProfile, refreshSession, type SoukApiError, signIn } from '@souk/sdk';
import type { LocalAccount } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import { ConfigError, loadConfig } from '../../config.ts';
import { type RunningNode, startNode } from '../../server.ts';

type Problem = { status: number; detail: string; code: string };

let node: RunningNode;
let dataDir: string;
const account = (i: number): LocalAccount => node.services.chain.devAccounts[i].account;

/** A raw HTTP request, so the test controls the Host header (what a relaying phishing proxy sends). */
function send(
  method: string,
  pathname: string,
  { host, body }: { host?: string; body?: unknown } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const target = new URL(pathname, node.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method,
        headers: {
          ...(host ? { host } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

type Challenge = { nonce: string; domain: string; uri: string; chainId: number; statement: string };
const challenge = async (host?: string) => (await send('POST', '/api/v1/auth/nonce', { host })).json as Challenge;

/** Signs a SIWE message built from a fresh challenge with `fields` overridden, and logs in with it. */
async function login(
  fields: Partial<Parameters<typeof createSiweMessage>[0]> = {},
  {
    host,
    edit = (m: string) => m,
    signer = account(2),
  }: { host?: string; edit?: (m: string) => string; signer?: LocalAccount } = {},
) {
  const c = await challenge(host);
  const message = edit(
    createSiweMessage({
      address: signer.address,
      chainId: c.chainId,
      domain: c.domain,
      nonce: c.nonce,
      uri: c.uri,
      version: '1',
      statement: c.statement,
      issuedAt: new Date(),
      ...fields,
    }),
  );
  const signature = await signer.signMessage({ message });
  return send('POST', '/api/v1/auth/login', { host, body: { message, signature } });
}

const refused = (response: { status: number; json: Record<string, unknown> }, detail: RegExp) => {
  assert.equal(response.status, 401, JSON.stringify(response.json));
  const problem = response.json as unknown as Problem;
  assert.equal(problem.code, 'SOUK_ERR_UNAUTHORIZED');
  assert.match(problem.detail, detail);
};

describe('sign-in (SIWE) and sessions', () => {
  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-auth-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_SAMPLE_MODEL: '0' },
    );
    node = await startNode(config, { logger: false });
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the nonce response advertises the listen origin as domain and uri, whatever the Host header', async () => {
    const own = new URL(node.url);
    for (const host of [undefined, 'evil.example', 'evil.example:8080']) {
      const c = await challenge(host);
      assert.equal(c.domain, own.host, `Host: ${host}`);
      assert.equal(c.uri, own.origin);
      assert.equal(c.chainId, 31337);
    }
    assert.equal((await login()).status, 200, 'a message built from the challenge signs in');
  });

  test('regression: a sign-in relayed by a phishing site (its Host, its domain) is refused: the domain comes from configuration', async () => {
    // The phishing site proxies to the node with its own Host and shows the wallet a message for its own domain.
    const relayed = await login({ domain: 'evil.example', uri: 'https://evil.example' }, { host: 'evil.example' });
    refused(relayed, /^SIWE domain: "evil.example" is not this node's "127\.0\.0\.1:\d+"/);
  });

  test("regression: a message whose uri is not on the node's origin is refused, naming the uri", async () => {
    refused(await login({ uri: 'https://evil.example/login' }), /^SIWE uri: "https:\/\/evil.example\/login"/);
    const own = new URL(node.url);
    refused(await login({ uri: `https://${own.host}/` }), /^SIWE uri:/); // right host, wrong scheme
    assert.equal((await login({ uri: `${own.origin}/some/page` })).status, 200, 'any page of the origin is fine');
  });

  test('each EIP-4361 field is checked and named: scheme, chain id, issued-at, expiration-time, not-before', async () => {
    refused(await login({ scheme: 'https' }), /^SIWE scheme: "https" is not this node's "http"/);
    refused(await login({ chainId: 1 }), /^SIWE chain-id: 1 is not this node's chain 31337/);
    refused(await login({ issuedAt: new Date(Date.now() + 10 * 60_000) }), /^SIWE issued-at: is in the future/);
    refused(await login({ issuedAt: new Date(Date.now() - 60 * 60_000) }), /^SIWE issued-at: is older than/);
    refused(
      await login({}, { edit: (m) => m.replace(/Issued At: [^\n]+/, 'Issued At: yesterday') }),
      /^SIWE issued-at: missing or not an RFC 3339 time/,
    );
    refused(await login({ expirationTime: new Date(Date.now() - 1000) }), /^SIWE expiration-time: message has expired/);
    refused(await login({ notBefore: new Date(Date.now() + 60_000) }), /^SIWE not-before: message is not valid yet/);
    // A good message whose signature is someone else's.
    const c = await challenge();
    const message = createSiweMessage({ ...c, address: account(2).address, version: '1', issuedAt: new Date() });
    refused(
      await send('POST', '/api/v1/auth/login', {
        body: { message, signature: await account(3).signMessage({ message }) },
      }),
      /^SIWE signature:/,
    );
    // A nonce the node never issued.
    refused(await login({ nonce: 'abcdefgh12345678' }), /^SIWE nonce: unknown, expired or already used/);
  });

  test('with a public URL configured, the node advertises and accepts only that origin (and the SDK follows it)', async () => {
    const { config } = node.services;
    const previous = config.publicUrl;
    config.publicUrl = 'https://souk.example';
    try {
      const c = await challenge();
      assert.deepEqual([c.domain, c.uri], ['souk.example', 'https://souk.example']);
      const client = createSoukClient({ url: node.url });
      await signIn(client, { account: account(4) });
      assert.equal((await getProfile(client)).address, account(4).address.toLowerCase());
      const own = new URL(node.url);
      refused(
        await login({ domain: own.host, uri: own.origin }),
        /^SIWE domain: "127\.0\.0\.1:\d+" is not this node's "souk.example"/,
      );
    } finally {
      config.publicUrl = previous;
    }
  });

  test('regression: reusing a rotated refresh token revokes every refresh token of its sign-in (token family)', async () => {
    const client = createSoukClient({ url: node.url });
    const first = await signIn(client, { account: account(5) });
    const other = await signIn(createSoukClient({ url: node.url }), { account: account(5) }); // another sign-in
    const second = await refreshSession(client, { refreshToken: first.refreshToken });
    const third = await refreshSession(client, { refreshToken: second.refreshToken });
    // An attacker replays the first (already rotated) token: refused, and the family ends.
    await assert.rejects(
      refreshSession(client, { refreshToken: first.refreshToken }),
      (e: SoukApiError) =>
        e.status === 401 && /already used: every token of this sign-in is now revoked/.test(e.problem.detail),
    );
    // The newest token of that family, which the thief may hold, no longer works either.
    await assert.rejects(
      refreshSession(client, { refreshToken: third.refreshToken }),
      (e: SoukApiError) => e.status === 401,
    );
    // The account's other sign-in is another family and keeps working.
    const still = await refreshSession(createSoukClient({ url: node.url }), { refreshToken: other.refreshToken });
    assert.ok(still.refreshToken.startsWith('souk_rt_'));
    await assert.rejects(
      refreshSession(client, { refreshToken: 'souk_rt_never-issued-token' }),
      (e: SoukApiError) => e.status === 401 && /unknown or expired/.test(e.problem.detail),
    );
  });
});

describe('loadConfig: public URL and access token lifetime', () => {
  test('SOUK_PUBLIC_URL / --public-url must be an http(s) origin; the flag wins', () => {
    assert.equal(loadConfig({}, { SOUK_PUBLIC_URL: 'https://souk.example/' }).publicUrl, 'https://souk.example');
    assert.equal(loadConfig({}, { SOUK_PUBLIC_URL: 'http://localhost:3000' }).publicUrl, 'http://localhost:3000');
    assert.equal(
      loadConfig({ 'public-url': 'https://a.example' }, { SOUK_PUBLIC_URL: 'https://b.example' }).publicUrl,
      'https://a.example',
    );
    assert.equal(loadConfig({}, {}).publicUrl, undefined);
    for (const bad of ['ftp://souk.example', 'souk.example', 'https://souk.example/app', 'https://u:p@souk.example']) {
      assert.throws(() => loadConfig({}, { SOUK_PUBLIC_URL: bad }), ConfigError, bad);
    }
  });

  test('SOUK_ACCESS_TOKEN_TTL_SECONDS defaults to 900 and is bounded to 60…86400', () => {
    assert.equal(loadConfig({}, {}).accessTokenTtlSeconds, 900);
    assert.equal(loadConfig({}, { SOUK_ACCESS_TOKEN_TTL_SECONDS: '300' }).accessTokenTtlSeconds, 300);
    for (const bad of ['0', '59', '86401', 'soon']) {
      assert.throws(() => loadConfig({}, { SOUK_ACCESS_TOKEN_TTL_SECONDS: bad }), ConfigError);
    }
  });
});
