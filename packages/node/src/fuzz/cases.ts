/**
 * Malformed-request cases generated from the node's own OpenAPI document: for every operation, a plausible base
 * request (sampled from its schemas) and mutations of it — missing, extra and wrong-typed fields, huge strings,
 * NUL bytes and lone surrogates, values around 2^256, invalid hex, addresses and CIDs, bad path parameters,
 * malformed JSON and wrong content types. Deterministic for a seed (see {@link mulberry32}).
 */
import { ACCESS_REQUEST_HEADER, JOB_ACCESS_HEADER, UINT256_MAX } from '@souk/protocol';

/** A seeded PRNG (mulberry32): returns floats in [0, 1). Same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A JSON schema as it appears in the OpenAPI document (only the keywords the generator reads). */
export type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  minLength?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  default?: unknown;
};

type Parameter = { in: 'path' | 'query' | 'header' | 'cookie'; name: string; required?: boolean; schema?: Schema };
type Operation = {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
};
/** The parts of an OpenAPI 3 document the generator reads. */
export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

/** One request to send. */
export type FuzzCase = {
  /** `METHOD /path/{template}` of the operation. */
  operation: string;
  /** What the case does, e.g. `body.assetId = 2^256`. */
  name: string;
  method: string;
  /** Path with parameters filled in (already percent-encoded). */
  path: string;
  /** Query string without `?` (already encoded), or empty. */
  query: string;
  /** Raw body text, or undefined for none. */
  body?: string | undefined;
  /** Content type of `body`. */
  contentType?: string | undefined;
  /** Extra request headers (the signed-request headers the operation's description names). */
  headers?: Record<string, string> | undefined;
  /** Send the caller's bearer token. */
  signedIn: boolean;
  /** Whether the operation declares a security requirement. */
  secured: boolean;
};

/** Stands for a JSON number literal too large for a double, spliced in after JSON.stringify. */
const BIG_LITERAL = '\u0001BIG\u0001';
/** Stands for the JSON number literal `1e999`, which JSON.parse reads as Infinity. */
const INFINITE_LITERAL = '\u0001INF\u0001';

/** Hostile strings, for any string field, query parameter or path parameter. */
export const hostileStrings: Array<[string, string]> = [
  ['empty', ''],
  ['NUL', 'a\u0000b'],
  ['only NUL', '\u0000'],
  ['lone surrogate', 'x\ud800y'],
  ['huge (100 kB)', 'x'.repeat(100_000)],
  ['long (5 kB)', '7'.repeat(5_000)],
  ['2^256 − 1', UINT256_MAX.toString()],
  ['2^256', (UINT256_MAX + 1n).toString()],
  ['10^78', `1${'0'.repeat(78)}`],
  ['negative', '-1'],
  ['1e78', '1e78'],
  ['fraction', '1.5'],
  ['hex number', '0x10'],
  ['bad hex', '0xzz'],
  ['odd hex', '0xabc'],
  ['short address', '0x1234'],
  ['bad checksum address', '0x976ea74026e726554db657fa54763abd0c3a0AA9'],
  ['upper-case address', '0x976EA74026E726554DB657FA54763ABD0C3A0AA9'],
  ['long hex', `0x${'f'.repeat(65)}`],
  ['bad CID', 'bafy!not-a-cid'],
  ['CID-ish', `b${'a'.repeat(58)}`],
  ['not a uuid', '00000000-0000-0000-0000-00000000000g'],
  ['path traversal', '../../etc/passwd'],
  ['SQL', "' or 1=1 --"],
  ['astral text', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓'],
  ['leading zeros', '0000000000000000000001'],
];

/** Hostile JSON values for body fields (besides the strings above). */
const hostileJson: Array<[string, unknown]> = [
  ['null', null],
  ['true', true],
  ['zero', 0],
  ['-1', -1],
  ['1.5', 1.5],
  ['1e78 (number)', 1e78],
  ['2^256 (number literal)', BIG_LITERAL],
  ['1e999 (number literal)', INFINITE_LITERAL],
  ['2^53 + 1', 2 ** 53 + 1],
  ['array', ['1']],
  ['object', { a: 1 }],
  ['proto key', JSON.parse('{"__proto__":{"polluted":true}}')],
];

const resolve = (doc: OpenApiDocument, schema: Schema | undefined): Schema => {
  let s = schema ?? {};
  for (let i = 0; s.$ref && i < 8; i++) s = doc.components?.schemas?.[s.$ref.split('/').pop() ?? ''] ?? {};
  return s;
};

/** A value the schema accepts, as far as the generator can tell (patterns of this API are recognised). */
export function sample(doc: OpenApiDocument, schemaIn: Schema | undefined, depth = 0): unknown {
  const schema = resolve(doc, schemaIn);
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.anyOf?.[0] || schema.oneOf?.[0]) return sample(doc, schema.anyOf?.[0] ?? schema.oneOf?.[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return true;
    case 'array':
      return depth > 4 ? [] : [sample(doc, schema.items, depth + 1)];
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const key of schema.required ?? []) out[key] = sample(doc, schema.properties?.[key], depth + 1);
      return out;
    }
    default:
      return sampleString(schema);
  }
}

