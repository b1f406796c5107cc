/**
 * Compute jobs: submission (escrow on-chain), the indexed job record, its verified result, and the job gateway
 * providers use — job-authorised download of the model bundle and input, and upload of their result before they
 * commit its hash.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { computeMarketAbi } from '@souk/contracts';
import { JOB_ACCESS_HEADER, JOB_STATUS_NAMES } from '@souk/protocol';
import type { FastifyInstance } from 'fastify';
import { type Address, decodeEventLog, encodeFunctionData, type Hex, zeroAddress, zeroHash } from 'viem';
import { payingCalls, transact } from '../../chain/transact.ts';
import { chainNow } from '../../compute/chainClock.ts';
import { assertJobInput } from '../../compute/inputCheck.ts';
import { verifyJobAccess } from '../../compute/jobAccess.ts';
import { jobInput } from '../../compute/referee.ts';
import { getJob, listJobs } from '../../db/queries.ts';
import type { JobStatus } from '../../db/schema.ts';
import { BadRequestError, ConflictError, ForbiddenError, InvalidOrderError, NotFoundError } from '../../errors.ts';
import { assetManifest, contentStream, manifestContent } from '../../gateway/assetContent.ts';
import { findUnusableValue } from '../../plugins/inputGuard.ts';
import { address, uintString } from '../../schemas.ts';
import { query } from '../assets/read.ts';
import { authenticated as auth, problem, transactionsResult, transactMode } from '../common.ts';
import { jobFailure } from './failure.ts';

/** Largest result a provider may store, bytes (OCR results are a few KiB; tensors can be larger). */
const MAX_RESULT_BYTES = 16 * 1024 * 1024;

type SubmitBody = {
  assetId: string;
  uploadId: string;
  redundancy?: number;
  rewardWei: string;
  currency?: Address;
  deadlineSeconds?: number;
  mode?: 'submit' | 'unsigned';
};

const jsonSafe = (value: unknown) =>
  JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));

