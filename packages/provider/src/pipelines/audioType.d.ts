/** Types of `audio-type` (it ships none): the container/codec name detected from a file's first bytes. */
declare module 'audio-type' {
  /**
   * Detects an audio format from a file's leading bytes.
   * @param bytes - The file, or at least its first few kilobytes.
   * @returns `wav`, `mp3`, `flac`, `oga`, `opus`, `m4a`, `aac`, `aiff`, `caf`, `webm`, … or `undefined`.
   */
  export default function audioType(bytes: ArrayBuffer | Uint8Array): string | undefined;
}
