/**
 * Request values no handler can use, rejected centrally with a 400 problem naming the field before any handler runs:
 *
 * - Text the database cannot store (`preValidation`, before the schemas): a NUL (U+0000) or a lone UTF-16
 *   surrogate anywhere in the path parameters, the query string or a JSON body (values and object keys, at any
 *   depth). PostgreSQL and PGlite refuse both in `text` and `jsonb`, so such a request used to fail as a 500 half-way
 *   through its handler, after earlier writes (e.g. a stored manifest).
 * - Numbers that are not finite (`preHandler`, after the schemas): Ajv's type coercion turns a string of 309+ digits
 *   into `Infinity`, which then passes `maximum` (e.g. `durationSeconds=777…7` reached viem as Infinity → 500), and
 *   `JSON.parse` reads `1e999` as `Infinity`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { BadRequestError } from '../errors.ts';

/**
 * Why `value` cannot be stored as database text, or `undefined` when it can.
 * @param value Any string from a request.
 * @returns A message naming the offending character, e.g. `must not contain NUL (U+0000)`.
 */
export function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL (U+0000): the database cannot store it';
  if (/\p{Cs}/u.test(value)) return 'must be well-formed Unicode (it contains a lone surrogate)';
  return undefined;
}

const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Why `value` is a number no handler can use (`Infinity`, `NaN`), or `undefined` when it is fine. */
export function unusableNumber(value: number): string | undefined {
  return Number.isFinite(value) ? undefined : 'must be a finite number';
}

/**
 * Walks a parsed JSON value (iteratively: nesting depth cannot overflow the stack) and returns the JSON pointer of
 * the first string or key that {@link unstorableText} rejects — or, with `numbers`, the first number that
 * {@link unusableNumber} rejects — with the reason; `undefined` when all are fine.
 */
export function findUnusableValue(
  root: unknown,
  { numbers = false }: { numbers?: boolean } = {},
): { instancePath: string; message: string } | undefined {
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length > 0) {
    const [value, at] = stack.pop() as [unknown, string];
    if (typeof value === 'string') {
      const message = unstorableText(value);
      if (message) return { instancePath: at, message };
    } else if (typeof value === 'number') {
      const message = numbers ? unusableNumber(value) : undefined;
      if (message) return { instancePath: at, message };
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${at}/${i}`]);
    } else if (value !== null && typeof value === 'object' && isParsedObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        const message = unstorableText(key);
        if (message) return { instancePath: `${at}/${escapePointer(key)}`, message: `key ${message}` };
        stack.push([child, `${at}/${escapePointer(key)}`]);
      }
    }
  }
  return undefined;
}

/**
 * Objects from JSON.parse and the query-string parser (whose objects have a null-prototype class of their own);
 * streamed bodies (`application/octet-stream`), buffers and typed arrays are not text and are skipped.
 */
function isParsedObject(value: object): boolean {
  return !ArrayBuffer.isView(value) && typeof (value as { pipe?: unknown }).pipe !== 'function';
}

const parts = [
  ['params', (request: FastifyRequest) => request.params],
  ['querystring', (request: FastifyRequest) => request.query],
  ['body', (request: FastifyRequest) => request.body],
] as const;

function check(request: FastifyRequest, numbers: boolean) {
  for (const [context, read] of parts) {
    const found = findUnusableValue(read(request), { numbers });
    if (!found) continue;
    // Shaped like an Ajv failure so the problem handler lists it under `errors` with the field's path.
    throw Object.assign(new BadRequestError(`${context}${found.instancePath} ${found.message}`), {
      validation: [{ keyword: 'usableValue', schemaPath: '', params: {}, ...found }],
      validationContext: context,
    });
  }
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Puts every 20-byte hex address of a parsed body, query or path into one spelling (lower case) before any handler
 * reads it: an address carries no meaning in its case, viem refuses a mixed-case address whose EIP-55 checksum is
 * wrong (a 500 half-way through a handler), and a lookup or comparison must not depend on how a client spelled it.
 * Walks iteratively, like {@link findUnusableValue}; returns the value with addresses replaced in place.
 */
export function normaliseAddresses(root: unknown): unknown {
  if (typeof root === 'string') return ADDRESS.test(root) ? root.toLowerCase() : root;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || !isParsedObject(value)) continue;
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
      ? value.map((item, i) => [i, item])
      : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof child === 'string') {
        if (ADDRESS.test(child)) (value as Record<string | number, unknown>)[key] = child.toLowerCase();
      } else stack.push(child);
    }
  }
  return root;
}

export default fp(
  async function inputGuardPlugin(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      check(request, false);
      request.params = normaliseAddresses(request.params) as typeof request.params;
      request.query = normaliseAddresses(request.query) as typeof request.query;
      request.body = normaliseAddresses(request.body) as typeof request.body;
    });
    // Application hooks run before route-level ones (e.g. `requireAccount`), so this still precedes every handler.
    app.addHook('preHandler', async (request) => check(request, true));
  },
  { name: 'souk-input-guard' },
);
