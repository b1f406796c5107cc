/**
 * Licences: set terms for an asset you own and buy licences, of either usage (`Licenses.Usage`): `access` releases
 * the plaintext (checked on-chain by the storage gateway), `training` lets the licensee order training and
 * evaluation jobs on it without ever receiving it (checked on-chain by `POST /orders`, `compute/trainingData.ts`).
 */
import { licensesAbi } from '@souk/contracts';
import { LICENCE_USAGES, type LicenceUsage as Usage } from '@souk/protocol';
import type { FastifyInstance } from 'fastify';
import { type Address, encodeFunctionData, zeroAddress } from 'viem';
import { payingCalls, type TransactMode, transact } from '../../chain/transact.ts';
import { licencesOf } from '../../db/queries.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { address, uintString } from '../../schemas.ts';
import { query } from '../assets/read.ts';
import { authenticated as auth, transactMode as mode, problem, transactionsResult as txResult } from '../common.ts';

const usage = {
  type: 'string',
  enum: [...LICENCE_USAGES],
  default: 'access',
  description: 'access: the plaintext is released to the licensee; training: it may be trained on (compute-to-data)',
} as const;

/** The Licenses functions of each usage. */
const FUNCTIONS = {
  access: { setTerms: 'setTerms', getTerms: 'getTerms', isOpen: 'isLicensingOpen', purchaseAt: 'purchaseLicenseAt' },
  training: {
    setTerms: 'setTrainingTerms',
    getTerms: 'getTrainingTerms',
    isOpen: 'isTrainingLicensingOpen',
    purchaseAt: 'purchaseTrainingLicenseAt',
  },
} as const;

