/**
 * Lineage royalties of derived models (docs/training.md): `GET /assets/:id/royalties` reads a model's RoyaltySplit
 * from the chain — its recipients and what waits to be split — and `POST /assets/:id/royalties/collect` has the split
 * pull its job creator shares from the ComputeEscrow and pay everyone (`RoyaltySplit.collect`; anyone may, since the
 * money only ever goes to the split's fixed recipients).
 */
import { agentNftAbi, computeEscrowAbi, lineageRoyaltiesAbi, royaltySplitAbi } from '@souk/contracts';
import { type AssetRoyalties, assetRoyaltiesSchema } from '@souk/protocol';
import type { FastifyInstance } from 'fastify';
import { type Address, encodeFunctionData, zeroAddress } from 'viem';
import { type TransactMode, transact } from '../../chain/transact.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { address } from '../../schemas.ts';
import { authenticated as auth, transactMode as mode, problem, transactionsResult as txResult } from '../common.ts';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^(0|[1-9][0-9]{0,77})$' } },
} as const;

export default async function royaltyRoutes(app: FastifyInstance) {
  const { chain } = app.souk;

  /** The asset's split and creator; `split` null for an asset not minted through LineageRoyalties. */
  async function splitOf(assetId: bigint): Promise<{ split: Address | null; creator: Address }> {
    const creator = await chain.publicClient
      .readContract({
        address: chain.deployment.contracts.agentNft,
        abi: agentNftAbi,
        functionName: 'creatorOf',
        args: [assetId],
      })
      .catch(() => {
        throw new NotFoundError(`No asset ${assetId}.`);
      });
    const split = await chain.publicClient.readContract({
      address: chain.deployment.contracts.lineageRoyalties,
      abi: lineageRoyaltiesAbi,
      functionName: 'splitOf',
      args: [assetId],
    });
    return split === zeroAddress ? { split: null, creator } : { split, creator };
  }

  app.get<{ Params: { id: string } }>(
    '/assets/:id/royalties',
    {
      schema: {
        tags: ['assets'],
        summary: "A model's lineage royalty split: recipients, shares, and what waits to be split (from the chain)",
        params: idParams,
        response: { 200: assetRoyaltiesSchema, 404: problem },
      },
    },
    async (request): Promise<AssetRoyalties> => {
      const assetId = BigInt(request.params.id);
      const { split, creator } = await splitOf(assetId);
      if (!split)
        return { assetId: String(assetId), split: null, creator: creator.toLowerCase(), recipients: [], pending: [] };
      const [minter, accounts, bps] = await chain.publicClient.readContract({
        address: split,
        abi: royaltySplitAbi,
        functionName: 'recipients',
      });
      const currencies: Address[] = [
        zeroAddress,
        ...(chain.deployment.stablecoin ? [chain.deployment.stablecoin] : []),
      ];
      const pending = await Promise.all(
        currencies.map(async (currency) => {
          const [escrowCredits, distributable] = await Promise.all([
            chain.publicClient.readContract({
              address: chain.deployment.contracts.computeEscrow,
              abi: computeEscrowAbi,
              functionName: 'creditsOf',
              args: [currency, split],
            }),
            chain.publicClient.readContract({
              address: split,
              abi: royaltySplitAbi,
              functionName: 'distributable',
              args: [currency],
            }),
          ]);
          return {
            currency: currency.toLowerCase(),
            escrowCredits: escrowCredits.toString(),
            distributable: distributable.toString(),
          };
        }),
      );
      return {
        assetId: String(assetId),
        split: split.toLowerCase(),
        creator: minter.toLowerCase(),
        recipients: accounts.map((account, i) => ({ account: account.toLowerCase(), bps: Number(bps[i]) })),
        pending,
      };
    },
  );

  app.post<{ Params: { id: string }; Body: { currency?: Address; mode?: TransactMode } }>(
    '/assets/:id/royalties/collect',
    {
      preHandler: app.requireAccount,
      schema: {
        tags: ['assets'],
        summary: "Pays out a model's lineage royalties: the split collects its escrow credits and splits them",
        description:
          'Sends `RoyaltySplit.collect(ComputeEscrow, currency)` from the caller (anyone may: the shares go to the ' +
          "split's fixed recipients). 409 when the escrow holds nothing for the split in that currency; a balance " +
          'pushed to the split (sale and licence royalties) is split by the same call whenever credits are collected.',
        security: auth,
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { currency: { ...address, description: '0x0…0 (default) native, else the ERC-20' }, mode },
        },
        response: { 200: txResult, 401: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request) => {
      const assetId = BigInt(request.params.id);
      const { split } = await splitOf(assetId);
      if (!split) throw new NotFoundError(`Asset ${assetId} was not minted with a lineage royalty split.`);
      const currency = request.body?.currency ?? zeroAddress;
      const credits = await chain.publicClient.readContract({
        address: chain.deployment.contracts.computeEscrow,
        abi: computeEscrowAbi,
        functionName: 'creditsOf',
        args: [currency, split],
      });
      if (credits === 0n) {
        throw new ConflictError(
          `The ComputeEscrow holds no ${currency} credits for asset ${assetId}'s split ${split}.`,
        );
      }
      const data = encodeFunctionData({
        abi: royaltySplitAbi,
        functionName: 'collect',
        args: [chain.deployment.contracts.computeEscrow, currency],
      });
      const { transactionHashes, transactions } = await transact(
        chain,
        request.account as Address,
        [{ to: split, data }],
        request.body?.mode,
      );
      return { transactionHashes, transactions };
    },
  );
}
