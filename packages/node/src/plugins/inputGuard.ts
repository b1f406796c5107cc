/**
 * Rejects, before schema validation and before any handler runs, request text the database cannot store: a NUL
 * (U+0000) or a lone UTF-16 surrogate anywhere in the path parameters, the query string or a JSON body (values and
 * object keys, at any depth). PostgreSQL and PGlite refuse both in `text` and `jsonb`, so without this check such a
 * request failed as a 500 half-way through its handler, after earlier writes (e.g. a stored manifest).
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

/**
 * Walks a parsed JSON value (iteratively: nesting depth cannot overflow the stack) and returns the JSON pointer of
 * the first string or key that {@link unstorableText} rejects, with the reason; `undefined` when all are storable.
 */
export function findUnstorableText(root: unknown): { instancePath: string; message: string } | undefined {
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length > 0) {
    const [value, at] = stack.pop() as [unknown, string];
    if (typeof value === 'string') {
      const message = unstorableText(value);
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

export default fp(
  async function textGuardPlugin(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      for (const [context, read] of parts) {
        const found = findUnstorableText(read(request));
        if (!found) continue;
        // Shaped like an Ajv failure so the problem handler lists it under `errors` with the field's path.
        throw Object.assign(new BadRequestError(`${context}${found.instancePath} ${found.message}`), {
          validation: [{ keyword: 'storableText', schemaPath: '', params: {}, ...found }],
          validationContext: context,
        });
      }
    });
  },
  { name: 'souk-text-guard' },
);
