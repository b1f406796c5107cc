/**
 * The images and recordings this browser submitted as job inputs, kept so that the result can be shown over them (OCR
 * boxes and IS-Net masks over the image, VAD segments under the recording's player): the node gives a job's input only
 * to its assigned providers. In memory, and in `sessionStorage` when small enough to survive a reload of the tab.
 */
const memory = new Map<string, string>();
const key = (jobId: string) => `souk:job-input:${jobId}`;
/** Largest input kept in sessionStorage, bytes (as a data URL it grows by a third). */
const MAX_STORED_BYTES = 1_500_000;

/** Remembers the input image or recording of `jobId` (an order hash, or a v1 job id). */
export async function rememberJobInput(jobId: string, image: Blob): Promise<void> {
  memory.set(jobId, URL.createObjectURL(image));
  if (image.size > MAX_STORED_BYTES) return;
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(image);
  });
  try {
    sessionStorage.setItem(key(jobId), dataUrl);
  } catch {
    // Storage full: the in-memory URL still serves this tab.
  }
}

/** The input of `jobId` as a URL for `<img>` or `<audio>`, if this browser submitted it. */
export function jobInputUrl(jobId: string): string | null {
  const url = memory.get(jobId);
  if (url) return url;
  try {
    return sessionStorage.getItem(key(jobId));
  } catch {
    return null;
  }
}
