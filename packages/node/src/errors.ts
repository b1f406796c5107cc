/**
 * Every error the API returns, in one place (Fastify's `lib/errors.js` pattern). Each becomes an RFC 9457
 * `application/problem+json` body through the error handler in `plugins/problem.ts`.
 */
import createError from '@fastify/error';

/** Request shape is wrong (also produced by schema validation). */
export const BadRequestError = createError<[string]>('SOUK_ERR_BAD_REQUEST', '%s', 400);
/** Missing or invalid credentials. */
export const UnauthorizedError = createError<[string]>('SOUK_ERR_UNAUTHORIZED', '%s', 401);
/** Authenticated, but not allowed (e.g. no licence for the asset). */
export const ForbiddenError = createError<[string]>('SOUK_ERR_FORBIDDEN', '%s', 403);
/** The resource does not exist. */
export const NotFoundError = createError<[string]>('SOUK_ERR_NOT_FOUND', '%s', 404);
/** The request conflicts with current state (e.g. a reused nonce). */
export const ConflictError = createError<[string]>('SOUK_ERR_CONFLICT', '%s', 409);
/** A dependency (chain, database, storage) is not reachable. */
export const UnavailableError = createError<[string]>('SOUK_ERR_UNAVAILABLE', '%s', 503);
/** The client stopped sending its request body (idle too long) or took longer than the body deadline. */
export const RequestTimeoutError = createError<[string]>('SOUK_ERR_REQUEST_TIMEOUT', '%s', 408);
/** A path parameter is longer than the router accepts (`maxParamLength`). */
export const UriTooLongError = createError<[string]>('SOUK_ERR_URI_TOO_LONG', '%s', 414);
/** A job's input is one its model cannot take (checked before anything is escrowed). */
export const InvalidJobInputError = createError<[string]>('SOUK_ERR_INVALID_JOB_INPUT', '%s', 422);
/** The requester's escrow balance cannot cover an order (checked before any provider works). */
export const InsufficientEscrowError = createError<[string]>('SOUK_ERR_INSUFFICIENT_ESCROW', '%s', 402);
/** A signed order is not acceptable as signed (deadline, redundancy, verification class, price). */
export const InvalidOrderError = createError<[string]>('SOUK_ERR_INVALID_ORDER', '%s', 422);
/** The chain rejected a transaction; the message carries the decoded custom error. */
export const ChainRevertError = createError<[string]>('SOUK_ERR_CHAIN_REVERT', 'Transaction reverted: %s', 422);

/** An RFC 9457 problem details object. */
export type Problem = {
  /** URI reference identifying the problem type. */
  type: string;
  /** Short, human-readable summary of the problem type. */
  title: string;
  /** HTTP status code. */
  status: number;
  /** Human-readable explanation specific to this occurrence: the reason. */
  detail: string;
  /** URI reference of this occurrence (the request path). */
  instance?: string;
  /** Souk error code, e.g. `SOUK_ERR_NOT_FOUND`. */
  code: string;
  /** The request id, to find the matching log line. */
  requestId?: string;
  /** Validation failures, one per offending field. */
  errors?: { field: string; message: string }[];
};

/** JSON schema of {@link Problem}, for route `response` sections and OpenAPI. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;