function sampleString(schema: Schema): string {
  if (schema.format === 'uuid') return '7f1c2c1e-0b1a-4c55-9f4e-2d9c3b8a6e01';
  if (schema.format === 'email') return 'fuzz@example.com';
  // An id no asset or block has: writes fail before the chain (reads of the fixture come from `hint`).
  if (schema.format === 'uint256' || schema.format === 'uint64') return '4242424242';
  const pattern = schema.pattern ?? '';
  if (pattern.includes('{40}')) return '0x000000000000000000000000000000000000dEaD';
  if (pattern.includes('{64}')) return `0x${'ab'.repeat(32)}`;
  if (pattern.startsWith('^b[a-z2-7]')) return `b${'a'.repeat(58)}`;
  if (pattern.startsWith('^0x')) return '0x00';
  if (pattern.includes('[0-9]')) return '4242424242';
  if (pattern.includes('a-z')) return 'fuzzer';
  return 'fuzz'.padEnd(schema.minLength ?? 1, 'z');
}

const encodeJson = (value: unknown) =>
  JSON.stringify(value)
    .replaceAll(JSON.stringify(BIG_LITERAL), (UINT256_MAX + 1n).toString())
    .replaceAll(JSON.stringify(INFINITE_LITERAL), '1e999');

/** Every (pointer, schema) pair of an object schema, nested objects included, up to `maxDepth`. */
function fields(doc: OpenApiDocument, schema: Schema, at: string[] = [], maxDepth = 2): Array<[string[], Schema]> {
  const s = resolve(doc, schema);
  const out: Array<[string[], Schema]> = [];
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    out.push([[...at, key], child]);
    const c = resolve(doc, child);
    if (c.type === 'object' && at.length + 1 < maxDepth) out.push(...fields(doc, c, [...at, key], maxDepth));
  }
  return out;
}

