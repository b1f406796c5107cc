/**
 * Training and its verification in the terms the marketplace's users know them by (docs/training.md):
 *
 * | route | what it is |
 * | --- | --- |
 * | `POST /models/train` | submit a training job: an order on a training recipe (pipeline `train`) |
 * | `GET /training/:id` | a training job's status and, once verified, its weights hash and loss curve |
 * | `POST /verify/training` | submit a training verification: an evaluation order (a `SOUKEVL1` input) |
 * | `GET /verify/status/:id` | its status and, once verified, the metrics recorded on the model's card |
 * | `GET /analytics/performance` | every evaluated model's verified metrics |
 *
 * A job here is an order of the compute market like any other (compute protocol v2): the submit routes check what
 * makes it a training job or a verification, then hand the request to `POST /orders` unchanged, so acceptance,
 * escrow checks and signatures have one implementation; the status routes read `GET /orders/:hash` (which admits
 * only the order's requester) and reshape it.
 */
import {
  isEvaluation,
  isEvaluationOutput,
  isTrainOutput,
  modelPerformanceListSchema,
  trainingStatusSchema,
  verificationStatusSchema,
} from '@souk/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Hex } from 'viem';
import { InvalidJobInputError } from '../../errors.ts';
import { MAX_ORDER_INPUT_BYTES } from '../../orders/accept.ts';
import { findEvaluation } from '../../orders/evaluations.ts';
import { orderModel } from '../../orders/model.ts';
import { modelPerformance } from '../../orders/performance.ts';
import { bytes32 } from '../../schemas.ts';
import { query } from '../assets/read.ts';
import { authenticated as auth, problem } from '../common.ts';
import { submitOrderProblems } from '../orders/index.ts';

/** The part of a `POST /orders` body these routes look at; the rest is passed on as sent. */
type SubmitBody = { order?: { modelId?: string }; assetId?: string; input?: string };

/** The parts of `GET /orders/:hash`'s answer the status routes reshape. */
type OrderAnswer = {
  orderHash: Hex;
  order: { modelId: string; modelVersion: number };
  phase: string;
  resultHash: string | null;
  output: unknown;
  attestations: { provider: string }[];
  settleTx: string | null;
  reason: string | null;
};

/** `POST /orders`' own body limit: an inline input (base64) and the order around it. */
const ORDER_BODY_LIMIT = Math.ceil((MAX_ORDER_INPUT_BYTES * 4) / 3) + 64 * 1024;

/** Verified: the phases in which the result shown is the agreed (or referee's) one. */
const VERIFIED_PHASES = ['agreed', 'ready', 'settling', 'settled'];

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { ...bytes32, description: 'the job (its order hash)' } },
} as const;

/** Same body as `POST /orders` (validated there): a signed `order` + `signature`, or the devnet fields. */
const submitBody = { type: 'object', additionalProperties: true } as const;

