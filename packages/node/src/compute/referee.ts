/**
 * The node's referee: re-executes an order's model on its input on the node's own runtime — the same pipeline code,
 * pinned ONNX Runtime settings and canonical serialisation as every provider (`@souk/provider`'s
 * `createJobExecutor`) — to audit an agreeing result, settle a dispute, or reproduce a provider's report that the
 * input cannot run. The coordinator (`orders/coordinator.ts`) records what the referee found in the order's state.
 */
import { createJobExecutor, createRuntime, type JobExecutor, type Runtime } from '@souk/provider';
import type { Hex } from 'viem';
import { assetManifest, contentStream, manifestContent, readAll } from '../gateway/assetContent.ts';
import type { NodeServices } from '../services.ts';
import { isDatasetReference, referencedDataset } from './trainingData.ts';

/** Re-executes models on inputs. */
export type Referee = {
  /**
   * Runs a model on an input on the node's runtime (audits, disputes and failure reports of orders, whose input the
   * node holds itself).
   * @param modelId The model asset id (its manifest names the bundle and pipeline).
   * @param input The input bytes.
   * @returns The canonical result and its hash (`0x` + SHA-256), as a provider computes them.
   * @throws What the executor threw (e.g. `InvalidInputError` for an input the model cannot take).
   * @throws {NotFoundError} When the model's bundle is not in this node's storage.
   */
  runModel(modelId: bigint, input: Uint8Array): Promise<{ resultHash: Hex; result: Uint8Array }>;
  /** Closes the runtime. */
  close(): Promise<void>;
};

/**
 * Creates the referee over the node's services.
 * @param runtime - A runtime to use; default: one of its own (1 thread, CPU), created on first use.
 */
export function createReferee(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  { runtime }: { runtime?: Runtime | undefined } = {},
): Referee {
  let own: Runtime | undefined;
  let executor: JobExecutor | undefined;
  const bundles = new Map<string, Uint8Array>();
  /** The model's bundle (the last one kept in memory, by content CID), pipeline and the executor, for one input. */
  async function prepareModel(modelId: bigint, input: Uint8Array) {
    const { manifest } = await assetManifest(services, modelId);
    let bundle = bundles.get(manifest.content.cid);
    if (!bundle) {
      bundle = await readAll(await contentStream(services, manifestContent(manifest)));
      bundles.clear();
      bundles.set(manifest.content.cid, bundle);
    }
    if (!executor) {
      if (!runtime) own = createRuntime();
      executor = createJobExecutor({ runtime: runtime ?? (own as Runtime) });
    }
    // A training job on a licensed dataset: the referee reads the dataset as the providers did (compute-to-data).
    const data = isDatasetReference(input) ? await referencedDataset(services, input) : input;
    return { run: executor, pipeline: manifest.runtime?.pipeline ?? 'onnx', bundle, input: data };
  }
  return {
    async runModel(modelId, input) {
      const { run, ...material } = await prepareModel(modelId, input);
      const executed = await run.execute(material);
      return { resultHash: executed.resultHash, result: executed.result };
    },
    async close() {
      await own?.close();
    },
  };
}
