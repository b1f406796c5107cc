/**
 * Uploads with progress. The SDK's `uploadContent` streams a request body with `fetch`, which browsers allow only
 * over HTTP/2 and without upload progress; in the browser a file goes through `XMLHttpRequest`, whose `upload`
 * events report the bytes sent. Same endpoint, same answer (`POST /api/v1/uploads`).
 */
import { type Problem, SoukApiError, type SoukClient, SoukError, type UploadContentReturnType } from '@souk/sdk';

export type UploadFileParameters = {
  /** The file (a `File` from a drop or a picker, or any `Blob`). */
  file: Blob;
  /** Encrypt with a fresh asset key (licensed content). @default true */
  encrypt?: boolean | undefined;
  /** Called as bytes are sent: `loaded` and `total` in bytes. */
  onProgress?: ((loaded: number, total: number) => void) | undefined;
  /** Aborts the upload. */
  signal?: AbortSignal | undefined;
};

/**
 * Streams a file to the node's storage gateway with progress events. Requires a signed-in client.
 * @returns The upload (id, content CID, plaintext size and SHA-256).
 * @throws {SoukApiError} when the node refuses (401 signed out, 413 too large).
 * @throws {SoukError} when the node cannot be reached or the upload is aborted.
 * @example
 * ```ts
 * const upload = await uploadFile(client, { file, onProgress: (sent, total) => setPercent((100 * sent) / total) })
 * ```
 */
export function uploadFile(
  client: SoukClient,
  { file, encrypt = true, onProgress, signal }: UploadFileParameters,
): Promise<UploadContentReturnType> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${client.url}/api/v1/uploads?encrypt=${encrypt}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    if (client.accessToken) xhr.setRequestHeader('authorization', `Bearer ${client.accessToken}`);
    if (client.apiKey) xhr.setRequestHeader('x-api-key', client.apiKey);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) => onProgress?.(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(file.size, file.size);
        resolve(body as UploadContentReturnType);
      } else {
        reject(
          new SoukApiError(
            (body as Problem | undefined) ?? {
              type: 'about:blank',
              title: xhr.statusText || 'Upload failed',
              status: xhr.status,
              detail: xhr.statusText || `The node answered ${xhr.status}.`,
              code: 'UNKNOWN',
            },
          ),
        );
      }
    };
    xhr.onerror = () => reject(new SoukError(`Cannot reach the Souk node at ${client.url || 'this origin'}.`));
    xhr.onabort = () => reject(new SoukError('Upload cancelled.'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
