/**
 * The node's referee: re-executes a job on the node's own runtime — the same pipeline code, pinned ONNX Runtime
 * settings and canonical serialisation as every provider (`@souk/provider`'s `createJobExecutor`) — to settle a
 * dispute or audit an agreeing result. Its result is stored and recorded in `job_audits`.
 */
import { computeMarketAbi } from '@souk/contracts';
import { createJobExecutor, createRuntime, type JobExecutor, type Runtime } from '@souk/provider';
import type { Address, Hex } from 'viem';
import { NotFoundError } from '../errors.ts';
import { assetManifest, contentStream, manifestContent, readAll } from '../gateway/assetContent.ts';
import type { NodeServices } from '../services.ts';

/** The referee's verdict on a job. */
export type Verdict = { resultHash: Hex; resultCid: string; matched: boolean };

/** Re-executes jobs. */
export type Referee = {
  /**
   * Re-executes a job and records the result.
   * @param reason - `dispute` (providers disagreed) or `audit` (random check of an agreeing result).
   * @throws {NotFoundError} When the model or input is not in this node's storage.
   */
  execute(jobId: bigint, reason: 'dispute' | 'audit'): Promise<Verdict>;
  /** Records the settlement transaction of a verdict. */
  recordSettlement(jobId: bigint, transactionHash: Hex): Promise<void>;
  /**
   * Runs a job once on the node's runtime and reports how it went, recording nothing: used to reproduce a
   * provider's report that the job itself cannot run (`failure.ts`).
   * @returns `{ ok: true, resultHash }` when it ran, `{ ok: false, error }` with what the executor threw.
   * @throws {NotFoundError} When the model or input is not in this node's storage (nothing was run).
   */
  reproduce(jobId: bigint): Promise<{ ok: true; resultHash: Hex } | { ok: false; error: unknown }>;
  /**
   * Runs a model on an input on the node's runtime (compute protocol v2: audits, disputes and failure reports of
   * orders, whose input the node holds itself).
   * @returns The canonical result and its hash, as a provider computes them.
   * @throws What the executor threw (e.g. `InvalidInputError` for an input the model cannot take).
   * @throws {NotFoundError} When the model's bundle is not in this node's storage.
   */
  runModel(modelId: bigint, input: Uint8Array): Promise<{ resultHash: Hex; result: Uint8Array }>;
  /** Closes the runtime. */
  close(): Promise<void>;
};

/**
 * Reads the input bytes of a job from storage: an upload of the job's **requester** whose plaintext hashes to the
 * on-chain input hash. Bound to the requester because input hashes are public (`JobSubmitted`): anyone can submit a
 * job on-chain naming another user's input hash, and must not get that user's input released to its providers.
 * @param job The on-chain job: `inputHash` (`0x` + SHA-256 of the input) and `requester`.
 * @throws {NotFoundError} When the requester holds no upload with that hash on this node.
 */
export async function jobInput(
  services: Pick<NodeServices, 'db' | 'storage'>,
  job: { inputHash: Hex; requester: Address },
): Promise<Uint8Array> {
  const upload = await services.db
    .selectFrom('uploads')
    .select(['content_cid', 'size', 'sha256', 'wrapped_key'])
    .where('sha256', '=', job.inputHash.toLowerCase().replace(/^0x/, ''))
    .where('uploader', '=', job.requester.toLowerCase())
    .orderBy('created_at', 'asc')
    .executeTakeFirst();
  if (!upload) {
    throw new NotFoundError(`Requester ${job.requester} holds no input with hash ${job.inputHash} on this node.`);
  }
  const stream = await contentStream(services, {
    cid: upload.content_cid,
    size: Number(upload.size),
    sha256: upload.sha256,
    encrypted: upload.wrapped_key !== null,
  });
  return readAll(stream);
}

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
  /**
   * What re-running a job takes: the on-chain job, its model's bundle (the last one kept in memory, by content CID),
   * its input (an upload of its requester) and the executor (created on first use).
   * @throws {NotFoundError} When the model or input is not in this node's storage.
   */
  async function prepare(jobId: bigint) {
    const job = await services.chain.publicClient.readContract({
      address: services.chain.deployment.contracts.computeMarket,
      abi: computeMarketAbi,
      functionName: 'getJob',
      args: [jobId],
    });
    return prepareModel(job.modelId, await jobInput(services, job));
  }
  /** The model's bundle (cached), pipeline and the executor, for one input. */
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
    return { run: executor, pipeline: manifest.runtime?.pipeline ?? 'onnx', bundle, input };
  }
  return {
    async execute(jobId, reason) {
      const { chain, db, storage } = services;
      const market = chain.deployment.contracts.computeMarket;
      const { run, ...material } = await prepare(jobId);
      const executed = await run.execute(material);
      const resultCid = await storage.store.putRaw(executed.result);
      const revealed = await chain.publicClient.readContract({
        address: market,
        abi: computeMarketAbi,
        functionName: 'providersOf',
        args: [jobId],
      });
      let matched = true;
      for (const provider of revealed) {
        const a = await chain.publicClient.readContract({
          address: market,
          abi: computeMarketAbi,
          functionName: 'getAssignment',
          args: [jobId, provider],
        });
        if (a.result !== executed.resultHash) matched = false;
      }
      await db
        .insertInto('job_audits')
        .values({
          job_id: String(jobId),
          reason,
          result_hash: executed.resultHash,
          result_cid: resultCid,
          matched,
        })
        .onConflict((oc) =>
          oc.column('job_id').doUpdateSet({ reason, result_hash: executed.resultHash, result_cid: resultCid, matched }),
        )
        .execute();
      return { resultHash: executed.resultHash, resultCid, matched };
    },
    async reproduce(jobId) {
      const { run, ...material } = await prepare(jobId);
      try {
        const executed = await run.execute(material);
        return { ok: true, resultHash: executed.resultHash };
      } catch (error) {
        return { ok: false, error };
      }
    },
    async runModel(modelId, input) {
      const { run, ...material } = await prepareModel(modelId, input);
      const executed = await run.execute(material);
      return { resultHash: executed.resultHash, result: executed.result };
    },
    async recordSettlement(jobId, transactionHash) {
      await services.db
        .updateTable('job_audits')
        .set({ settle_tx: transactionHash })
        .where('job_id', '=', String(jobId))
        .execute();
    },
    async close() {
      await own?.close();
    },
  };
}
