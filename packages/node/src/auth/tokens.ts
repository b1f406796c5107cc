/**
 * Credentials after SIWE: short-lived JWT access tokens (HS256, RFC 7519), rotating opaque refresh tokens and API
 * keys. Only SHA-256 hashes of refresh tokens and API keys are stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Address } from 'viem';

/** Access token lifetime, seconds. */
export const ACCESS_TOKEN_TTL = 15 * 60;
/** Refresh token lifetime, seconds. */
export const REFRESH_TOKEN_TTL = 30 * 24 * 3600;
const ISSUER = 'souk-node';

/** SHA-256 hex of a secret token (what the database keeps). */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A random opaque token with a readable prefix (`souk_rt_…`, `souk_key_…`), 32 random bytes base64url. */
export const randomToken = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

/** Signs an access token whose subject is the lower-cased address. */
export async function signAccessToken(key: Uint8Array, address: Address): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(address.toLowerCase())
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_TTL}s`)
    .sign(key);
}

/**
 * Verifies an access token and returns its address.
 * @throws when the signature, issuer or expiry is wrong (jose errors).
 */
export async function verifyAccessToken(key: Uint8Array, token: string): Promise<Address> {
  const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'] });
  if (!payload.sub || !/^0x[0-9a-f]{40}$/.test(payload.sub)) throw new Error('token subject is not an address');
  return payload.sub as Address;
}
