/**
 * The one error of the data formats (`tensor.ts`, `npy.ts`, `runLengthMask.ts`): bytes or values that are not what
 * the format says. Packages with their own error taxonomy re-throw it as theirs (the provider as
 * `InvalidInputError`, with the same message and details).
 */

/**
 * Thrown for data that breaks its format: a `.npy` file with a bad magic, header or dtype, a tensor whose data does
 * not fill its dims, a run-length mask whose counts do not add up to its size.
 *
 * @example
 * ```ts
 * import { FormatError, parseNpy } from '@souk/protocol'
 * try {
 *   parseNpy(new Uint8Array(3))
 * } catch (error) {
 *   if (error instanceof FormatError) console.warn(error.shortMessage, error.details)
 * }
 * ```
 */
export class FormatError extends Error {
  override name = 'FormatError' as const;
  /** One sentence saying what is wrong, without the details. */
  readonly shortMessage: string;
  /** Why, when there is more to say (e.g. why a NumPy dtype is refused); `undefined` otherwise. */
  readonly details: string | undefined;

  /**
   * @param shortMessage One sentence saying what is wrong.
   * @param options `details`: the reason behind it, appended to `message` after a blank line.
   */
  constructor(shortMessage: string, { details }: { details?: string | undefined } = {}) {
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage);
    this.shortMessage = shortMessage;
    this.details = details;
  }
}
