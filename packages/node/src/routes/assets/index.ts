/**
 * Assets (models, agents, datasets): streaming upload, publish (manifest + mint), versions, and the licensed
 * download gateway. Listing and detail come from the index (`db/queries.ts`).
 */
import { Readable } from 'node:stream';
import { agentNftAbi } from '@souk/contracts';
import { ACCESS_REQUEST_HEADER, modelEvaluationListSchema } from '@souk/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Address, decodeEventLog, encodeFunctionData, type Hex } from 'viem';
import { BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError } from '../../errors.ts';
import { AccessDeniedError, decodeAccessRequest, verifyAccessRequest } from '../../gateway/accessRequest.ts';
import { assetManifest, contentStream, manifestContent } from '../../gateway/assetContent.ts';
import { assertManifestMintable, bindPublishedContent, manifestOrigin } from '../../gateway/contentBinding.ts';
import { listEvaluations } from '../../orders/evaluations.ts';
import { authenticated as auth, problem } from '../common.ts';
import {
  mintManifest,
  type PublishBody,
  publishBodySchema,
  publishResultSchema,
  submitOrPrepare,
  writeManifest,
} from './publish.ts';
import { notModified } from './read.ts';

/** Largest upload, bytes (uploads stream; this only bounds abuse). */
const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,77}$', format: 'uint256' } },
} as const;

/** Responses of the three publishing routes (publish, mint a stored manifest, publish a version). */
const publishResponses = {
  201: publishResultSchema,
  400: problem,
  401: problem,
  403: problem,
  404: problem,
  409: problem,
  422: problem,
} as const;

/** Parses a single `bytes=a-b` range against `size`; undefined when absent; throws 416 when unsatisfiable. */
function parseRange(header: string | undefined, size: number) {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  const fail = () => {
    throw Object.assign(new Error(`Range "${header}" cannot be served for ${size} bytes (one range, bytes=a-b).`), {
      statusCode: 416,
      code: 'SOUK_ERR_RANGE',
    });
  };
  if (!match || (match[1] === '' && match[2] === '')) return fail();
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) return fail();
  return { offset: start, length: end - start + 1 };
}

