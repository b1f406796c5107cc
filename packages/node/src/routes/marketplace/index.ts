/**
 * Marketplace: list an asset for sale, buy it, and read listings from the index. Writes are submitted by the node
 * for devnet accounts it holds, or returned as unsigned transactions (approve first when needed).
 */
import { agentNftAbi, marketplaceAbi, soukTokenAbi } from '@souk/contracts';
import type { FastifyInstance } from 'fastify';
import { type Address, encodeFunctionData, zeroAddress } from 'viem';
import { type Call, type TransactMode, transact, unsignedTransactionsSchema } from '../../chain/transact.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { address, uintString } from '../../schemas.ts';

const auth: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];
const problem = { $ref: 'Problem#' } as const;
const mode = { type: 'string', enum: ['submit', 'unsigned'] } as const;
const txResult = {
  type: 'object',
  properties: {
    transactionHashes: { type: 'array', items: { type: 'string' } },
    transactions: unsignedTransactionsSchema,
  },
} as const;

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

  app.post<{ Body: { assetId: string; mode?: TransactMode } }>(
    '/purchase',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['marketplace'],
        summary: 'Buy a listed asset at its current on-chain price (royalty and protocol fee are paid by the contract)',
        security: auth,
        body: {
          type: 'object',
          required: ['assetId'],
          additionalProperties: false,
          properties: { assetId: uintString, mode },
        },
        response: { 200: txResult, 400: problem, 401: problem, 404: problem, 422: problem },
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
      const calls: Call[] = [];
      const native = listing.currency === zeroAddress;
      if (!native) {
        calls.push({
          to: listing.currency,
          data: encodeFunctionData({ abi: soukTokenAbi, functionName: 'approve', args: [marketplace, listing.price] }),
        });
      }
      calls.push({
        to: marketplace,
        data: encodeFunctionData({ abi: marketplaceAbi, functionName: 'buy', args: [tokenId, listing.price] }),
        value: native ? listing.price : 0n,
      });
      const { transactionHashes, transactions } = await transact(chain, caller, calls, request.body.mode);
      return { transactionHashes, transactions };
    },
  );
}
