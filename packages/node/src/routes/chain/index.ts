/**
 * Chain endpoints: status, contract addresses, decoded Souk events, gas estimates and transactions.
 */
import type { FastifyInstance } from 'fastify';
import { type Abi, type Address, decodeEventLog, formatGwei, type Hex } from 'viem';
import { revertReason } from '../../chain/transact.ts';
import { NotFoundError } from '../../errors.ts';
import { contractsByAddress, indexedAbis } from '../../indexer/events.ts';
import { bytes32 } from '../../schemas.ts';

/** JSON-safe copy of decoded event args (bigints as decimal strings). */
function jsonArgs(args: unknown): unknown {
  return JSON.parse(JSON.stringify(args ?? {}, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

const eventSchema = {
  type: 'object',
  properties: {
    contract: { type: 'string' },
    event: { type: 'string' },
    args: { type: 'object', additionalProperties: true },
    blockNumber: { type: 'string' },
    transactionHash: { type: 'string' },
    logIndex: { type: 'integer' },
  },
} as const;

export default async function chainRoutes(app: FastifyInstance) {
  const { chain } = app.souk;
  // The same address → contract map and ABIs the indexer decodes with.
  const byAddress = contractsByAddress(chain.deployment);
  const decode = (log: {
    address: Address;
    data: Hex;
    topics: readonly Hex[];
    blockNumber: bigint | null;
    transactionHash: Hex | null;
    logIndex: number | null;
  }) => {
    const contract = byAddress.get(log.address.toLowerCase());
    if (!contract) return undefined;
    try {
      const decoded = decodeEventLog({
        abi: indexedAbis[contract] as Abi,
        data: log.data,
        topics: log.topics as [Hex, ...Hex[]],
      });
      return {
        contract,
        event: String(decoded.eventName),
        args: jsonArgs(decoded.args) as Record<string, unknown>,
        blockNumber: String(log.blockNumber),
        transactionHash: String(log.transactionHash),
        logIndex: log.logIndex as number,
      };
    } catch {
      return undefined;
    }
  };

  app.get(
    '/status',
    {
      schema: {
        tags: ['chain'],
        summary: 'Chain id, head block, gas price and indexer position',
        response: {
          200: {
            type: 'object',
            properties: {
              chainId: { type: 'integer' },
              blockNumber: { type: 'string' },
              blockTimestamp: { type: 'string' },
              gasPriceGwei: { type: 'string' },
              devnet: { type: 'boolean' },
              indexerLag: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
            },
          },
        },
      },
    },
    async () => {
      const [block, gasPrice] = await Promise.all([chain.publicClient.getBlock(), chain.publicClient.getGasPrice()]);
      return {
        chainId: chain.deployment.chainId,
        blockNumber: String(block.number),
        blockTimestamp: String(block.timestamp),
        gasPriceGwei: formatGwei(gasPrice),
        devnet: chain.devnet,
        indexerLag: app.souk.indexer ? await app.souk.indexer.lag() : null,
      };
    },
  );

  app.get(
    '/contracts',
    {
      schema: {
        tags: ['chain'],
        summary: 'Souk contract addresses and deployment block',
        response: {
          200: {
            type: 'object',
            properties: {
              chainId: { type: 'integer' },
              deploymentBlock: { type: 'string' },
              contracts: { $ref: 'Contracts#' },
              roles: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
    },
    async () => ({
      chainId: chain.deployment.chainId,
      deploymentBlock: chain.deployment.blockNumber,
      contracts: chain.deployment.contracts,
      roles: chain.deployment.roles,
    }),
  );

  app.get<{ Querystring: { fromBlock?: string; limit: number } }>(
    '/events',
    {
      schema: {
        tags: ['chain'],
        summary: 'Recent decoded Souk events, newest first (scans at most 5,000 blocks back)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            fromBlock: { type: 'string', pattern: '^[0-9]{1,20}$', format: 'uint64' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: eventSchema } } } },
      },
    },
    async (request) => {
      const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
      const floor = BigInt(chain.deployment.blockNumber);
      let from = request.query.fromBlock ? BigInt(request.query.fromBlock) : head - 5_000n;
      if (from < floor) from = floor;
      if (from < head - 5_000n) from = head - 5_000n;
      const logs =
        from > head
          ? []
          : await chain.publicClient.getLogs({
              address: [...byAddress.keys()] as Address[],
              fromBlock: from,
              toBlock: head,
            });
      const events = logs.map(decode).filter((e) => e !== undefined);
      return { events: events.reverse().slice(0, request.query.limit) };
    },
  );

  app.post<{ Body: { to: Address; data?: Hex; value?: string; from?: Address } }>(
    '/gas-estimate',
    {
      schema: {
        tags: ['chain'],
        summary: 'Estimate gas and cost of a call (e.g. an unsigned transaction returned by the API)',
        body: {
          type: 'object',
          required: ['to'],
          additionalProperties: false,
          properties: {
            to: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
            from: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
            data: { type: 'string', pattern: '^0x([0-9a-fA-F]{2})*$', maxLength: 262146 },
            value: { type: 'string', pattern: '^[0-9]{1,78}$', format: 'uint256' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { gas: { type: 'string' }, gasPriceWei: { type: 'string' }, costWei: { type: 'string' } },
          },
          422: { $ref: 'Problem#' },
        },
      },
    },
    async (request) => {
      const { to, data, value, from } = request.body;
      const [gas, gasPrice] = await Promise.all([
        chain.publicClient
          .estimateGas({ to, data, value: value ? BigInt(value) : undefined, account: from })
          .catch((error: unknown) => {
            throw Object.assign(new Error(`The call would revert: ${revertReason(error)}`), {
              statusCode: 422,
              code: 'SOUK_ERR_CHAIN_REVERT',
            });
          }),
        chain.publicClient.getGasPrice(),
      ]);
      return { gas: String(gas), gasPriceWei: String(gasPrice), costWei: String(gas * gasPrice) };
    },
  );

  app.get<{ Params: { hash: Hex } }>(
    '/transactions/:hash',
    {
      schema: {
        tags: ['chain'],
        summary: 'A transaction receipt with its decoded Souk events',
        params: { type: 'object', required: ['hash'], properties: { hash: bytes32 } },
        response: {
          200: {
            type: 'object',
            properties: {
              hash: { type: 'string' },
              status: { type: 'string' },
              blockNumber: { type: 'string' },
              from: { type: 'string' },
              to: { type: ['string', 'null'] },
              gasUsed: { type: 'string' },
              events: { type: 'array', items: eventSchema },
            },
          },
          404: { $ref: 'Problem#' },
        },
      },
    },
    async (request) => {
      const receipt = await chain.publicClient.getTransactionReceipt({ hash: request.params.hash }).catch(() => {
        throw new NotFoundError(`No transaction ${request.params.hash} on chain ${chain.deployment.chainId}.`);
      });
      return {
        hash: receipt.transactionHash,
        status: receipt.status,
        blockNumber: String(receipt.blockNumber),
        from: receipt.from,
        to: receipt.to,
        gasUsed: String(receipt.gasUsed),
        events: receipt.logs.map(decode).filter((e) => e !== undefined),
      };
    },
  );
}
