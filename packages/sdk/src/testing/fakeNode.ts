/**
 * A local node:http server standing in for a Souk node in the SDK's own tests: each test answers requests with a
 * handler and reads back what the SDK sent (method, path, headers, body).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake node received. */
export type Received = { method: string; path: string; headers: http.IncomingHttpHeaders; body: Buffer };

/** What a handler answers: a status, headers and a body (an object is sent as JSON). */
export type Answer = { status?: number; headers?: Record<string, string>; body?: unknown };

/** A running fake node. */
export type FakeNode = {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request so far, in order. */
  received: Received[];
  /** Stops the server and drops open connections. */
  close: () => Promise<void>;
};

/**
 * Starts a fake node on a free loopback port.
 * @param handle Answers one request (may be async); `undefined` answers 404 problem+json.
 */
export async function startFakeNode(handle: (request: Received) => Answer | undefined | Promise<Answer | undefined>) {
  const received: Received[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    received.push(request);
    const answer = (await handle(request)) ?? {
      status: 404,
      headers: { 'content-type': 'application/problem+json' },
      body: {
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: `no route ${request.path}`,
        code: 'NOT_FOUND',
      },
    };
    const isBytes = typeof answer.body === 'string' || answer.body instanceof Uint8Array;
    const headers = {
      ...(isBytes || answer.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...answer.headers,
    };
    res.writeHead(answer.status ?? 200, headers);
    res.end(
      answer.body === undefined
        ? undefined
        : isBytes
          ? (answer.body as string | Uint8Array)
          : JSON.stringify(answer.body),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } satisfies FakeNode;
}

/** A problem+json answer (RFC 9457) as the node sends it. */
export function problem(
  status: number,
  title: string,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Answer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: { type: `https://souk.dev/problems/${code.toLowerCase()}`, title, status, detail, code, ...extra },
  };
}
