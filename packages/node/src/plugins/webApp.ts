/**
 * Serves the web app (`apps/web`, built to `apps/web/dist`) at `/`: its files as they are, and `index.html` for any
 * other page the browser navigates to (client-side routes such as `/assets/7`), so that a newcomer can open the URL
 * `souk start` prints. API, WebSocket, docs and ops paths never fall back: their unknown paths stay 404 problems.
 * When the app is not built, `/` says how to build it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Where `npm run build -w @souk/web` writes the app. */
export const DEFAULT_WEB_DIR = path.resolve(fileURLToPath(new URL('../../../../apps/web/dist', import.meta.url)));

/** Paths that belong to the API and never fall back to the app. */
const RESERVED = /^\/(api|ws|docs|openapi\.json|health|ready|metrics)(\/|$|\?)/;

export default fp(
  async (app: FastifyInstance, { root = DEFAULT_WEB_DIR }: { root?: string }) => {
    if (!existsSync(path.join(root, 'index.html'))) {
      app.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply
          .type('text/plain; charset=utf-8')
          .send('Souk node. The web app is not built (npm run build -w @souk/web). API: /api/v1 — docs: /docs\n'),
      );
      return;
    }
    // Files found at start (the build is immutable while the node runs); no wildcard, so API 404s stay problems.
    await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: 'index.html' });
    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      const wantsPage = (request.headers.accept ?? '').includes('text/html');
      if (RESERVED.test(request.url) || !wantsPage) return reply.callNotFound();
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    });
  },
  { name: 'souk-web-app' },
);