export default async function jobRoutes(app: FastifyInstance) {
  const { db, chain, storage } = app.souk;
  const market = chain.deployment.contracts.computeMarket;
  const readJob = (jobId: bigint) =>
    chain.publicClient.readContract({ address: market, abi: computeMarketAbi, functionName: 'getJob', args: [jobId] });
  const idParams = { type: 'object', required: ['id'], properties: { id: uintString } } as const;
  // Results arrive as raw bytes; the handler reads the stream (bounded by bodyLimit).
  app.addContentTypeParser('application/octet-stream', { bodyLimit: MAX_RESULT_BYTES }, (_request, payload, done) =>
    done(null, payload),
  );

  app.post<{ Body: SubmitBody }>(
    '/',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['jobs'],
        summary: 'Submit a compute job: run an asset on an uploaded input, reward escrowed in ComputeMarket',
        description:
          'Upload the input first (POST /uploads). The input hash on-chain is the SHA-256 of the input plaintext. ' +
          'The reward (wei of `currency`, native when absent) is split on settlement: 80 % to the agreeing providers, ' +
          '15 % treasury, 5 % the creator (governed bps). The node submits for devnet accounts; otherwise it returns ' +
          'the unsigned transactions (an ERC-20 approve first when paying in a token).',
        security: auth,
        body: {
          type: 'object',
          required: ['assetId', 'uploadId', 'rewardWei'],
          additionalProperties: false,
          properties: {
            assetId: uintString,
            uploadId: { type: 'string', format: 'uuid' },
            redundancy: {
              type: 'integer',
              minimum: 1,
              maximum: 5,
              default: 2,
              description: 'r providers that must agree',
            },
            rewardWei: { ...uintString, description: 'escrowed payment, wei of currency' },
            currency: { ...address, description: 'ERC-20 to pay in; absent: native' },
            deadlineSeconds: { type: 'integer', minimum: 30, maximum: 7 * 24 * 3600, default: 900 },
            mode: transactMode,
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              jobId: { type: ['string', 'null'] },
              inputHash: { type: 'string' },
              deadline: { type: 'integer', description: 'Unix seconds' },
              ...transactionsResult.properties,
            },
          },
          400: problem,
          401: problem,
          403: problem,
          404: problem,
          422: problem,
        },
      },
    },
    async (request, reply) => {
      const caller = request.account as Address;
      const body = request.body;
      const assetId = BigInt(body.assetId);
      const { manifest } = await assetManifest(app.souk, assetId);
      if (manifest.kind === 'dataset') throw new BadRequestError(`Asset ${assetId} is a dataset: it cannot be run.`);
      if (!manifest.runtime) throw new BadRequestError(`Asset ${assetId} declares no runtime: it cannot be run.`);
      const upload = await db.selectFrom('uploads').selectAll().where('id', '=', body.uploadId).executeTakeFirst();
      if (!upload) throw new NotFoundError(`No upload ${body.uploadId}.`);
      if (upload.uploader !== caller.toLowerCase()) throw new ForbiddenError('That upload belongs to another account.');
      // The model must be able to take the input (422 naming what is wrong) before anything is written or escrowed.
      await assertJobInput(app.souk, { assetId, manifest, upload });
      const inputHash = `0x${upload.sha256}` as Hex;
      // Nothing is written here: the job gateway finds the input as an upload of the job's requester with this hash.
      // From the chain's now (the next block's time), not the latest block's: an idle devnet's last block can be
      // minutes old, and a deadline counted from it would already have passed when the job is mined.
      const deadline = (await chainNow(chain.publicClient)) + (body.deadlineSeconds ?? 900);
      const reward = BigInt(body.rewardWei);
      const currency = body.currency ?? zeroAddress;
      // A cheap pre-check, not the guard: `transact` simulates approve + submitJob whole and sends nothing if the
      // market refuses the currency. It stays for what `transact` cannot see: unsigned mode (the caller's wallet
      // would get an approve ahead of a doomed submitJob) and RPCs without eth_simulateV1 (each call is simulated
      // only just before it is sent there, so the approve would go out first).
      if (
        currency !== zeroAddress &&
        !(await chain.publicClient.readContract({
          address: market,
          abi: computeMarketAbi,
          functionName: 'isCurrencyAllowed',
          args: [currency as Address],
        }))
      ) {
        throw new InvalidOrderError(`Currency ${currency} is not allowed by the ComputeMarket.`);
      }
      const data = encodeFunctionData({
        abi: computeMarketAbi,
        functionName: 'submitJob',
        args: [assetId, inputHash, reward, currency, body.redundancy ?? 2, deadline],
      });
      const sent = await transact(chain, caller, payingCalls(currency, reward, market, data), body.mode);
      let jobId: string | null = null;
      for (const log of sent.logs) {
        try {
          const event = decodeEventLog({
            abi: computeMarketAbi,
            data: log.data,
            topics: log.topics as [Hex, ...Hex[]],
          });
          if (event.eventName === 'JobSubmitted') jobId = String(event.args.jobId);
        } catch {}
      }
      app.souk.compute?.kick();
      return reply.status(201).send({
        jobId,
        inputHash,
        deadline,
        transactionHashes: sent.transactionHashes,
        transactions: sent.transactions,
      });
    },
  );

  app.get<{
    Querystring: {
      model?: string;
      requester?: string;
      provider?: string;
      status?: JobStatus;
      limit: number;
      cursor?: string;
    };
  }>(
    '/',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Jobs, newest first: filter by model, requester, provider or status; cursor pagination',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            model: { ...uintString, description: 'asset id' },
            requester: address,
            provider: address,
            status: { type: 'string', enum: [...JOB_STATUS_NAMES.slice(1)] },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            cursor: { type: 'string', maxLength: 512 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: { type: 'object', additionalProperties: true } },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          400: problem,
        },
      },
    },
    async (request) => {
      const { model, ...rest } = request.query;
      const page = await query(() => listJobs(db, { ...rest, modelId: model }));
      return jsonSafe(page);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'A job with its providers, events and payouts (wei as decimal strings)',
        params: idParams,
        response: { 200: { type: 'object', additionalProperties: true }, 404: problem },
      },
    },
    async (request) => {
      const job = await query(() => getJob(db, { id: request.params.id }));
      if (!job) throw new NotFoundError(`No job ${request.params.id} in the index.`);
      const audit = await db
        .selectFrom('job_audits')
        .selectAll()
        .where('job_id', '=', request.params.id)
        .executeTakeFirst();
      // A reason is shown only for a job the index holds as failed: the row is written before failJob is sent, and
      // a job whose failJob never landed (or was reorged away) finalizes or refunds instead.
      const failure = job.status === 'failed' ? await jobFailure(db, request.params.id) : null;
      return jsonSafe({ ...job, audit: audit ?? null, failure });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/:id/result',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['jobs'],
        summary: 'The verified result of a settled job (requester only)',
        description:
          'Available once the job is finalized or its dispute settled: the output whose SHA-256 equals the on-chain ' +
          'result hash, the providers that produced it with their runtime records, and any referee audit. 409 before.',
        security: auth,
        params: idParams,
        response: {
          200: { type: 'object', additionalProperties: true },
          401: problem,
          403: problem,
          404: problem,
          409: problem,
        },
      },
    },
    async (request) => {
      const jobId = BigInt(request.params.id);
      const job = await readJob(jobId);
      if (job.status === 0) throw new NotFoundError(`No job ${jobId}.`);
      if (job.requester.toLowerCase() !== (request.account as string).toLowerCase()) {
        throw new ForbiddenError(`Only the requester (${job.requester}) can read the result of job ${jobId}.`);
      }
      const status = JOB_STATUS_NAMES[job.status];
      if (job.resultHash === zeroHash) {
        throw new ConflictError(`Job ${jobId} has no verified result yet (status ${status}).`);
      }
      const results = await db.selectFrom('job_results').selectAll().where('job_id', '=', String(jobId)).execute();
      const audit = await db
        .selectFrom('job_audits')
        .selectAll()
        .where('job_id', '=', String(jobId))
        .executeTakeFirst();
      const resultHash = job.resultHash.toLowerCase();
      const cid =
        results.find((r) => r.result_hash === resultHash)?.result_cid ??
        (audit?.result_hash === resultHash ? audit.result_cid : undefined);
      if (!cid) throw new NotFoundError(`This node does not hold the result of job ${jobId}.`);
      const bytes = await storage.store.getRaw(cid);
      return {
        jobId: String(jobId),
        status,
        resultHash,
        resultCid: cid,
        output: JSON.parse(new TextDecoder().decode(bytes)),
        providers: results.map((r) => ({
          provider: r.provider,
          resultHash: r.result_hash,
          agreed: r.result_hash === resultHash,
          runtimeRecord: r.runtime_record,
        })),
        audit: audit ? jsonSafe(audit) : null,
      };
    },
  );

  // ── the job gateway (providers) ──

  for (const part of ['model', 'input'] as const) {
    app.get<{ Params: { id: string } }>(
      `/:id/${part}`,
      {
        schema: {
          tags: ['jobs'],
          summary: `Job-authorised download of the job’s ${part === 'model' ? 'model bundle' : 'input'} (assigned providers)`,
          description:
            'Needs `X-Souk-Job-Access: base64url(JSON{provider, jobId, nonce, expiry, signature})`, an EIP-712 ' +
            '`JobAccess` (domain "Souk Gateway" v1, verifyingContract = ComputeMarket) signed by a provider ' +
            'assigned to the job while it runs. Streams the plaintext; `x-content-sha256` carries its hash.',
          params: idParams,
          response: { 401: problem, 403: problem, 404: problem },
        },
      },
      async (request, reply) => {
        const jobId = BigInt(request.params.id);
        await verifyJobAccess(app.souk, request.headers[JOB_ACCESS_HEADER] as string | undefined, jobId);
        const job = await readJob(jobId);
        if (part === 'input') {
          const bytes = await jobInput(app.souk, job);
          return reply
            .header('x-content-sha256', job.inputHash.slice(2))
            .type('application/octet-stream')
            .send(Buffer.from(bytes));
        }
        const { manifest } = await assetManifest(app.souk, job.modelId);
        const stream = await contentStream(app.souk, manifestContent(manifest));
        return reply
          .header('x-content-sha256', manifest.content.sha256)
          .header('content-length', manifest.content.size)
          .type('application/octet-stream')
          .send(Readable.from(stream));
      },
    );
  }

  app.post<{ Params: { id: string } }>(
    '/:id/results',
    {
      bodyLimit: MAX_RESULT_BYTES,
      schema: {
        tags: ['jobs'],
        summary: 'An assigned provider stores its canonical result before committing its hash',
        description:
          'Body: the canonical result bytes (application/octet-stream). `x-souk-result-hash`: `0x` + their SHA-256 ' +
          '(checked). `x-souk-runtime-record`: base64url JSON of the pinned runtime settings. Needs X-Souk-Job-Access.',
        params: idParams,
        response: {
          201: { type: 'object', properties: { resultCid: { type: 'string' }, resultHash: { type: 'string' } } },
          400: problem,
          401: problem,
          403: problem,
          413: problem,
        },
      },
    },
    async (request, reply) => {
      const jobId = BigInt(request.params.id);
      const provider = await verifyJobAccess(app.souk, request.headers[JOB_ACCESS_HEADER] as string | undefined, jobId);
      const body = request.body;
      if (!(body instanceof Readable)) throw new BadRequestError('Send the result as application/octet-stream.');
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const bytes = new Uint8Array(Buffer.concat(chunks));
      const claimed = String(request.headers['x-souk-result-hash'] ?? '').toLowerCase();
      const actual = `0x${createHash('sha256').update(bytes).digest('hex')}`;
      if (claimed !== actual) {
        throw new BadRequestError(
          `x-souk-result-hash ${claimed || '(missing)'} is not the SHA-256 of the body (${actual}).`,
        );
      }
      // A canonical result is UTF-8 JSON (`@souk/provider` result.ts); anything else is refused before it is stored,
      // so the requester's GET /jobs/:id/result can always decode it.
      try {
        JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch {
        throw new BadRequestError('The result is not UTF-8 JSON: send the canonical result bytes.');
      }
      let runtimeRecord: string | null = null;
      const header = request.headers['x-souk-runtime-record'];
      if (typeof header === 'string') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
        } catch {
          throw new BadRequestError('x-souk-runtime-record is not base64url JSON.');
        }
        // Checked before anything is stored: the database refuses NUL and lone surrogates in jsonb, and the result
        // block would otherwise be written before the row insert fails.
        const unusable = findUnusableValue(parsed, { numbers: true });
        if (unusable) {
          throw new BadRequestError(`x-souk-runtime-record${unusable.instancePath} ${unusable.message}.`);
        }
        runtimeRecord = JSON.stringify(parsed);
      }
      const resultCid = await storage.store.putRaw(bytes);
      await db
        .insertInto('job_results')
        .values({
          job_id: String(jobId),
          provider: provider.toLowerCase(),
          result_hash: actual,
          result_cid: resultCid,
          size: bytes.length,
          runtime_record: runtimeRecord,
        })
        .onConflict((oc) =>
          oc.columns(['job_id', 'provider']).doUpdateSet({
            result_hash: actual,
            result_cid: resultCid,
            size: bytes.length,
            runtime_record: runtimeRecord,
          }),
        )
        .execute();
      return reply.status(201).send({ resultCid, resultHash: actual });
    },
  );
}
