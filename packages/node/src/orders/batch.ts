/**
 * Order-time checks of a batch order (`@souk/protocol`'s `batch.ts`): the container is well formed, `maxPrice` is an
 * exact multiple of its N inputs (the per-input price), and the model can take **each** input — the same checks a
 * single order's input passes, run input by input, the first refusal naming its index. A batch with one input the
 * node can tell is bad is refused whole, before escrow and before any provider works: the requester drops or fixes
 * that input and signs again. Inputs that pass these checks but fail in the pipeline come back as `{error}` entries.
 */
import { BatchFormatError, batchPricePerInput, decodeBatch, type JobOrder } from '@souk/protocol';
import { assertInputBytes } from '../compute/inputCheck.ts';
import { assertDeclaredInputs } from '../compute/manifestInputCheck.ts';
import { BadRequestError, InvalidJobInputError, InvalidOrderError } from '../errors.ts';
import type { NodeServices } from '../services.ts';
import type { Manifest } from '../storage/manifest.ts';

/**
 * Checks a batch order's container, price and every input.
 * @param container - The order's input bytes (a `SOUKBAT1` container).
 * @returns The inputs' count and the per-input price, wei.
 * @throws {BadRequestError} 400: the container is malformed.
 * @throws {InvalidOrderError} 422: `maxPrice` is not a multiple of the number of inputs.
 * @throws {InvalidJobInputError} 422: the model cannot take input i (named).
 */
export async function assertBatchInputs(
  services: Pick<NodeServices, 'db' | 'storage'>,
  { order, manifest, container }: { order: JobOrder; manifest: Manifest; container: Uint8Array },
): Promise<{ count: number; pricePerInput: bigint }> {
  let inputs: Uint8Array[];
  try {
    inputs = decodeBatch(container);
  } catch (error) {
    if (error instanceof BatchFormatError) throw new BadRequestError(`Malformed batch input: ${error.message}`);
    throw error;
  }
  let pricePerInput: bigint;
  try {
    pricePerInput = batchPricePerInput(order.maxPrice, inputs.length);
  } catch (error) {
    throw new InvalidOrderError(`A batch is priced per input: ${(error as Error).message}`);
  }
  for (const [i, input] of inputs.entries()) {
    try {
      assertDeclaredInputs({ assetId: order.modelId, manifest, input });
      await assertInputBytes(services, { assetId: order.modelId, manifest, input });
    } catch (error) {
      const message = (error as Error).message;
      if ((error as { statusCode?: number }).statusCode === 422) {
        throw new InvalidJobInputError(`Batch input ${i} of ${inputs.length}: ${message}`);
      }
      throw error;
    }
  }
  return { count: inputs.length, pricePerInput };
}
