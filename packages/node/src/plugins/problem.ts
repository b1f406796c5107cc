/**
 * Turns every error into an RFC 9457 `application/problem+json` response, and unknown routes into a 404 problem.
 * 5xx details are logged but never sent: the client gets the request id to quote instead.
 *
 * Two kinds of failure happen before a route's error handler can see them; `app.ts` wires both here too:
 * {@link frameworkErrors} (Fastify's router: a malformed URL escape, a path parameter over `maxParamLength`) and
 * {@link clientErrorHandler} (node's HTTP parser, before any request exists: headers over `maxHeaderSize` → 431,
 * `headersTimeout` → 408, unparsable HTTP → 400).
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Problem } from '../errors.ts';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Clearer messages than Ajv's `must match format "…"` for the formats of `schemas.ts`. */
const formatMessages: Record<string, string> = {
  uint256: 'must be a decimal integer from 0 to 2^256 − 1 (a Solidity uint256)',
  uint64: 'must be a decimal integer from 0 to 2^64 − 1 (a Solidity uint64)',
  uuid: 'must be a UUID',
};

const typeOf = (code: string) => `https://souk.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;

function send(reply: FastifyReply, problem: Problem) {
  // A timed-out body is left unread: close the connection rather than wait for the rest of it.
  if (problem.status === 408) reply.header('connection', 'close');
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

/**
 * Fastify's `frameworkErrors` option: router failures before a route is chosen — `FST_ERR_BAD_URL` (a malformed
 * `%` escape, 400) and `FST_ERR_MAX_PARAM_LENGTH` (a path parameter over `maxParamLength`, 414) — as problems.
 * @param error The Fastify error (its `statusCode` is kept for 4xx; anything else is a 500).
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  const code = status === 414 ? 'SOUK_ERR_URI_TOO_LONG' : status === 400 ? 'SOUK_ERR_BAD_URL' : 'SOUK_ERR_INTERNAL';
  const path = request.url.split('?')[0];
  if (status >= 500) request.log.error({ err: error }, 'router failed');
  const detail =
    status === 414
      ? 'A path parameter is longer than this node accepts.'
      : status === 400
        ? `The URL ${path.slice(0, 200)} has a malformed percent-escape.`
        : 'An internal error occurred; quote the request id.';
  return send(reply, {
    type: typeOf(code),
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: path.slice(0, 2048),
    code,
    requestId: String(request.id),
  });
}

/**
 * Fastify's `clientErrorHandler` option (node's `clientError` event): the HTTP parser failed before a request
 * existed, so the answer is written to the socket by hand — still an RFC 9457 problem — and the socket closed.
 * `HPE_HEADER_OVERFLOW` (request line + headers over node's `maxHeaderSize`, 16 KiB) → 431;
 * `ERR_HTTP_REQUEST_TIMEOUT` (headers not complete within `headersTimeout`) → 408; any other parse error → 400.
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'SOUK_ERR_HEADERS_TOO_LARGE', 'The request line and headers exceed the limit of this node (16 KiB).']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'SOUK_ERR_REQUEST_TIMEOUT', 'The request headers were not received in time.']
        : [400, 'SOUK_ERR_BAD_HTTP', 'The request is not valid HTTP/1.1.'];
  this.log.info({ code, reason: error.message }, 'client error');
  const problem: Problem = { type: typeOf(code), title: titles[status] ?? 'Error', status, detail, code };
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${titles[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
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
        type: typeOf(code),
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
          message:
            (v.keyword === 'format' && formatMessages[String((v.params as { format?: unknown }).format)]) ||
            (v.message ?? 'invalid'),
        }));
        problem.detail = problem.errors.map((e) => `${e.field} ${e.message}`).join('; ');
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
