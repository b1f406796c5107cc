/**
 * The images this browser submitted as job inputs, kept so that the job page can draw the OCR boxes over them (the
 * node gives a job's input only to its assigned providers). In memory, and in `sessionStorage` when small enough
 * to survive a reload of the tab.
 */
const memory = new Map<string, string>();
const key = (jobId: string) => `souk:job-input:${jobId}`;
/** Largest image kept in sessionStorage, bytes (as a data URL it grows by a third). */
const MAX_STORED_BYTES = 1_500_000;

/** Remembers the input image of `jobId`. */
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

/** The input image of `jobId` as a URL for `<img>`, if this browser submitted it. */
export function jobInputUrl(jobId: string): string | null {
  const url = memory.get(jobId);
  if (url) return url;
  try {
    return sessionStorage.getItem(key(jobId));
  } catch {
    return null;
  }
}
