/**
 * Access token lifetimes: tokens without `exp`, minted for longer than the maximum, or older than it are refused
 * even though their HS256 signature is good.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_TTL, signAccessToken, TOKEN_ISSUER, verifyAccessToken } from './tokens.ts';

const key = new Uint8Array(randomBytes(32));
const address = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as const;
const NOW = 1_800_000_000;
const at = (seconds: number) => new Date(seconds * 1000);

/** A token signed with the node's key but with claims chosen by the test. */
function forge({ iat, exp, sub = address }: { iat?: number; exp?: number; sub?: string }) {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(TOKEN_ISSUER).setSubject(sub);
  if (iat !== undefined) jwt.setIssuedAt(iat);
  if (exp !== undefined) jwt.setExpirationTime(exp);
  return jwt.sign(key);
}

describe('access tokens', () => {
  test('a token signed by the node verifies and names its account', async () => {
    assert.equal(await verifyAccessToken(key, await signAccessToken(key, address)), address);
    const short = await signAccessToken(key, address, 60);
    assert.equal(await verifyAccessToken(key, short, { maxLifetimeSeconds: 60 }), address);
  });

  test('regression: a validly signed token without exp is refused (no everlasting tokens)', async () => {
    await assert.rejects(verifyAccessToken(key, await forge({ iat: NOW }), { now: at(NOW + 1) }), /"exp" claim/);
  });

  test('regression: a token minted for longer than the configured maximum is refused', async () => {
    const day = await forge({ iat: NOW, exp: NOW + 24 * 3600 });
    await assert.rejects(verifyAccessToken(key, day, { now: at(NOW + 1) }), /more than the 900 s maximum/);
    // The same token under a node configured for a day is fine.
    assert.equal(await verifyAccessToken(key, day, { now: at(NOW + 1), maxLifetimeSeconds: 24 * 3600 }), address);
  });

  test('a token without iat, with iat in the future, or older than the maximum is refused', async () => {
    await assert.rejects(verifyAccessToken(key, await forge({ exp: NOW + 60 }), { now: at(NOW) }), /"iat" claim/);
    const future = await forge({ iat: NOW + 600, exp: NOW + 900 });
    await assert.rejects(verifyAccessToken(key, future, { now: at(NOW) }), /"iat" claim/);
    const old = await forge({ iat: NOW - ACCESS_TOKEN_TTL - 10, exp: NOW + 60 });
    await assert.rejects(verifyAccessToken(key, old, { now: at(NOW) }), /"exp" claim is|"iat" claim/);
  });

  test('an expired token, a foreign key and a non-address subject are refused', async () => {
    const expired = await forge({ iat: NOW - 100, exp: NOW - 1 });
    await assert.rejects(verifyAccessToken(key, expired, { now: at(NOW) }), /"exp" claim timestamp check failed/);
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(TOKEN_ISSUER)
      .setSubject(address)
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(new Uint8Array(randomBytes(32)));
    await assert.rejects(verifyAccessToken(key, foreign), /signature verification failed/);
    const iat = Math.floor(Date.now() / 1000);
    await assert.rejects(verifyAccessToken(key, await forge({ iat, exp: iat + 60, sub: 'alice' })), /not an address/);
  });
});
