/**
 * `request.account`: who is calling, from `Authorization: Bearer <JWT>` or `x-api-key: <key>`. Routes that need a
 * caller add `preHandler: app.requireAccount`. Access tokens must carry `exp` and live at most
 * `config.accessTokenTtlSeconds` (see `auth/tokens.ts`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Address } from 'viem';
import { ACCESS_TOKEN_TTL, hashToken, verifyAccessToken } from '../auth/tokens.ts';
import { UnauthorizedError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated account (lower-case), set by `requireAccount`. */
    account?: Address;
  }
  interface FastifyInstance {
    /** preHandler that authenticates the caller or answers 401 problem+json. */
    requireAccount: (request: FastifyRequest) => Promise<void>;
  }
}

export default fp(
  async function authenticatePlugin(app: FastifyInstance) {
    app.decorateRequest('account', undefined);
    app.decorate('requireAccount', async (request: FastifyRequest) => {
      const apiKey = request.headers['x-api-key'];
      if (typeof apiKey === 'string' && apiKey) {
        const row = await app.souk.db
          .selectFrom('api_keys')
          .select(['address'])
          .where('hash', '=', hashToken(apiKey))
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (!row) throw new UnauthorizedError('Unknown or revoked API key.');
        request.account = row.address as Address;
        return;
      }
      const header = request.headers.authorization;
      if (!header?.startsWith('Bearer ')) {
        throw new UnauthorizedError(
          'Send `Authorization: Bearer <access token>` (from /api/v1/auth/login) or `x-api-key`.',
        );
      }
      try {
        request.account = await verifyAccessToken(app.souk.jwtKey, header.slice('Bearer '.length), {
          maxLifetimeSeconds: app.souk.config.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL,
        });
      } catch (error) {
        throw new UnauthorizedError(`Invalid access token: ${(error as Error).message}.`);
      }
    });
  },
  { name: 'souk-authenticate' },
);
