/**
 * Turns every error into an RFC 9457 `application/problem+json` response, and unknown routes into a 404 problem.
 * 5xx details are logged but never sent: the client gets the request id to quote instead.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Problem } from '../errors.ts';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function send(reply: FastifyReply, problem: Problem) {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

export default fp(
  async function problemPlugin(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      let status = error.statusCode ?? 500;
      if (status < 400 || status > 599) status = 500;
      // Internal failures never leak driver codes (e.g. PostgreSQL's) or messages.
      const code = status >= 500 && status !== 503 ? 'SOUK_ERR_INTERNAL' : (error.code ?? 'SOUK_ERR_REQUEST');
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code, reason: error.message }, 'request rejected');
      const problem: Problem = {
        type: `https://souk.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
        title: titles[status] ?? 'Error',
        status,
        detail: status >= 500 && status !== 503 ? 'An internal error occurred; quote the request id.' : error.message,
        instance: request.url.split('?')[0],
        code,
        requestId: String(request.id),
      };
      if (error.validation) {
        problem.code = 'SOUK_ERR_VALIDATION';
        problem.type = 'https://souk.dev/problems/souk-err-validation';
        problem.errors = error.validation.map((v) => ({
          field: `${error.validationContext ?? 'body'}${v.instancePath || ''}`,
          message: v.message ?? 'invalid',
        }));
      }
      return send(reply, problem);
    });
    app.setNotFoundHandler((request, reply) =>
      send(reply, {
        type: 'https://souk.dev/problems/souk-err-not-found',
        title: 'Not Found',
        status: 404,
        detail: `No route ${request.method} ${request.url.split('?')[0]}.`,
        instance: request.url.split('?')[0],
        code: 'SOUK_ERR_NOT_FOUND',
        requestId: String(request.id),
      }),
    );
  },
  { name: 'souk-problem' },
);
