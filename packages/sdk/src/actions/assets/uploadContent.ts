import type { SoukClient } from '../../clients/createSoukClient.ts';

export type UploadContentParameters = {
  /** The file: bytes, or a stream for large files (streamed, never buffered). */
  data: Uint8Array | ReadableStream<Uint8Array>;
  /** Encrypt with a fresh asset key (licensed asset). @default true */
  encrypt?: boolean | undefined;
};
export type UploadContentReturnType = {
  uploadId: string;
  contentCid: string;
  /** Plaintext bytes. */
  size: number;
  /** Plaintext SHA-256, hex. */
  sha256: string;
  encrypted: boolean;
};

/**
 * Streams a file to the node's storage gateway (`POST /api/v1/uploads`). Requires sign-in.
 * @throws {SoukApiError} 401 without credentials, 413 when too large.
 */
export async function uploadContent(
  client: SoukClient,
  { data, encrypt = true }: UploadContentParameters,
): Promise<UploadContentReturnType> {
  const response = await client.request(`/api/v1/uploads?encrypt=${encrypt}`, {
    method: 'POST',
    body: data,
    raw: true,
    headers: { 'content-type': 'application/octet-stream' },
  });
  return (await response.json()) as UploadContentReturnType;
}