/** Returns a copy of `base` with `value` at `pointer` (creating objects on the way); `undefined` deletes. */
function setAt(base: unknown, pointer: string[], value: unknown): unknown {
  const root = structuredClone(base ?? {}) as Record<string, unknown>;
  let node = root;
  for (const key of pointer.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = pointer[pointer.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return root;
}

/** encodeURIComponent, except that a lone surrogate becomes its (invalid) 3-byte WTF-8 escape, e.g. `%ED%A0%80`. */
export function encodeComponent(value: string): string {
  return value
    .split(/(\p{Cs})/u)
    .map((part) =>
      /^\p{Cs}$/u.test(part)
        ? [
            0xe0 | (part.charCodeAt(0) >> 12),
            0x80 | ((part.charCodeAt(0) >> 6) & 0x3f),
            0x80 | (part.charCodeAt(0) & 0x3f),
          ]
            .map((b) => `%${b.toString(16).toUpperCase()}`)
            .join('')
        : encodeURIComponent(part),
    )
    .join('');
}

const encodeQuery = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`)
    .join('&');

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const signedRequest = (fields: Record<string, unknown>) => base64url(encodeJson(fields));

/** Headers outside the OpenAPI parameters that operations read; fuzzed where the description names them. */
const headerValues: Record<string, Array<[string, string]>> = {
  [ACCESS_REQUEST_HEADER]: [],
  [JOB_ACCESS_HEADER]: [],
  'x-souk-result-hash': [
    ['not hex', '0xzz'],
    ['2^256 as hex', `0x1${'0'.repeat(64)}`],
  ],
  'x-souk-runtime-record': [
    ['JSON with NUL', base64url('{"engine":"\\u0000"}')],
    ['not JSON', base64url('{')],
  ],
  range: [
    ['not bytes', 'items=0-1'],
    ['beyond 2^53', 'bytes=99999999999999999999-'],
    ['two ranges', 'bytes=0-1,2-3'],
    ['inverted', 'bytes=9-1'],
  ],
};
/** Values for every signed-request header (base64url JSON of an EIP-712 request). */
const signedRequestValues: Array<[string, string]> = [
  ['empty', ''],
  ['not base64url', '!!!'],
  ['base64url of garbage', base64url('garbage')],
  ['JSON array', base64url('[1]')],
  ['empty object', signedRequest({})],
  ['NUL fields', signedRequest({ consumer: '\u0000', provider: '\u0000', nonce: 'a\u0000', signature: '\u0000' })],
  [
    'values around 2^256',
    signedRequest({
      consumer: '0x000000000000000000000000000000000000dEaD',
      provider: '0x000000000000000000000000000000000000dEaD',
      assetId: (UINT256_MAX + 1n).toString(),
      jobId: (UINT256_MAX + 1n).toString(),
      nonce: `0x${'f'.repeat(64)}`,
      expiry: INFINITE_LITERAL,
      signature: `0x${'0'.repeat(130)}`,
    }),
  ],
  ['8 kB', 'A'.repeat(8_000)],
];
headerValues[ACCESS_REQUEST_HEADER] = signedRequestValues;
headerValues[JOB_ACCESS_HEADER] = signedRequestValues;

/** Raw path-segment values that cannot be produced by encoding a string. */
const rawSegments: Array<[string, string]> = [
  ['malformed escape', '%E0%A4%A'],
  ['lone percent', '%'],
  ['encoded NUL', '%00'],
  ['encoded slash', '..%2F..%2Fetc'],
  ['300 digits (over maxParamLength)', '9'.repeat(300)],
];

/**
 * All cases for one operation: structural cases first (always kept), then field mutations, of which at most
 * `maxCases` − structural are kept (chosen with `random`).
 * @param doc The OpenAPI document (`GET /openapi.json`).
 * @param template The path template, e.g. `/api/v1/assets/{id}`.
 * @param method Lower-case HTTP method.
 * @param random A seeded PRNG ({@link mulberry32}).
 * @param maxCases Cases to keep for this operation (signed-in and signed-out variants each count).
 * @param hint A real value for a path parameter or top-level body field of the base request (e.g. the id of an
 * existing asset), so that the mutations reach past the not-found checks; undefined keeps the sampled value.
 */
export function casesFor(
  doc: OpenApiDocument,
  template: string,
  method: string,
  random: () => number,
  maxCases: number,
  hint: (template: string, method: string, parameter: string) => string | undefined = () => undefined,
): FuzzCase[] {
  const op = doc.paths[template]?.[method] as Operation;
  const secured = (op.security?.length ?? 0) > 0;
  const operation = `${method.toUpperCase()} ${template}`;
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;

  const basePath: Record<string, string> = {};
  for (const p of pathParams) basePath[p.name] = hint(template, method, p.name) ?? String(sample(doc, p.schema));
  const baseQuery: Record<string, string> = {};
  for (const p of queryParams) if (p.required) baseQuery[p.name] = String(sample(doc, p.schema));
  const baseBody = bodySchema ? sample(doc, bodySchema) : undefined;
  if (baseBody !== null && typeof baseBody === 'object' && !Array.isArray(baseBody)) {
    const fields = baseBody as Record<string, unknown>;
    for (const key of Object.keys(fields)) fields[key] = hint(template, method, key) ?? fields[key];
  }

  const fill = (values: Record<string, string>, raw: Record<string, string> = {}) =>
    template.replace(/\{([^}]+)\}/g, (_m, name: string) => raw[name] ?? encodeComponent(values[name] ?? ''));
  type Partial = {
    name: string;
    path?: string;
    query?: string;
    body?: string;
    contentType?: string;
    headers?: Record<string, string>;
  };
  const make = (c: Partial): Omit<FuzzCase, 'signedIn'> => ({
    operation,
    secured,
    method: method.toUpperCase(),
    name: c.name,
    path: c.path ?? fill(basePath),
    query: c.query ?? encodeQuery(baseQuery),
    body: 'body' in c ? c.body : baseBody === undefined ? undefined : encodeJson(baseBody),
    contentType: 'contentType' in c ? c.contentType : baseBody === undefined ? undefined : 'application/json',
    headers: c.headers,
  });

  const structural: Partial[] = [{ name: 'base request' }];
  const mutations: Partial[] = [];
  if (method !== 'get' && method !== 'head') {
    structural.push(
      { name: 'no body', body: undefined, contentType: undefined },
      { name: 'malformed JSON', body: '{"a":', contentType: 'application/json' },
      { name: 'JSON array body', body: '[1,2]', contentType: 'application/json' },
      { name: 'wrong content type (text/plain)', body: encodeJson(baseBody ?? {}), contentType: 'text/plain' },
      { name: 'form-encoded body', body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    );
    mutations.push(
      { name: 'empty JSON object', body: '{}', contentType: 'application/json' },
      { name: 'JSON null body', body: 'null', contentType: 'application/json' },
      { name: 'JSON string body', body: '"x"', contentType: 'application/json' },
      { name: 'NUL in JSON key', body: '{"a\\u0000":1}', contentType: 'application/json' },
      { name: 'deep nesting', body: `${'['.repeat(5_000)}${']'.repeat(5_000)}`, contentType: 'application/json' },
      { name: 'octet-stream body', body: 'raw bytes', contentType: 'application/octet-stream' },
      { name: 'multipart body', body: '--x\r\n\r\nhi\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
      { name: 'unknown content type', body: '<a/>', contentType: 'application/xml' },
    );
  }
  if (bodySchema) {
    mutations.push({
      name: 'extra field',
      body: encodeJson({ ...(baseBody as object), __fuzzExtra: 'x' }),
      contentType: 'application/json',
    });
    for (const [pointer] of fields(doc, bodySchema)) {
      const label = `body.${pointer.join('.')}`;
      mutations.push({
        name: `${label} missing`,
        body: encodeJson(setAt(baseBody, pointer, undefined)),
        contentType: 'application/json',
      });
      for (const [name, value] of [...hostileStrings, ...hostileJson]) {
        mutations.push({
          name: `${label} = ${name}`,
          body: encodeJson(setAt(baseBody, pointer, value)),
          contentType: 'application/json',
        });
      }
    }
  }
  for (const p of queryParams) {
    for (const [name, value] of [...hostileStrings, ['20 kB (over the header limit)', 'q'.repeat(20_000)]]) {
      mutations.push({ name: `query.${p.name} = ${name}`, query: encodeQuery({ ...baseQuery, [p.name]: value }) });
    }
    const repeated = `${encodeQuery(baseQuery)}&${p.name}=1&${p.name}=2`.replace(/^&/, '');
    mutations.push({ name: `query.${p.name} repeated`, query: repeated });
  }
  mutations.push(
    { name: 'unknown query parameter', query: `${encodeQuery(baseQuery)}&__fuzz=1`.replace(/^&/, '') },
    { name: 'NUL in query key', query: `${encodeQuery(baseQuery)}&a%00b=1`.replace(/^&/, '') },
  );
  for (const p of pathParams) {
    for (const [name, value] of hostileStrings) {
      if (value === '') continue; // an empty segment is another route
      mutations.push({ name: `path.${p.name} = ${name}`, path: fill({ ...basePath, [p.name]: value }) });
    }
    for (const [name, raw] of rawSegments) {
      mutations.push({ name: `path.${p.name} = ${name}`, path: fill(basePath, { [p.name]: raw }) });
    }
  }

  const text = `${op.summary ?? ''} ${op.description ?? ''}`.toLowerCase();
  for (const [header, values] of Object.entries(headerValues)) {
    if (!text.includes(header)) continue;
    for (const [name, value] of values)
      mutations.push({ name: `header ${header} = ${name}`, headers: { [header]: value } });
  }
  if (secured) {
    for (const [name, value] of [...signedRequestValues.slice(0, 3), ['unknown key', 'sk_fuzz']] as const) {
      mutations.push({ name: `header x-api-key = ${name}`, headers: { 'x-api-key': value } });
    }
  }

  // Fisher–Yates with the seeded PRNG, then keep the budget.
  for (let i = mutations.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [mutations[i], mutations[j]] = [mutations[j] as Partial, mutations[i] as Partial];
  }
  const chosen = [...structural, ...mutations.slice(0, Math.max(0, maxCases - structural.length * 2))];
  const out: FuzzCase[] = [];
  for (const [i, c] of chosen.entries()) {
    const base = make(c);
    if (i < structural.length) {
      // Structural cases go both ways; mutations mostly signed in where the operation needs a caller.
      out.push({ ...base, signedIn: true }, { ...base, signedIn: false });
    } else {
      out.push({ ...base, signedIn: random() < (secured ? 0.75 : 0.5) });
    }
  }
  return out;
}

/** Every operation of the document as `[template, method]`, in document order. */
export function operations(doc: OpenApiDocument): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) out.push([template, method]);
    }
  }
  return out;
}
