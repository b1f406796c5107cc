/**
 * Schema fragments shared by the route plugins.
 */
import { unsignedTransactionsSchema } from '../chain/transact.ts';

/** OpenAPI security of routes that need a caller: a bearer access token or an API key. */
export const authenticated: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];

/** Reference to the shared RFC 9457 problem schema. */
export const problem = { $ref: 'Problem#' } as const;

/** How the caller wants writes handled: `submit` (node signs for devnet accounts) or `unsigned`. */
export const transactMode = { type: 'string', enum: ['submit', 'unsigned'] } as const;

/** Response of a write: submitted hashes, or unsigned transactions for the caller's wallet. */
export const transactionsResult = {
  type: 'object',
  properties: {
    transactionHashes: { type: 'array', items: { type: 'string' } },
    transactions: unsignedTransactionsSchema,
  },
} as const;
