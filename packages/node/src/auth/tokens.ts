/**
 * Credentials after SIWE: short-lived JWT access tokens (HS256, RFC 7519), rotating opaque refresh tokens and API
 * keys. Only SHA-256 hashes of refresh tokens and API keys are stored.
 *
 * Access tokens must carry `sub`, `iat` and `exp`, and live at most the configured maximum
 * (`SOUK_ACCESS_TOKEN_TTL_SECONDS`): a token without `exp`, or minted for longer, is refused even when its HS256
 * signature is good (a leaked key or an old build cannot mint everlasting tokens that this node honours).
 */
import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Address } from 'viem';

/** Default (and default maximum) access token lifetime, seconds. */
export const ACCESS_TOKEN_TTL = 15 * 60;
/** Refresh token lifetime, seconds. */
export const REFRESH_TOKEN_TTL = 30 * 24 * 3600;
/** The `iss` of every token this node signs. */
export const TOKEN_ISSUER = 'souk-node';

/** SHA-256 hex of a secret token (what the database keeps). */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A random opaque token with a readable prefix (`souk_rt_…`, `souk_key_…`), 32 random bytes base64url. */
export const randomToken = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

/**
 * Signs an access token whose subject is the lower-cased address.
 * @param key - HS256 secret (≥ 32 bytes).
 * @param address - The signed-in account.
 * @param ttlSeconds - Lifetime, seconds. @default {@link ACCESS_TOKEN_TTL}
 * @returns The compact JWT (`iss`, `sub`, `iat`, `exp`).
 */
export async function signAccessToken(
  key: Uint8Array,
  address: Address,
  ttlSeconds: number = ACCESS_TOKEN_TTL,
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(address.toLowerCase())
    .setIssuer(TOKEN_ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key);
}

/** Options of {@link verifyAccessToken}. */
export type VerifyAccessTokenOptions = {
  /** Longest lifetime accepted (`exp − iat`, and the age `now − iat`), seconds. @default {@link ACCESS_TOKEN_TTL} */
  maxLifetimeSeconds?: number | undefined;
  /** The clock (injectable for tests). @default new Date() */
  now?: Date | undefined;
};

/**
 * Verifies an access token and returns its address.
 * Requires HS256, `iss` = {@link TOKEN_ISSUER}, `sub` (a lower-case address), `iat` and `exp`, an age of at most
 * `maxLifetimeSeconds` (jose `maxTokenAge`) and `exp − iat` ≤ `maxLifetimeSeconds`.
 * @throws when the signature, issuer, a required claim or the lifetime is wrong (jose errors, or `Error` naming the
 * claim).
 */
export async function verifyAccessToken(
  key: Uint8Array,
  token: string,
  { maxLifetimeSeconds = ACCESS_TOKEN_TTL, now }: VerifyAccessTokenOptions = {},
): Promise<Address> {
  const { payload } = await jwtVerify(token, key, {
    issuer: TOKEN_ISSUER,
    algorithms: ['HS256'],
    requiredClaims: ['sub', 'iat', 'exp'],
    maxTokenAge: maxLifetimeSeconds,
    currentDate: now,
  });
  const { exp, iat } = payload as { exp: number; iat: number };
  if (exp - iat > maxLifetimeSeconds) {
    throw new Error(`"exp" claim is ${exp - iat} s after "iat", more than the ${maxLifetimeSeconds} s maximum`);
  }
  if (!payload.sub || !/^0x[0-9a-f]{40}$/.test(payload.sub)) throw new Error('token subject is not an address');
  return payload.sub as Address;
}