export default async function licenceRoutes(app: FastifyInstance) {
  const { chain } = app.souk;
  const { licenses } = chain.deployment.contracts;

  app.post<{
    Body: {
      assetId: string;
      price: string;
      currency?: Address;
      durationSeconds?: number;
      usage?: Usage;
      mode?: TransactMode;
    };
  }>(
    '/terms',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['licences'],
        summary: 'Set the licence terms of an asset you own (duration 0 or absent = perpetual)',
        security: auth,
        body: {
          type: 'object',
          required: ['assetId', 'price'],
          additionalProperties: false,
          properties: {
            assetId: uintString,
            price: { ...uintString, description: 'wei of currency' },
            currency: address,
            durationSeconds: { type: 'integer', minimum: 0, maximum: 2 ** 53 - 1 },
            usage,
            mode,
          },
        },
        response: { 200: txResult, 400: problem, 401: problem, 422: problem },
      },
    },
    async (request) => {
      const { assetId, price, currency, durationSeconds = 0 } = request.body;
      const data = encodeFunctionData({
        abi: licensesAbi,
        functionName: FUNCTIONS[request.body.usage ?? 'access'].setTerms,
        args: [BigInt(assetId), currency ?? zeroAddress, BigInt(price), BigInt(durationSeconds)],
      });
      const { transactionHashes, transactions } = await transact(
        chain,
        request.account as Address,
        [{ to: licenses, data }],
        request.body.mode,
      );
      return { transactionHashes, transactions };
    },
  );

  app.post<{
    Body: {
      assetId: string;
      licensee?: Address;
      expectedCurrency?: Address;
      expectedPrice?: string;
      expectedDurationSeconds?: number;
      usage?: Usage;
      mode?: TransactMode;
    };
  }>(
    '/purchase',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['licences'],
        summary:
          'Buy a licence at the terms the buyer saw (purchaseLicenseAt: reverts if currency, price or duration changed)',
        description:
          'Pass the terms you were shown as expectedCurrency / expectedPrice / expectedDurationSeconds: the node ' +
          'answers 409 if the on-chain terms already differ, and the transaction reverts if the owner changes them ' +
          'before it lands. Omitted fields default to the terms the node reads now.',
        security: auth,
        body: {
          type: 'object',
          required: ['assetId'],
          additionalProperties: false,
          properties: {
            assetId: uintString,
            licensee: address,
            expectedCurrency: { ...address, description: 'currency seen (0x0…0 native)' },
            expectedPrice: { ...uintString, description: 'price seen, wei of the currency' },
            expectedDurationSeconds: {
              type: 'integer',
              minimum: 0,
              maximum: Number.MAX_SAFE_INTEGER,
              description: 'duration seen, seconds; 0 = perpetual',
            },
            usage,
            mode,
          },
        },
        response: { 200: txResult, 400: problem, 401: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request) => {
      const caller = request.account as Address;
      const assetId = BigInt(request.body.assetId);
      const kind = request.body.usage ?? 'access';
      const fns = FUNCTIONS[kind];
      const [terms, open] = await Promise.all([
        chain.publicClient.readContract({
          address: licenses,
          abi: licensesAbi,
          functionName: fns.getTerms,
          args: [assetId],
        }),
        chain.publicClient.readContract({
          address: licenses,
          abi: licensesAbi,
          functionName: fns.isOpen,
          args: [assetId],
        }),
      ]);
      if (!open)
        throw new NotFoundError(
          `Asset ${assetId} has no open ${kind} licence terms (never set, closed, or set by a previous owner).`,
        );
      const { expectedCurrency, expectedPrice, expectedDurationSeconds } = request.body;
      const seen = {
        currency: expectedCurrency ?? terms.currency,
        price: expectedPrice === undefined ? terms.price : BigInt(expectedPrice),
        duration: expectedDurationSeconds === undefined ? terms.duration : BigInt(expectedDurationSeconds),
      };
      if (
        seen.currency.toLowerCase() !== terms.currency.toLowerCase() ||
        seen.price !== terms.price ||
        seen.duration !== terms.duration
      ) {
        throw new ConflictError(
          `The licence terms of asset ${assetId} changed: you saw ${seen.price} wei of ${seen.currency} for ` +
            `${seen.duration} s, they are now ${terms.price} wei of ${terms.currency} for ${terms.duration} s ` +
            '(0 s = perpetual).',
        );
      }
      const data = encodeFunctionData({
        abi: licensesAbi,
        functionName: fns.purchaseAt,
        args: [assetId, request.body.licensee ?? caller, seen.currency, seen.price, seen.duration],
      });
      const calls = payingCalls(terms.currency, terms.price, licenses, data);
      const { transactionHashes, transactions } = await transact(chain, caller, calls, request.body.mode);
      return { transactionHashes, transactions };
    },
  );

  app.get<{ Params: { assetId: string; account: Address } }>(
    '/:assetId/:account',
    {
      schema: {
        tags: ['licences'],
        summary: 'Whether an account has access to (and may train on) an asset now, read from the chain',
        params: {
          type: 'object',
          required: ['assetId', 'account'],
          properties: { assetId: uintString, account: address },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              hasAccess: { type: 'boolean' },
              expiresAt: { type: 'string', description: 'unix seconds; 0 none' },
              canTrain: { type: 'boolean', description: 'holds a training licence, or owns the asset' },
              trainingExpiresAt: { type: 'string', description: 'unix seconds; 0 none' },
            },
          },
        },
      },
    },
    async (request) => {
      const assetId = BigInt(request.params.assetId);
      const [hasAccess, expiresAt, canTrain, trainingExpiresAt] = await Promise.all([
        chain.publicClient.readContract({
          address: licenses,
          abi: licensesAbi,
          functionName: 'hasAccess',
          args: [request.params.account, assetId],
        }),
        chain.publicClient.readContract({
          address: licenses,
          abi: licensesAbi,
          functionName: 'licenseExpiry',
          args: [assetId, request.params.account],
        }),
        chain.publicClient.readContract({
          address: licenses,
          abi: licensesAbi,
          functionName: 'canTrain',
          args: [request.params.account, assetId],
        }),
        chain.publicClient.readContract({
          address: licenses,
          abi: licensesAbi,
          functionName: 'trainingLicenseExpiry',
          args: [assetId, request.params.account],
        }),
      ]);
      return { hasAccess, expiresAt: String(expiresAt), canTrain, trainingExpiresAt: String(trainingExpiresAt) };
    },
  );

  app.get<{ Querystring: { active: boolean } }>(
    '/mine',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['licences'],
        summary: 'Licences the signed-in account holds (from the index)',
        security: auth,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { active: { type: 'boolean', default: false } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    assetId: { type: 'string' },
                    name: { type: ['string', 'null'] },
                    kind: { type: 'string' },
                    expiresAt: { type: ['string', 'null'], description: 'null = perpetual' },
                    active: { type: 'boolean' },
                    purchases: { type: 'integer' },
                  },
                },
              },
            },
          },
          401: problem,
        },
      },
    },
    async (request) => {
      const rows = await query(() =>
        licencesOf(app.souk.db, { address: request.account as string, activeOnly: request.query.active }),
      );
      return {
        items: rows.map((l) => ({
          assetId: l.asset_id,
          name: l.name,
          kind: l.kind,
          expiresAt: l.expires_at ? new Date(l.expires_at).toISOString() : null,
          active: l.active,
          purchases: l.purchases,
        })),
      };
    },
  );
}
