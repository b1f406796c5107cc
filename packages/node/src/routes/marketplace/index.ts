/**
 * Marketplace: list an asset for sale, buy it, and read listings from the index. Writes are submitted by the node
 * for devnet accounts it holds, or returned as unsigned transactions (approve first when needed).
 */
import { agentNftAbi, marketplaceAbi } from '@souk/contracts';
import type { FastifyInstance } from 'fastify';
import { type Address, encodeFunctionData, zeroAddress } from 'viem';
import { type Call, payingCalls, type TransactMode, transact } from '../../chain/transact.ts';
import { assetsOfOwner, cachedRead, listListings } from '../../db/queries.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.ts';
import { address, uintString } from '../../schemas.ts';
import { query, toAsset } from '../assets/read.ts';
import { authenticated as auth, transactMode as mode, problem, transactionsResult as txResult } from '../common.ts';

export default async function marketplaceRoutes(app: FastifyInstance) {
  const { chain } = app.souk;
  const { agentNft, marketplace } = chain.deployment.contracts;

  app.post<{ Body: { assetId: string; price: string; currency?: Address; mode?: TransactMode } }>(
    '/list',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['marketplace'],
        summary: 'List an asset you own at a fixed price (approves the marketplace first if needed)',
        security: auth,
        body: {
          type: 'object',
          required: ['assetId', 'price'],
          additionalProperties: false,
          properties: {
            assetId: uintString,
            price: { ...uintString, description: 'wei of currency' },
            currency: address,
            mode,
          },
        },
        response: { 200: txResult, 400: problem, 401: problem, 403: problem, 404: problem, 422: problem },
      },
    },
    async (request) => {
      const caller = request.account as Address;
      const tokenId = BigInt(request.body.assetId);
      const owner = await chain.publicClient
        .readContract({ address: agentNft, abi: agentNftAbi, functionName: 'ownerOf', args: [tokenId] })
        .catch(() => {
          throw new NotFoundError(`No asset ${tokenId}.`);
        });
      if (owner.toLowerCase() !== caller.toLowerCase())
        throw new ForbiddenError(`Asset ${tokenId} belongs to ${owner}.`);
      const calls: Call[] = [];
      const approved = await chain.publicClient.readContract({
        address: agentNft,
        abi: agentNftAbi,
        functionName: 'isApprovedForAll',
        args: [caller, marketplace],
      });
      if (!approved) {
        calls.push({
          to: agentNft,
          data: encodeFunctionData({ abi: agentNftAbi, functionName: 'setApprovalForAll', args: [marketplace, true] }),
        });
      }
      calls.push({
        to: marketplace,
        data: encodeFunctionData({
          abi: marketplaceAbi,
          functionName: 'list',
          args: [tokenId, request.body.currency ?? zeroAddress, BigInt(request.body.price)],
        }),
      });
      const { transactionHashes, transactions } = await transact(chain, caller, calls, request.body.mode);
      return { transactionHashes, transactions };
    },
  );

  app.post<{ Body: { assetId: string; expectedCurrency?: Address; expectedPrice?: string; mode?: TransactMode } }>(
    '/purchase',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['marketplace'],
        summary:
          'Buy a listed asset at the price and currency the buyer saw (royalty and protocol fee are paid by the contract)',
        description:
          'Pass the listing you were shown as expectedCurrency / expectedPrice: the node answers 409 if the listing ' +
          'already differs, and the transaction reverts if the seller changes it before it lands. Omitted fields ' +
          'default to the listing the node reads now.',
        security: auth,
        body: {
          type: 'object',
          required: ['assetId'],
          additionalProperties: false,
          properties: {
            assetId: uintString,
            expectedCurrency: { ...address, description: 'currency seen (0x0…0 native)' },
            expectedPrice: { ...uintString, description: 'price seen, wei of the currency' },
            mode,
          },
        },
        response: { 200: txResult, 400: problem, 401: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request) => {
      const caller = request.account as Address;
      const tokenId = BigInt(request.body.assetId);
      const listing = await chain.publicClient.readContract({
        address: marketplace,
        abi: marketplaceAbi,
        functionName: 'getListing',
        args: [tokenId],
      });
      if (listing.seller === zeroAddress) throw new NotFoundError(`Asset ${tokenId} is not listed.`);
      const { expectedCurrency, expectedPrice } = request.body;
      const seenCurrency = expectedCurrency ?? listing.currency;
      const seenPrice = expectedPrice === undefined ? listing.price : BigInt(expectedPrice);
      if (seenCurrency.toLowerCase() !== listing.currency.toLowerCase() || seenPrice !== listing.price) {
        throw new ConflictError(
          `The listing of asset ${tokenId} changed: you saw ${seenPrice} wei of ${seenCurrency}, it is now ` +
            `${listing.price} wei of ${listing.currency}.`,
        );
      }
      const data = encodeFunctionData({
        abi: marketplaceAbi,
        functionName: 'buy',
        args: [tokenId, seenCurrency, seenPrice],
      });
      const calls = payingCalls(listing.currency, listing.price, marketplace, data);
      const { transactionHashes, transactions } = await transact(chain, caller, calls, request.body.mode);
      return { transactionHashes, transactions };
    },
  );

  app.get<{ Querystring: { active: boolean; seller?: string; limit: number; cursor?: string } }>(
    '/list',
    {
      schema: {
        tags: ['marketplace'],
        summary: 'Listings from the index, newest first, cursor-paginated (seed name: marketplace/list)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            active: { type: 'boolean', default: true },
            seller: address,
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
            cursor: { type: 'string', maxLength: 512 },
          },
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
                    seller: { type: 'string' },
                    currency: { type: 'string' },
                    priceWei: { type: 'string' },
                    active: { type: 'boolean' },
                    listedBlock: { type: 'integer' },
                    listedAt: { type: 'string' },
                    kind: { type: 'string' },
                    name: { type: ['string', 'null'] },
                  },
                },
              },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          400: problem,
        },
      },
    },
    async (request) => {
      const { db } = app.souk;
      const page = await query(() =>
        cachedRead(db, `listings:${JSON.stringify(request.query)}`, () => listListings(db, request.query)),
      );
      return {
        items: page.items.map((l) => ({
          assetId: l.token_id,
          seller: l.seller,
          currency: l.currency,
          priceWei: l.price,
          active: l.active,
          listedBlock: l.listed_block,
          listedAt: new Date(l.listed_at).toISOString(),
          kind: l.kind,
          name: l.name,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get<{ Params: { address: string } }>(
    '/user/:address/agents',
    {
      schema: {
        tags: ['marketplace'],
        summary: 'Assets an account owns (seed name: marketplace/user/{address}/agents)',
        params: { type: 'object', required: ['address'], properties: { address } },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'Asset#' } } } },
          400: problem,
        },
      },
    },
    async (request) => ({
      items: (await query(() => assetsOfOwner(app.souk.db, { address: request.params.address }))).map(toAsset),
    }),
  );
}
