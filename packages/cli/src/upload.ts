/**
 * Streaming a file to the node (SDK `uploadContent`) while reporting progress on stderr: a redrawn bar on a
 * terminal, plain lines at each quarter otherwise.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { type SoukClient, type UploadContentReturnType, uploadContent } from '@souk/sdk';
import { formatBytes, progressBar } from './format.ts';

/** Reports bytes sent: `update(sent)` as they go, `done(true)` when all arrived, `done(false)` on failure. */
export type Progress = { update: (sent: number) => void; done: (ok: boolean) => void };

/**
 * A progress reporter for `total` bytes on `stream`.
 * @param stream Where to write. @default process.stderr
 * @param tty Redraw one line (a terminal) or print a line per quarter. @default stream.isTTY
 */
export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  tty = Boolean(stream.isTTY),
): Progress {
  let lastDraw = 0;
  let lastQuarter = -1;
  let finished = false;
  const draw = (sent: number) => stream.write(`\r${label} ${progressBar(sent, total)}\x1b[K`);
  return {
    update(sent) {
      if (tty) {
        const now = Date.now();
        if (now - lastDraw >= 100) {
          lastDraw = now;
          draw(sent);
        }
        return;
      }
      const quarter = total > 0 ? Math.floor((sent / total) * 4) : 4;
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        stream.write(`${label} ${formatBytes(sent)} / ${formatBytes(total)} (${quarter * 25}%)\n`);
      }
    },
    done(ok) {
      if (finished) return;
      finished = true;
      if (!ok) {
        if (tty && lastDraw > 0) stream.write('\n');
        return;
      }
      if (tty) stream.write(`\r${label} ${progressBar(total, total)}\n`);
      else stream.write(`${label} ${formatBytes(total)} / ${formatBytes(total)} (100%)\n`);
    },
  };
}

/**
 * Uploads the file at `path`, streamed (never held in memory), counting bytes as the request body reads them.
 * @param encrypt Encrypt with a fresh asset key (licensed content). @default true
 * @throws {Error} when the file cannot be read.
 * @throws {SoukApiError} 401 without sign-in, 413 when too large.
 */
export async function uploadFile(
  client: SoukClient,
  path: string,
  { encrypt = true, progress }: { encrypt?: boolean; progress?: (total: number) => Progress } = {},
): Promise<UploadContentReturnType> {
  const { size, isFile } = await stat(path).then((s) => ({ size: s.size, isFile: s.isFile() }));
  if (!isFile) throw new Error(`${path} is not a file.`);
  const reporter = progress?.(size);
  let sent = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      sent += chunk.byteLength;
      reporter?.update(sent);
      controller.enqueue(chunk);
    },
  });
  const source = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  try {
    const result = await uploadContent(client, { data: source.pipeThrough(counter), encrypt });
    reporter?.done(true);
    return result;
  } catch (error) {
    reporter?.done(false);
    throw error;
  }
}