export default async function trainingRoutes(app: FastifyInstance) {
  /**
   * Hands a request to another route of this node as the caller sent it: same credentials, same body. The target
   * authenticates and validates again, so nothing here is trusted on its behalf.
   */
  async function forward(request: FastifyRequest, reply: FastifyReply, method: 'GET' | 'POST', url: string) {
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'x-api-key']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await app.inject({
      method,
      url,
      headers,
      // The inner request is the one the rate limiter counts (the outer routes opt out), against the caller's address
      // — not the loopback address every forwarded request would otherwise share.
      remoteAddress: request.ip,
      ...(method === 'POST' ? { payload: request.body as object } : {}),
    });
    let body: unknown = answer.body;
    try {
      body = answer.json();
    } catch {} // not JSON (none of the orders routes answer so): passed on as text
    return { status: answer.statusCode, body, type: answer.headers['content-type'], reply };
  }

  /** The model an order body names (signed order, or the devnet path's `assetId`). */
  function modelIdOf(body: SubmitBody): bigint | undefined {
    const id = body.order?.modelId ?? body.assetId;
    return typeof id === 'string' && /^[0-9]{1,78}$/.test(id) ? BigInt(id) : undefined;
  }

  /** Sends an answer from `POST /orders` or `GET /orders/:hash` on as it is (errors keep their problem+json). */
  function passOn(forwarded: Awaited<ReturnType<typeof forward>>) {
    const { reply, status, body, type } = forwarded;
    if (type) reply.header('content-type', type);
    return reply.status(status).send(body);
  }

  /**
   * A submit route: `check` refuses what is not this kind of job (throwing a problem), then the request goes to
   * `POST /orders` as sent.
   */
  function submitRoute(
    url: string,
    docs: { summary: string; description: string },
    check: (body: SubmitBody, modelId: bigint | undefined) => Promise<void>,
  ) {
    app.post<{ Body: SubmitBody }>(
      url,
      {
        preHandler: app.requireAccount,
        bodyLimit: ORDER_BODY_LIMIT,
        config: { rateLimit: false },
        schema: {
          tags: ['training'],
          ...docs,
          security: auth,
          body: submitBody,
          response: { 202: { type: 'object', additionalProperties: true }, ...submitOrderProblems },
        },
      },
      async (request, reply) => {
        await check(request.body, modelIdOf(request.body));
        return passOn(await forward(request, reply, 'POST', '/api/v1/orders'));
      },
    );
  }

  /** The pipeline of the model an order names (404 / 403 as `orderModel` throws them). */
  const pipelineOf = async (modelId: bigint) => (await orderModel(app.souk, modelId)).manifest.runtime?.pipeline;

  submitRoute(
    '/models/train',
    {
      summary: 'Submit a training job: an order on a training recipe (same body as POST /orders)',
      description:
        'The model must be a training recipe (`runtime.pipeline: "train"`, docs/training.md) and the input a ' +
        'labelled dataset. r providers train it deterministically and are verified by agreeing on the weights ' +
        'hash. Answers 202 with the order; follow it with GET /training/{id}.',
    },
    async (_body, modelId) => {
      if (modelId === undefined) return; // POST /orders names what is missing
      const pipeline = await pipelineOf(modelId);
      if (pipeline !== 'train') {
        throw new InvalidJobInputError(
          `Asset #${modelId} is not a training recipe (its pipeline is ${pipeline ? `"${pipeline}"` : 'not set'}): ` +
            'train on an asset whose runtime.pipeline is "train", or run it with POST /orders.',
        );
      }
    },
  );

  submitRoute(
    '/verify/training',
    {
      summary:
        'Submit a training verification: an evaluation order on a classifier (same body as POST /orders, the input a SOUKEVL1 container)',
      description:
        'r providers compute accuracy, macro precision/recall/F1 and the confusion matrix of the model on the ' +
        "labelled dataset; when they agree the metrics go on the model's card. Answers 202 with the order; " +
        'follow it with GET /verify/status/{id}.',
    },
    async ({ input }, modelId) => {
      if (typeof input === 'string' && !isEvaluation(Buffer.from(input, 'base64'))) {
        throw new InvalidJobInputError(
          'A training verification takes an evaluation container: the 8 bytes SOUKEVL1 and a labelled .npz ' +
            '(encodeEvaluation in @souk/protocol).',
        );
      }
      if (modelId !== undefined && (await pipelineOf(modelId)) !== 'onnx') {
        throw new InvalidJobInputError(
          `Asset #${modelId} is not an ONNX classifier (pipeline "onnx"): only those can be evaluated.`,
        );
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/training/:id',
    {
      preHandler: app.requireAccount,
      config: { rateLimit: false },
      schema: {
        tags: ['training'],
        summary: 'A training job (its requester only): phase and, once verified, the weights hash and loss curve',
        security: auth,
        params: idParams,
        response: { 200: trainingStatusSchema, 401: problem, 403: problem, 404: problem },
      },
    },
    async (request, reply) => {
      const forwarded = await forward(request, reply, 'GET', `/api/v1/orders/${request.params.id.toLowerCase()}`);
      if (forwarded.status !== 200) return passOn(forwarded);
      const o = forwarded.body as OrderAnswer;
      const training = VERIFIED_PHASES.includes(o.phase) && isTrainOutput(o.output) ? o.output.training : undefined;
      const verified = training !== undefined;
      return {
        trainingId: o.orderHash,
        recipeId: o.order.modelId,
        phase: o.phase,
        verified,
        weightsHash: training?.weightsHash ?? null,
        samples: training?.samples ?? null,
        classes: training?.classes ?? null,
        history: training ? { loss: training.history.loss, accuracy: training.history.accuracy } : null,
        providers: verified ? o.attestations.map((a) => a.provider) : [],
        settleTx: o.settleTx,
        reason: o.reason,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/verify/status/:id',
    {
      preHandler: app.requireAccount,
      config: { rateLimit: false },
      schema: {
        tags: ['training'],
        summary:
          "A training verification (its requester only): phase and, once verified, the metrics on the model's card",
        security: auth,
        params: idParams,
        response: { 200: verificationStatusSchema, 401: problem, 403: problem, 404: problem },
      },
    },
    async (request, reply) => {
      const hash = request.params.id.toLowerCase();
      const forwarded = await forward(request, reply, 'GET', `/api/v1/orders/${hash}`);
      if (forwarded.status !== 200) return passOn(forwarded);
      const o = forwarded.body as OrderAnswer;
      // The card's record, as the coordinator wrote it at agreement (absent for an order that is not an evaluation).
      const recorded = isEvaluationOutput(o.output) ? await findEvaluation(app.souk.db, hash) : undefined;
      return {
        verificationId: o.orderHash,
        modelId: o.order.modelId,
        modelVersion: o.order.modelVersion,
        phase: o.phase,
        evaluation: recorded ?? null,
        reason: o.reason,
      };
    },
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/analytics/performance',
    {
      schema: {
        tags: ['analytics'],
        summary: "Every evaluated model's verified performance: evaluations, datasets, the newest and the best",
        description:
          'From the evaluations whose r providers agreed (GET /assets/{id}/evaluations lists one model’s in full), ' +
          'the most recently evaluated models first.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        },
        response: { 200: modelPerformanceListSchema, 400: problem },
      },
    },
    async (request) => ({ items: await query(() => modelPerformance(app.souk.db, request.query.limit ?? 20)) }),
  );
}
