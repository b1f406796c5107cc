/**
 * The transport every action uses: base URL, credentials, JSON and problem+json handling.
 */
import { type Problem, SoukApiError, SoukError } from '../errors/base.ts';

export type SoukClientConfig = {
  /** Node base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Access token (from `signIn`) sent as `Authorization: Bearer`. */
  accessToken?: string | undefined;
  /** API key sent as `x-api-key` (alternative to an access token). */
  apiKey?: string | undefined;
  /** fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
};

/** A client: configuration plus `request`. Actions take it as their first argument. */
export type SoukClient = {
  readonly url: string;
  accessToken: string | undefined;
  apiKey: string | undefined;
  /**
   * Calls the API. JSON bodies are serialised; other bodies (streams, bytes) are sent as given. Statuses in
   * `accept` are returned like 2xx answers (e.g. 503 of `/ready`, whose body is not a problem).
   * @throws {SoukApiError} on a non-2xx answer not in `accept` (with the problem+json body).
   * @throws {SoukError} when the node cannot be reached.
   */
  request: (
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: boolean; accept?: number[] },
  ) => Promise<Response>;
  /** Same, and parses JSON (`undefined` for 204). */
  json: <T>(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string>; accept?: number[] },
  ) => Promise<T>;
};

/**
 * Creates a Souk API client.
 * @example
 * ```ts
 * import { createSoukClient, listAssets } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const { items } = await listAssets(client, { kind: 'model' })
 * ```
 */
export function createSoukClient({
  url,
  accessToken,
  apiKey,
  fetch: fetchImpl = globalThis.fetch,
}: SoukClientConfig): SoukClient {
  const base = url.replace(/\/+$/, '');
  const client: SoukClient = {
    url: base,
    accessToken,
    apiKey,
    async request(path, { method = 'GET', body, headers = {}, raw = false, accept = [] } = {}) {
      const all: Record<string, string> = { ...headers };
      if (client.accessToken) all.authorization = `Bearer ${client.accessToken}`;
      if (client.apiKey) all['x-api-key'] = client.apiKey;
      let payload: BodyInit | undefined;
      if (body !== undefined && !raw) {
        all['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      } else payload = body as BodyInit | undefined;
      let response: Response;
      try {
        response = await fetchImpl(`${base}${path}`, {
          method,
          headers: all,
          body: payload,
          ...(raw && body ? { duplex: 'half' } : {}),
        } as RequestInit);
      } catch (cause) {
        throw new SoukError(`Cannot reach the Souk node at ${base}.`, { cause, details: (cause as Error).message });
      }
      if (!response.ok && !accept.includes(response.status)) {
        // A body that is not an RFC 9457 problem (HTML from a proxy, empty, other JSON) gets one from the status line.
        let problem: Problem = {
          type: 'about:blank',
          title: response.statusText,
          status: response.status,
          detail: response.statusText,
          code: 'UNKNOWN',
        };
        try {
          const body = (await response.json()) as Partial<Problem> | null;
          if (body && typeof body === 'object' && typeof body.title === 'string') {
            problem = { ...problem, ...body, status: response.status };
          }
        } catch {}
        throw new SoukApiError(problem);
      }
      return response;
    },
    async json<T>(
      path: string,
      init?: { method?: string; body?: unknown; headers?: Record<string, string>; accept?: number[] },
    ) {
      const response = await client.request(path, init);
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
  };
  return client;
}
