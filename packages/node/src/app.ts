/**
 * `build(services)` assembles the HTTP API without listening (tests use `app.inject()`); `server.ts` listens.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { Histogram } from 'prom-client';
import { redactAccessQuery } from './gateway/accessRequest.ts';
import authenticate from './plugins/authenticate.ts';
import bodyTimeout from './plugins/bodyTimeout.ts';
import inputGuard from './plugins/inputGuard.ts';
import problem, { clientErrorHandler, frameworkErrors } from './plugins/problem.ts';
import webApp from './plugins/webApp.ts';
import analyticsRoutes from './routes/analytics/index.ts';
import assetRoutes from './routes/assets/index.ts';
import lineageRoutes from './routes/assets/lineage.ts';
import assetReadRoutes from './routes/assets/read.ts';
import royaltyRoutes from './routes/assets/royalties.ts';
import authRoutes from './routes/auth/index.ts';
import chainRoutes from './routes/chain/index.ts';
import licenceRoutes from './routes/licences/index.ts';
import marketplaceRoutes from './routes/marketplace/index.ts';
import opsRoutes from './routes/ops.ts';
import orderRoutes from './routes/orders/index.ts';
import providerRoutes from './routes/providers/index.ts';
import roundRoutes from './routes/rounds/index.ts';
import trainingRoutes from './routes/training/index.ts';
import wsRoutes from './routes/ws.ts';
import { addSchemas, uintFormats } from './schemas.ts';
import type { NodeServices } from './services.ts';

export type BuildOptions = {
  /** pino logger options, or false to disable logging. @default { level: 'info' } */
  logger?: boolean | { level: string } | undefined;
  /** Largest JSON body in bytes (uploads stream and are limited separately). @default 1 MiB */
  bodyLimit?: number | undefined;
  /** Inbound timeouts in milliseconds (0 disables one); see docs/node.md "Errors and limits". */
  timeouts?: Partial<HttpTimeouts> | undefined;
};

/** Inbound HTTP timeouts, in milliseconds. */
export type HttpTimeouts = {
  /** Request line and headers complete within this (node `headersTimeout`) → else 408. @default 20_000 */
  headersMs: number;
  /** Most time without a body byte while the node waits for one (every body, uploads too) → 408. @default 30_000 */
  bodyIdleMs: number;
  /** Whole body of a buffered (non-streamed, ≤ bodyLimit) request within this → else 408. @default 60_000 */
  bodyMs: number;
};

/** Defaults of {@link HttpTimeouts}. */
export const defaultHttpTimeouts: HttpTimeouts = { headersMs: 20_000, bodyIdleMs: 30_000, bodyMs: 60_000 };

/**
 * The level of a finished request's one log line (`request completed`): successful reads — status polls, the web
 * app's refreshes — at `debug`, so that job failures and refused requests stand out in the default `info` log;
 * successful writes and client errors (4xx) at `info`; server errors (5xx) at `warn` (the error handler has
 * already logged the error itself at `error`).
 * @param method - The HTTP method.
 * @param statusCode - The status sent.
 * @returns A pino level name.
 * @example requestLogLevel('GET', 200) // 'debug'
 */
export function requestLogLevel(method: string, statusCode: number): 'debug' | 'info' | 'warn' {
  if (statusCode >= 500) return 'warn';
  if (statusCode >= 400) return 'info';
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'debug' : 'info';
}

/**
 * Builds the Souk API: problem+json errors, OpenAPI 3 at `/openapi.json`, Swagger UI at `/docs`, rate limiting,
 * CORS, request metrics, and the route plugins under `/api/v1`.
 * @example
 * ```ts
 * const app = await build(services, { logger: false })
 * const res = await app.inject({ method: 'GET', url: '/health' })
 * ```
 */
export async function build(
  services: NodeServices,
  { logger = { level: 'info' }, bodyLimit = 1 << 20, timeouts: timeoutOptions }: BuildOptions = {},
) {
  const timeouts = { ...defaultHttpTimeouts, ...timeoutOptions };
  const app: FastifyInstance = Fastify({
    logger:
      logger === false
        ? false
        : {
            level: logger === true ? 'info' : logger.level,
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
            // A signed access request in a URL (refused by the content route) must not reach the logs either.
            serializers: {
              req: (req: { method: string; url: string; host?: string; ip?: string }) => ({
                method: req.method,
                url: redactAccessQuery(req.url),
                host: req.host,
                remoteAddress: req.ip,
              }),
            },
          },
    bodyLimit,
    // Node's whole-request deadline stays off (0): it would cut off a slow but progressing multi-GiB upload.
    // Stalls are bounded by headersTimeout and the body timeouts (plugins/bodyTimeout.ts) instead.
    requestTimeout: 0,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: 0,
      // How often node checks headersTimeout (its default, 30 s, would let a slow client overrun it by that much).
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(timeouts.headersMs / 4) || 5_000)),
    },
    frameworkErrors,
    clientErrorHandler,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false },
      plugins: [uintFormats],
    },
    genReqId: () => crypto.randomUUID(),
    // One line per request, at a level by outcome (requestLogLevel), instead of Fastify's two at info.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.decorate('souk', services);
  addSchemas(app);
  await app.register(problem);
  await app.register(inputGuard);
  await app.register(bodyTimeout, { idleMs: timeouts.bodyIdleMs, totalMs: timeouts.bodyMs });

  const duration = new Histogram({
    name: 'souk_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [services.metrics],
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log[requestLogLevel(request.method, reply.statusCode)](
      { req: request, res: reply, responseTime: reply.elapsedTime },
      'request completed',
    );
    duration
      .labels(request.method, request.routeOptions.url ?? 'unknown', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  await app.register(cors, { origin: services.config.corsOrigins });
  await app.register(rateLimit, {
    max: services.config.rateLimitPerMinute,
    timeWindow: '1 minute',
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'SOUK_ERR_RATE_LIMITED',
      message: `Rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}.`,
    }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Souk node API',
        version: '0.1.0',
        description:
          'Marketplace for AI models, agents, datasets and compute. Errors are RFC 9457 problem+json. ' +
          'Authenticate with SIWE (`/api/v1/auth/nonce` then `/api/v1/auth/login`) and send `Authorization: Bearer <token>`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(authenticate);
  await app.register(websocket);
  await app.register(opsRoutes);
  await app.register(wsRoutes);
  await app.register(authRoutes, { prefix: '/api/v1/auth' });
  await app.register(chainRoutes, { prefix: '/api/v1/chain' });
  await app.register(assetRoutes, { prefix: '/api/v1' });
  await app.register(assetReadRoutes, { prefix: '/api/v1' });
  await app.register(royaltyRoutes, { prefix: '/api/v1' });
  await app.register(lineageRoutes, { prefix: '/api/v1' });
  await app.register(orderRoutes, { prefix: '/api/v1/orders' });
  await app.register(providerRoutes, { prefix: '/api/v1/providers' });
  await app.register(analyticsRoutes, { prefix: '/api/v1/analytics' });
  await app.register(marketplaceRoutes, { prefix: '/api/v1/marketplace' });
  await app.register(licenceRoutes, { prefix: '/api/v1/licences' });
  await app.register(trainingRoutes, { prefix: '/api/v1' });
  await app.register(roundRoutes, { prefix: '/api/v1' });
  await app.register(webApp, { root: services.config.webDir });
  return app;
}
