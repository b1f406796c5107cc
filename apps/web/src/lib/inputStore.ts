/**
 * The images and recordings this browser sent as order inputs, kept so that the result can be shown over them (OCR
 * boxes and IS-Net masks over the image, VAD segments under the recording's player): the node gives an order's input
 * only to its assigned providers. In memory, and in `sessionStorage` when small enough to survive a reload of the tab.
 */
const memory = new Map<string, string>();
const key = (orderHash: string) => `souk:order-input:${orderHash}`;
/** Largest input kept in sessionStorage, bytes (as a data URL it grows by a third). */
const MAX_STORED_BYTES = 1_500_000;

/** Remembers the input image or recording of the order `orderHash`. */
export async function rememberOrderInput(orderHash: string, image: Blob): Promise<void> {
  memory.set(orderHash, URL.createObjectURL(image));
  if (image.size > MAX_STORED_BYTES) return;
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(image);
  });
  try {
    sessionStorage.setItem(key(orderHash), dataUrl);
  } catch {
    // Storage full: the in-memory URL still serves this tab.
  }
}

/** The input of the order `orderHash` as a URL for `<img>` or `<audio>`, if this browser sent it. */
export function orderInputUrl(orderHash: string): string | null {
  const url = memory.get(orderHash);
  if (url) return url;
  try {
    return sessionStorage.getItem(key(orderHash));
  } catch {
    return null;
  }
}
