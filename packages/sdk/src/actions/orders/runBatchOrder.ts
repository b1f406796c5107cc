import { type BatchItemError, batchPricePerInput, encodeBatch, isBatchItemError } from '@souk/protocol';
import { SoukError } from '../../errors/base.ts';
import type { Order } from './getOrder.ts';
import { type RunOrderParameters, type RunOrderReturnType, runOrder } from './runOrder.ts';

/** Parameters of {@link runBatchOrder}. */
export type RunBatchOrderParameters = Omit<RunOrderParameters, 'input' | 'maxPriceWei' | 'onUpdate'> & {
  /** The inputs, in order (1…10,000, each non-empty); one order carries them all. */
  inputs: readonly Uint8Array[];
  /** The most one input may cost, wei of `currency`: the order's `maxPrice` is `inputs.length ×` this. */
  pricePerInputWei: bigint;
  /** Progress: `packed` (container built), `submitted` (the node accepted the order), `verified` (result checked). */
  onProgress?: ((event: RunBatchOrderProgress) => void) | undefined;
};

/** A step of {@link runBatchOrder}. */
export type RunBatchOrderProgress =
  | { step: 'packed'; inputs: number; bytes: number }
  | { step: 'order'; phase: Order['phase']; orderHash: `0x${string}` }
  | { step: 'verified'; inputs: number; failed: number };

/** One input's outcome, in input order. */
export type BatchItem<TOutput> =
  | { index: number; ok: true; output: TOutput }
  | { index: number; ok: false; error: string };

/** The verified result of a batch order. */
export type RunBatchOrderReturnType<TOutput = unknown> = Omit<RunOrderReturnType<{ batch: unknown[] }>, 'output'> & {
  /** Each input's output (or the reason the model could not take it), in input order. */
  items: Array<BatchItem<TOutput>>;
  /** The order's `maxPrice` divided by the inputs, wei. */
  pricePerInputWei: bigint;
};

/**
 * Runs a model on N inputs as **one** signed order (compute protocol v2 batch, `@souk/protocol`'s `batch.ts`): packs
 * the inputs into a batch container (its SHA-256 is the order's `inputHash`, binding every input and their order),
 * prices it per input (`maxPrice = N × pricePerInputWei`), and runs it as {@link runOrder} does — the r providers'
 * agreement and the SDK's own verification cover the whole list; settlement is one order. A container above 1 MiB is
 * uploaded first. An input the model cannot take comes back as `{ ok: false, error }` in its place.
 * @throws {SoukError} The result is not a batch of N entries (a node or provider out of protocol).
 * @throws {JobFailedError} | {SoukApiError} | {ResultVerificationError} As {@link runOrder} (a batch whose every input
 *   is bad fails as one bad input does; the node refuses, 422, a batch with an input it can already tell is bad).
 * @example
 * ```ts
 * import { parseEther } from 'viem'
 * import { runBatchOrder } from '@souk/sdk'
 * const { items } = await runBatchOrder(client, { assetId: 1n, inputs: pngs, pricePerInputWei: parseEther('0.0001') })
 * for (const item of items) console.log(item.index, item.ok ? item.output : item.error)
 * ```
 */
export async function runBatchOrder<TOutput = unknown>(
  client: Parameters<typeof runOrder>[0],
  parameters: RunBatchOrderParameters,
): Promise<RunBatchOrderReturnType<TOutput>> {
  const { inputs, pricePerInputWei, onProgress, ...rest } = parameters;
  const container = encodeBatch(inputs);
  onProgress?.({ step: 'packed', inputs: inputs.length, bytes: container.length });
  const maxPriceWei = pricePerInputWei * BigInt(inputs.length);
  const run = await runOrder<{ batch?: unknown }>(client, {
    ...rest,
    input: container,
    maxPriceWei,
    onUpdate: (order) => onProgress?.({ step: 'order', phase: order.phase, orderHash: order.orderHash }),
  });
  const batch = run.output?.batch;
  if (!Array.isArray(batch) || batch.length !== inputs.length) {
    throw new SoukError(
      `Order ${run.order.orderHash}'s result is not a batch of ${inputs.length} entries (got ${Array.isArray(batch) ? batch.length : typeof batch}).`,
    );
  }
  const items = batch.map((entry, index): BatchItem<TOutput> => {
    if (isBatchItemError(entry)) return { index, ok: false, error: (entry as BatchItemError).error };
    return { index, ok: true, output: entry as TOutput };
  });
  onProgress?.({ step: 'verified', inputs: inputs.length, failed: items.filter((i) => !i.ok).length });
  const { output: _output, ...verified } = run;
  return { ...verified, items, pricePerInputWei: batchPricePerInput(maxPriceWei, inputs.length) };
}