export default async function assetRoutes(app: FastifyInstance) {
  const { db, chain, storage } = app.souk;

  // Uploads stream: the body parser hands the raw request stream to the handler.
  app.addContentTypeParser('application/octet-stream', { bodyLimit: MAX_UPLOAD_BYTES }, (_request, payload, done) =>
    done(null, payload),
  );

  app.post<{ Querystring: { encrypt: boolean } }>(
    '/uploads',
    {
      preHandler: app.requireAccount,
      bodyLimit: MAX_UPLOAD_BYTES,
      schema: {
        tags: ['assets'],
        summary: 'Stream a file (application/octet-stream) into storage, encrypted with a fresh asset key by default',
        description:
          'Plaintext SHA-256 is computed while streaming; memory stays bounded whatever the size. The asset key is ' +
          'wrapped under the node master key and never returned. Use the returned uploadId in POST /assets.',
        security: auth,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { encrypt: { type: 'boolean', default: true, description: 'false for a public asset' } },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              uploadId: { type: 'string' },
              contentCid: { type: 'string' },
              size: { type: 'integer', description: 'plaintext bytes' },
              sha256: { type: 'string' },
              encrypted: { type: 'boolean' },
            },
          },
          400: problem,
          401: problem,
          413: problem,
          415: problem,
        },
      },
    },
    async (request, reply) => {
      if (request.headers['content-type'] !== 'application/octet-stream') {
        throw Object.assign(new Error('Send the file as application/octet-stream.'), {
          statusCode: 415,
          code: 'SOUK_ERR_MEDIA_TYPE',
        });
      }
      const result = await storage.gateway.upload({ source: request.body as Readable, encrypt: request.query.encrypt });
      const uploadId = crypto.randomUUID();
      await db
        .insertInto('uploads')
        .values({
          id: uploadId,
          uploader: (request.account as string).toLowerCase(),
          content_cid: result.contentCid,
          size: result.size,
          sha256: result.sha256,
          wrapped_key: result.wrappedKey,
          encryption: result.encryption ? JSON.stringify(result.encryption) : null,
        })
        .execute();
      request.log.info({ uploadId, contentCid: result.contentCid, size: result.size }, 'upload stored');
      return reply.status(201).send({
        uploadId,
        contentCid: result.contentCid,
        size: result.size,
        sha256: result.sha256,
        encrypted: result.wrappedKey !== null,
      });
    },
  );

  app.post<{ Body: PublishBody }>(
    '/assets',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['assets'],
        summary: 'Publish an upload: write its manifest (stored as a raw CID) and mint the asset',
        description:
          'On the devnet the node submits the mint from the caller’s dev account; elsewhere (or with mint.mode = ' +
          '"unsigned") it returns the unsigned transaction for the caller’s wallet, which must be the caller’s ' +
          'account: the node releases the content only for the asset its uploader mints. 403: another account’s ' +
          'upload; 409: an upload already published as an asset.',
        security: auth,
        body: publishBodySchema,
        response: publishResponses,
      },
    },
    async (request, reply) => {
      const caller = request.account as Address;
      const manifestCid = await writeManifest(app, caller, request.body);
      return reply.status(201).send(await mintManifest(app, caller, manifestCid, request.body));
    },
  );

  app.post<{
    Body: { manifestCid: string; kind: PublishBody['kind']; royaltyBps: number; mint?: PublishBody['mint'] };
  }>(
    '/models/mint',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['assets'],
        summary: 'Mint an already-stored manifest (seed name: models/mint)',
        description:
          'Only the manifest’s publisher (the uploader of its content) may mint it, once: 403 for another account’s ' +
          'manifest (a copy would never reach the content), 409 when its content is already published as an asset.',
        security: auth,
        body: {
          type: 'object',
          required: ['manifestCid', 'kind', 'royaltyBps'],
          additionalProperties: false,
          properties: {
            manifestCid: { type: 'string', pattern: '^b[a-z2-7]{20,200}$' },
            kind: publishBodySchema.properties.kind,
            royaltyBps: publishBodySchema.properties.royaltyBps,
            mint: publishBodySchema.properties.mint,
          },
        },
        response: publishResponses,
      },
    },
    async (request, reply) => {
      const caller = request.account as Address;
      const origin = await manifestOrigin(db, request.body.manifestCid);
      if (!origin) throw new NotFoundError(`This node stored no manifest ${request.body.manifestCid}.`);
      await assertManifestMintable(db, origin, caller);
      return reply.status(201).send(await mintManifest(app, caller, origin.manifestCid, request.body));
    },
  );

  app.post<{ Params: { id: string }; Body: PublishBody }>(
    '/assets/:id/versions',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['assets'],
        summary: 'Publish a new version of an asset you own (new manifest → publishVersion)',
        description:
          'The upload must be the caller’s own (403 otherwise) and not published as another asset (409). Sent from ' +
          'a wallet, the version’s content is released once the indexer has seen the owner publish it.',
        security: auth,
        params: idParams,
        body: publishBodySchema,
        response: publishResponses,
      },
    },
    async (request, reply) => {
      const caller = request.account as Address;
      const assetId = BigInt(request.params.id);
      const owner = await chain.publicClient
        .readContract({
          address: chain.deployment.contracts.agentNft,
          abi: agentNftAbi,
          functionName: 'ownerOf',
          args: [assetId],
        })
        .catch(() => {
          throw new NotFoundError(`No asset ${assetId}.`);
        });
      if (owner.toLowerCase() !== caller.toLowerCase())
        throw new ForbiddenError(`Only the owner (${owner}) can publish versions.`);
      const manifestCid = await writeManifest(app, caller, request.body, assetId);
      const data = encodeFunctionData({
        abi: agentNftAbi,
        functionName: 'publishVersion',
        args: [assetId, `ipfs://${manifestCid}`],
      });
      const sent = await submitOrPrepare(app, caller, data, request.body.mint?.mode);
      let version: number | null = null;
      for (const log of sent.logs) {
        try {
          const event = decodeEventLog({ abi: agentNftAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
          if (event.eventName === 'VersionPublished') version = Number(event.args.version);
        } catch {}
      }
      // The node sent the owner's own publishVersion (ownerOf checked above): bind the new content to this asset.
      if (version !== null) {
        await bindPublishedContent(db, {
          assetId,
          version,
          uri: `ipfs://${manifestCid}`,
          publisher: caller,
          txHash: sent.transactionHash,
          source: 'node',
        });
      }
      return reply.status(201).send({
        manifestCid,
        manifestUri: `ipfs://${manifestCid}`,
        assetId: String(assetId),
        version,
        transactionHash: sent.transactionHash,
        transaction: sent.transaction,
      });
    },
  );

  /** The manifest of the asset's current version, read from the chain (tokenURI) and the store — not the index. */
  const currentManifest = (assetId: bigint) => assetManifest(app.souk, assetId);

  app.get<{ Params: { id: string } }>(
    '/assets/:id/manifest',
    {
      schema: {
        tags: ['assets'],
        summary: 'The manifest of the asset’s current version',
        params: idParams,
        description:
          '403 for a token copying someone else’s manifest (its content is bound to another asset, see ' +
          'docs/manifest.md), 409 while a version published from a wallet is not indexed yet.',
        response: { 200: { type: 'object', additionalProperties: true }, 403: problem, 404: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const { manifest, manifestCid } = await currentManifest(BigInt(request.params.id));
      // The current version may change: revalidate every time (304 while it is the same manifest CID).
      const etag = `W/"${manifestCid}"`;
      if (notModified(request, reply, etag, 'public, no-cache')) return reply;
      reply.header('etag', etag).header('cache-control', 'public, no-cache');
      return manifest;
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>(
    '/assets/:id/evaluations',
    {
      schema: {
        tags: ['assets'],
        summary:
          'Verified evaluations of a model: accuracy, macro precision/recall/F1 and confusion matrix, newest first',
        description:
          'One entry per evaluation order (a SOUKEVL1 container with a labelled dataset, docs/training.md) whose ' +
          'providers agreed, with the providers who attested it.',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        },
        response: { 200: modelEvaluationListSchema },
      },
    },
    async (request) => ({
      items: await listEvaluations(app.souk.db, BigInt(request.params.id), request.query.limit ?? 20),
    }),
  );

  async function streamContent(
    request: FastifyRequest<{ Params: { id: string }; Querystring: { access?: string } }>,
    reply: FastifyReply,
  ) {
    const assetId = BigInt(request.params.id);
    const { manifest, uploadId } = await currentManifest(assetId);
    const { content } = manifest;
    if (request.query.access !== undefined) {
      // Signed access requests in a URL end up in request logs, proxies and browser history: header only.
      throw new BadRequestError(
        'Access requests are not accepted in the query string (URLs are logged): send it in the X-Souk-Access header.',
      );
    }
    if (content.encryption) {
      const encoded = request.headers[ACCESS_REQUEST_HEADER] as string | undefined;
      if (!encoded) {
        throw new UnauthorizedError(
          'This asset is licensed: send an EIP-712 AccessRequest signed by a licence holder in X-Souk-Access.',
        );
      }
      try {
        await verifyAccessRequest({
          request: decodeAccessRequest(encoded),
          assetId,
          publicClient: chain.publicClient,
          chainId: chain.deployment.chainId,
          licenses: chain.deployment.contracts.licenses,
          consumeNonce: async (nonce: Hex, consumer: Address, expiry: number) => {
            const inserted = await db
              .insertInto('access_nonces')
              .values({
                nonce,
                consumer: consumer.toLowerCase(),
                asset_id: assetId.toString(),
                expires_at: new Date(expiry * 1000),
              })
              .onConflict((oc) => oc.column('nonce').doNothing())
              .returning('nonce')
              .executeTakeFirst();
            return inserted !== undefined;
          },
        });
      } catch (error) {
        if (error instanceof AccessDeniedError) {
          throw error.status === 403 ? new ForbiddenError(error.message) : new UnauthorizedError(error.message);
        }
        throw error;
      }
    }
    // Licensed plaintext is for the licensee who signed this request only: no shared or stored copy.
    if (content.encryption) reply.header('cache-control', 'private, no-store');
    const range = parseRange(request.headers.range, content.size);
    const stream = await contentStream(app.souk, manifestContent(manifest, uploadId), range);
    reply.header('accept-ranges', 'bytes').header('x-content-sha256', content.sha256).type('application/octet-stream');
    if (range) {
      reply
        .status(206)
        .header('content-range', `bytes ${range.offset}-${range.offset + range.length - 1}/${content.size}`)
        .header('content-length', range.length);
    } else {
      reply.status(200).header('content-length', content.size);
    }
    return reply.send(Readable.from(stream));
  }

  app.get<{ Params: { id: string }; Querystring: { access?: string } }>(
    '/assets/:id/content',
    {
      schema: {
        tags: ['assets'],
        summary: 'Download the asset’s plaintext (licensed assets need an EIP-712 access request)',
        description:
          'Public assets stream directly. Licensed assets need `X-Souk-Access: base64url(JSON{consumer, assetId, ' +
          'nonce, expiry, signature})`, an EIP-712 `AccessRequest` (domain "Souk Gateway" v1, verifyingContract = ' +
          'Licenses) whose signer `hasAccess` on-chain; nonces are single-use, expiry ≤ 1 h ahead. Supports one ' +
          'HTTP Range. Without a range, the plaintext SHA-256 is verified and the connection aborted on mismatch. ' +
          'An `access` query parameter is refused with 400 (URLs are logged): use the header. A token copying ' +
          'someone else’s manifest gets 403 whatever its licences (its content is bound to another asset, see ' +
          'docs/manifest.md); 409 while a version published from a wallet is not indexed yet.',
        params: idParams,
        querystring: {
          type: 'object',
          properties: { access: { type: 'string', description: 'Refused with 400: use X-Souk-Access' } },
        },
        response: { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 416: problem },
      },
    },
    streamContent,
  );
}
