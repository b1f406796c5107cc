/**
 * Request-body timeouts. A client that stops sending its body gets a 408 problem+json and the connection is
 * closed, instead of holding a connection (and, for uploads, a half-written stream) open for minutes.
 *
 * - Idle timeout, every body: no byte received for `idleMs` while the node is ready to read more → 408. A slow
 *   but progressing upload is never cut off — every chunk restarts the clock, and time the node itself spends
 *   not reading (backpressure from storage) does not count against the client.
 * - Total deadline, bodies the node buffers (JSON and every type except the streamed `application/octet-stream`):
 *   the whole body within `totalMs` of the start of parsing → 408. Those bodies are at most `bodyLimit` (1 MiB), so
 *   a deadline bounds a trickling client without hurting an honest one; streamed uploads (up to 64 GiB) only have
 *   the idle timeout, because any fixed deadline would cut off a slow link that is still making progress.
 *
 * Headers have their own deadline (node's `headersTimeout`, set in `app.ts`).
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { RequestTimeoutError } from '../errors.ts';

/** Options of {@link bodyTimeoutPlugin}. */
export type BodyTimeoutOptions = {
  /** Most milliseconds without a body byte while the node waits for one; 0 disables. */
  idleMs: number;
  /** Most milliseconds to receive a whole buffered (non-streamed) body; 0 disables. */
  totalMs: number;
};

/** Passes the body through unchanged and fails it with a {@link RequestTimeoutError} when the client stalls. */
class BodyDeadline extends Transform {
  readonly #idleMs: number;
  #idle: NodeJS.Timeout | undefined;
  #total: NodeJS.Timeout | undefined;

  constructor(idleMs: number, totalMs: number) {
    super();
    this.#idleMs = idleMs;
    this.#arm();
    if (totalMs > 0) {
      this.#total = setTimeout(
        () => this.destroy(new RequestTimeoutError(`The request body was not received within ${totalMs} ms.`)),
        totalMs,
      );
    }
  }

  #arm() {
    clearTimeout(this.#idle);
    if (this.#idleMs <= 0 || this.destroyed) return;
    this.#idle = setTimeout(
      () =>
        this.destroy(new RequestTimeoutError(`The client sent no request body bytes for ${this.#idleMs} ms; closing.`)),
      this.#idleMs,
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    clearTimeout(this.#idle);
    this.push(chunk);
    // Wait for the client only while the reader keeps up; `_read` re-arms once it asks for more.
    if (this.readableLength < this.readableHighWaterMark) this.#arm();
    callback();
  }

  override _read(size: number) {
    super._read(size);
    if (!this.writableEnded) this.#arm();
  }

  override _flush(callback: TransformCallback) {
    this.#clear();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    this.#clear();
    callback(error);
  }

  #clear() {
    clearTimeout(this.#idle);
    clearTimeout(this.#total);
    this.#idle = undefined;
    this.#total = undefined;
  }
}

/**
 * Wraps every request body in a {@link BodyDeadline} (a `preParsing` hook); requests without a body are untouched.
 * @param options Idle and total timeouts in milliseconds.
 */
async function bodyTimeoutPlugin(app: FastifyInstance, { idleMs, totalMs }: BodyTimeoutOptions) {
  if (idleMs <= 0 && totalMs <= 0) return;
  app.addHook('preParsing', async (request, _reply, payload) => {
    const { headers } = request;
    if (headers['transfer-encoding'] === undefined && (headers['content-length'] ?? '0') === '0') return payload;
    const streamed = (headers['content-type'] ?? '').toLowerCase().startsWith('application/octet-stream');
    const guard = new BodyDeadline(idleMs, streamed ? 0 : totalMs);
    payload.on('error', (error) => guard.destroy(error));
    guard.on('error', () => payload.unpipe(guard));
    return payload.pipe(guard);
  });
}

export default fp(bodyTimeoutPlugin, { name: 'souk-body-timeout' });
