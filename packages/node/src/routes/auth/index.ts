/**
 * Sign-In with Ethereum (EIP-4361): nonce → signed message → JWT access token + rotating refresh token; profile;
 * API keys for scripts.
 */
import type { FastifyInstance } from 'fastify';
import { type Address, getAddress, type Hex } from 'viem';
import { generateSiweNonce, parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import { ACCESS_TOKEN_TTL, hashToken, REFRESH_TOKEN_TTL, randomToken, signAccessToken } from '../../auth/tokens.ts';
import { BadRequestError, ConflictError, NotFoundError, UnauthorizedError } from '../../errors.ts';
import { authenticated as auth, problem } from '../common.ts';

/** Seconds a SIWE nonce stays usable. */
const NONCE_TTL = 10 * 60;
/** Clock difference tolerated between the signer and the node on `issued-at`, seconds. */
const CLOCK_SKEW = 60;

const tokensSchema = {
  type: 'object',
  properties: {
    address: { type: 'string' },
    accessToken: { type: 'string' },
    accessTokenExpiresIn: { type: 'integer', description: 'seconds' },
    refreshToken: { type: 'string' },
    refreshTokenExpiresIn: { type: 'integer', description: 'seconds' },
  },
} as const;
const profileSchema = {
  type: 'object',
  properties: {
    address: { type: 'string' },
    username: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
  },
} as const;
const siweBody = {
  type: 'object',
  required: ['message', 'signature'],
  additionalProperties: false,
  properties: {
    message: { type: 'string', minLength: 1, maxLength: 4096, description: 'The EIP-4361 message that was signed' },
    signature: { type: 'string', pattern: '^0x[0-9a-fA-F]+$', maxLength: 4096 },
    username: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{3,32}$' },
    email: { type: 'string', format: 'email', maxLength: 254 },
  },
} as const;
const problems = { 400: problem, 401: problem, 409: problem };

type SiweBody = { message: string; signature: Hex; username?: string; email?: string };

export default async function authRoutes(app: FastifyInstance) {
  const { db, chain, jwtKey, config } = app.souk;
  const accessTokenTtl = config.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL;

  /**
   * The origin a SIWE message must name (EIP-4361 §"domain" and §"uri"): `config.publicUrl`, else the address the
   * node listens on. Never the request's `Host` header: a phishing site relaying a sign-in sets that.
   */
  function publicOrigin(): URL {
    if (config.publicUrl) return new URL(config.publicUrl);
    const bound = app.server.address();
    const port = bound && typeof bound === 'object' ? bound.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return new URL(`http://${host}:${port}`);
  }

  async function issueTokens(account: Address, familyId: string = crypto.randomUUID()) {
    const refreshToken = randomToken('souk_rt_');
    await db
      .insertInto('refresh_tokens')
      .values({
        id: crypto.randomUUID(),
        address: account.toLowerCase(),
        hash: hashToken(refreshToken),
        family_id: familyId,
        expires_at: new Date(Date.now() + REFRESH_TOKEN_TTL * 1000),
      })
      .execute();
    return {
      address: account.toLowerCase(),
      accessToken: await signAccessToken(jwtKey, account, accessTokenTtl),
      accessTokenExpiresIn: accessTokenTtl,
      refreshToken,
      refreshTokenExpiresIn: REFRESH_TOKEN_TTL,
    };
  }

  /**
   * Verifies a SIWE message and signature and consumes its nonce; returns the signer (EIP-4361 §"Verifying a
   * signed message"). Order: parse → fields (domain, uri, scheme, version, chain id, issued-at, expiration,
   * not-before; viem's `validateSiweMessage` on top) → signature (EOA or EIP-1271) → nonce consumed atomically, so
   * a replayed message fails on the nonce even with a valid signature. Each refusal is a 401 naming the field.
   */
  async function verifySiwe({ message, signature }: SiweBody): Promise<Address> {
    const parsed = parseSiweMessage(message);
    if (!parsed.address || !parsed.domain) {
      throw new BadRequestError('Not an EIP-4361 message: it needs at least a domain line and an address.');
    }
    const origin = publicOrigin();
    const scheme = origin.protocol.slice(0, -1);
    const now = new Date();
    const refuse = (field: string, reason: string) => {
      throw new UnauthorizedError(`SIWE ${field}: ${reason}`);
    };
    if (parsed.domain !== origin.host) refuse('domain', `"${parsed.domain}" is not this node's "${origin.host}".`);
    if (parsed.scheme !== undefined && parsed.scheme !== scheme) {
      refuse('scheme', `"${parsed.scheme}" is not this node's "${scheme}".`);
    }
    let uri: URL | undefined;
    try {
      uri = parsed.uri ? new URL(parsed.uri) : undefined;
    } catch {}
    if (!uri || uri.origin !== origin.origin) {
      refuse('uri', `"${parsed.uri ?? ''}" is not on this node's origin ${origin.origin}.`);
    }
    if (parsed.version !== '1') refuse('version', `must be "1", got "${parsed.version ?? ''}".`);
    if (parsed.chainId !== chain.deployment.chainId) {
      refuse('chain-id', `${parsed.chainId ?? '(missing)'} is not this node's chain ${chain.deployment.chainId}.`);
    }
    if (!parsed.nonce) refuse('nonce', 'missing.');
    const issuedAt = parsed.issuedAt?.getTime();
    if (issuedAt === undefined || Number.isNaN(issuedAt)) refuse('issued-at', 'missing or not an RFC 3339 time.');
    else if (issuedAt > now.getTime() + CLOCK_SKEW * 1000) refuse('issued-at', 'is in the future.');
    else if (issuedAt < now.getTime() - (NONCE_TTL + CLOCK_SKEW) * 1000) {
      refuse('issued-at', `is older than the ${NONCE_TTL} s a nonce lives.`);
    }
    if (parsed.expirationTime && !(parsed.expirationTime > now)) refuse('expiration-time', 'message has expired.');
    if (parsed.notBefore && !(parsed.notBefore <= now)) refuse('not-before', 'message is not valid yet.');
    // viem's checks on top (domain, nonce format, version, address); the scheme, optional in EIP-4361, was checked above.
    if (!validateSiweMessage({ message: parsed, domain: origin.host, nonce: parsed.nonce, time: now })) {
      refuse('message', 'fails EIP-4361 validation (nonce format, address).');
    }
    const valid = await chain.publicClient
      .verifySiweMessage({ message, signature, domain: origin.host, nonce: parsed.nonce, time: now })
      .catch(() => false);
    if (!valid) refuse('signature', 'does not match the message address.');
    const consumed = await db
      .updateTable('auth_nonces')
      .set({ used_at: now, address: parsed.address.toLowerCase() })
      .where('nonce', '=', parsed.nonce as string)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('nonce')
      .executeTakeFirst();
    if (!consumed) refuse('nonce', 'unknown, expired or already used.');
    return getAddress(parsed.address);
  }

  async function upsertUser(account: Address, profile: { username?: string; email?: string } = {}) {
    try {
      await db
        .insertInto('users')
        .values({ address: account.toLowerCase(), username: profile.username ?? null, email: profile.email ?? null })
        .onConflict((oc) => {
          const changes = {
            ...(profile.username !== undefined ? { username: profile.username } : {}),
            ...(profile.email !== undefined ? { email: profile.email } : {}),
          };
          return Object.keys(changes).length > 0
            ? oc.column('address').doUpdateSet(changes)
            : oc.column('address').doNothing();
        })
        .execute();
    } catch (error) {
      if (/unique|duplicate/i.test(String((error as Error).message))) {
        throw new ConflictError(`Username "${profile.username}" is taken.`);
      }
      throw error;
    }
  }

  app.post(
    '/nonce',
    {
      schema: {
        tags: ['auth'],
        summary: 'Get a SIWE nonce and the fields the message must carry',
        response: {
          200: {
            type: 'object',
            properties: {
              nonce: { type: 'string' },
              expiresAt: { type: 'string' },
              domain: {
                type: 'string',
                description: 'The only SIWE domain accepted: host[:port] of the public URL (SOUK_PUBLIC_URL)',
              },
              uri: { type: 'string', description: 'The SIWE uri to sign: the public origin' },
              chainId: { type: 'integer' },
              version: { type: 'string' },
              statement: { type: 'string' },
            },
          },
        },
      },
    },
    async () => {
      const nonce = generateSiweNonce();
      const expiresAt = new Date(Date.now() + NONCE_TTL * 1000);
      await db.insertInto('auth_nonces').values({ nonce, expires_at: expiresAt }).execute();
      const origin = publicOrigin();
      return {
        nonce,
        expiresAt: expiresAt.toISOString(),
        domain: origin.host,
        uri: origin.origin,
        chainId: chain.deployment.chainId,
        version: '1',
        statement: 'Sign in to Souk.',
      };
    },
  );

  app.post<{ Body: SiweBody }>(
    '/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a signed SIWE message; returns an access and a refresh token',
        body: siweBody,
        response: { 200: tokensSchema, ...problems },
      },
    },
    async (request) => {
      const account = await verifySiwe(request.body);
      await upsertUser(account);
      return issueTokens(account);
    },
  );

  app.post<{ Body: SiweBody }>(
    '/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with SIWE and set a profile (username, email) in one step',
        body: siweBody,
        response: {
          200: { type: 'object', properties: { ...tokensSchema.properties, profile: profileSchema } },
          ...problems,
        },
      },
    },
    async (request) => {
      const account = await verifySiwe(request.body);
      await upsertUser(account, { username: request.body.username, email: request.body.email });
      return { ...(await issueTokens(account)), profile: await profileOf(account) };
    },
  );

  app.post<{ Body: { refreshToken: string } }>(
    '/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for new tokens (the old refresh token is revoked: rotation)',
        description:
          'Each refresh token works once. Presenting one that was already rotated revokes every refresh token of ' +
          'the same sign-in (its family) and answers 401.',
        body: {
          type: 'object',
          required: ['refreshToken'],
          additionalProperties: false,
          properties: { refreshToken: { type: 'string', minLength: 10, maxLength: 200 } },
        },
        response: { 200: tokensSchema, ...problems },
      },
    },
    async (request) => {
      const hash = hashToken(request.body.refreshToken);
      const now = new Date();
      const row = await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('hash', '=', hash)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['address', 'family_id'])
        .executeTakeFirst();
      if (row) return issueTokens(row.address as Address, row.family_id);
      const known = await db
        .selectFrom('refresh_tokens')
        .select(['family_id', 'revoked_at'])
        .where('hash', '=', hash)
        .executeTakeFirst();
      if (known?.revoked_at) {
        // A rotated token came back: it was stolen or the client is confused. Either way nobody can tell the
        // thief from the owner, so the whole sign-in ends (OAuth 2.0 Security BCP, refresh token rotation).
        await db
          .updateTable('refresh_tokens')
          .set({ revoked_at: now })
          .where('family_id', '=', known.family_id)
          .where('revoked_at', 'is', null)
          .execute();
        request.log.warn({ family: known.family_id }, 'rotated refresh token reused: family revoked');
        throw new UnauthorizedError(
          'Refresh token was already used: every token of this sign-in is now revoked; sign in again.',
        );
      }
      throw new UnauthorizedError('Refresh token is unknown or expired.');
    },
  );

  async function profileOf(account: Address) {
    const user = await db
      .selectFrom('users')
      .selectAll()
      .where('address', '=', account.toLowerCase())
      .executeTakeFirst();
    if (!user) throw new NotFoundError(`No profile for ${account}.`);
    return {
      address: user.address,
      username: user.username,
      email: user.email,
      createdAt: new Date(user.created_at).toISOString(),
    };
  }

  app.get(
    '/profile',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['auth'],
        summary: "The caller's profile",
        security: auth,
        response: { 200: profileSchema, 401: { $ref: 'Problem#' } },
      },
    },
    async (request) => profileOf(request.account as Address),
  );

  app.patch<{ Body: { username?: string; email?: string } }>(
    '/profile',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['auth'],
        summary: "Update the caller's username or email",
        security: auth,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { username: siweBody.properties.username, email: siweBody.properties.email },
        },
        response: { 200: profileSchema, ...problems },
      },
    },
    async (request) => {
      await upsertUser(request.account as Address, request.body);
      return profileOf(request.account as Address);
    },
  );

  app.post<{ Body: { label: string } }>(
    '/api-keys',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['auth'],
        summary: 'Create an API key (shown once) for scripts: send it as `x-api-key`',
        security: auth,
        body: {
          type: 'object',
          required: ['label'],
          additionalProperties: false,
          properties: { label: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: {
          201: {
            type: 'object',
            properties: { id: { type: 'string' }, label: { type: 'string' }, key: { type: 'string' } },
          },
          ...problems,
        },
      },
    },
    async (request, reply) => {
      const key = randomToken('souk_key_');
      const id = crypto.randomUUID();
      await db
        .insertInto('api_keys')
        .values({
          id,
          address: (request.account as string).toLowerCase(),
          hash: hashToken(key),
          label: request.body.label,
        })
        .execute();
      return reply.status(201).send({ id, label: request.body.label, key });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api-keys/:id',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['auth'],
        summary: 'Revoke one of the caller’s API keys',
        security: auth,
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
        response: { 204: { type: 'null' }, 401: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' } },
      },
    },
    async (request, reply) => {
      const row = await db
        .updateTable('api_keys')
        .set({ revoked_at: new Date() })
        .where('id', '=', request.params.id)
        .where('address', '=', (request.account as string).toLowerCase())
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`No active API key ${request.params.id}.`);
      return reply.status(204).send();
    },
  );
}
