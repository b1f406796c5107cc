/**
 * Running one signed job order (compute protocol v2) from the CLI, as `souk run` and `souk train` do: top up the
 * escrow balance when it cannot cover the order, sign and send the order, wait for the verified result (the SDK
 * checks every attestation and the signers' stake itself), then follow the order until its batch settles.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import {
  getOrder,
  type Order,
  type RunOrderParameters,
  type RunOrderReturnType,
  runOrder,
  type TransactionsReturnType,
} from '@souk/sdk';
import type { Address, LocalAccount } from 'viem';
import { type ResolveAccountParameters, resolveAccount } from './account.ts';
import { parseAmount } from './args.ts';
import { note } from './command.ts';
import { type Context, currencyAddress, signInAs } from './context.ts';
import { formatAmount } from './format.ts';
import { settle } from './transact.ts';

/** What {@link runPaidOrder} needs. */
export type RunPaidOrderParameters = {
  /** The model (or recipe) asset. */
  assetId: bigint;
  /** The input bytes. */
  input: Uint8Array;
  /** Providers that must agree, 1..5. */
  redundancy: number;
  /** Most the order may cost, wei of `currency`. */
  maxPriceWei: bigint;
  /** The currency (`address(0)`: native). */
  currency: Address;
  /** Seconds until the order's deadline. */
  deadlineSeconds: number;
};

/** The verified result, the order as last reported, and the times to the result and to the last report, ms. */
export type RunPaidOrderReturnType<TOutput> = {
  run: RunOrderReturnType<TOutput>;
  order: Order;
  resultMs: number;
  totalMs: number;
};

/** Phases in which the order's payment is final or on its way (the exit status of `souk run` is 0). */
export const PAID_PHASES: readonly string[] = ['settled', 'ready', 'settling'];

/**
 * Makes sure the escrow balance covers `needWei`: when what is available is less, deposits `needWei × times` minus
 * what is available (so the next orders need no transaction). The node sends the deposit for devnet accounts; else
 * `account` signs it.
 * @param needWei - What the next order may cost, wei of `currency`.
 * @param times - How many such orders a top-up covers.
 * @throws {SoukApiError} From the node (e.g. 422 for a currency the escrow refuses).
 */
export async function topUpEscrow(
  context: Context,
  account: LocalAccount,
  currency: Address,
  needWei: bigint,
  times: bigint,
): Promise<void> {
  const escrow = await context.client.json<{ available: string }>(`/api/v1/orders/escrow?currency=${currency}`);
  if (BigInt(escrow.available) >= needWei) return;
  const amount = needWei * times - BigInt(escrow.available);
  note(`  depositing ${formatAmount(String(amount), context.token(currency))} into the ComputeEscrow…`);
  const written = await context.client.json<TransactionsReturnType>('/api/v1/orders/escrow/deposit', {
    method: 'POST',
    body: { amountWei: String(amount), currency },
  });
  await settle(context, account, written);
}

/**
 * Runs one order, paying from the escrow (deposits ten orders' worth first when the balance cannot cover it: the node
 * sends it for devnet accounts, else `account` signs it).
 * @throws {SoukApiError} From the node (e.g. 422 for an input the model cannot take, 402 when the escrow is short).
 * @throws {OrderVerificationError} When an attestation does not verify (from the SDK's `runOrder`).
 */
export async function runPaidOrder<TOutput = unknown>(
  context: Context,
  account: LocalAccount,
  { assetId, input, redundancy, maxPriceWei, currency, deadlineSeconds }: RunPaidOrderParameters,
): Promise<RunPaidOrderReturnType<TOutput>> {
  const native = currency === '0x0000000000000000000000000000000000000000';
  await topUpEscrow(context, account, currency, maxPriceWei, 10n);
  const started = Date.now();
  let accepted = false;
  const run = await runOrder<TOutput>(context.client, {
    assetId,
    input,
    redundancy,
    maxPriceWei,
    currency: native ? undefined : currency,
    deadlineSeconds,
    account, // the order is signed here (EIP-712), never by the node
    onUpdate: (update) => {
      if (update.phase !== 'running' || accepted) return;
      accepted = true;
      note(`  ${((Date.now() - started) / 1000).toFixed(2).padStart(5)} s  order ${update.orderHash} accepted`);
    },
    ...followThroughOutages(context.client.url),
  });
  const resultMs = Date.now() - started;
  note(
    `  ${(resultMs / 1000).toFixed(2).padStart(5)} s  result verified (${run.providers.length} signature(s) checked)`,
  );
  // The payout lands in the next batch: follow the order until it is settled (a few seconds at most).
  let order = run.order;
  for (let i = 0; i < 12 && !['settled', 'unpaid', 'expired', 'failed'].includes(order.phase); i++) {
    order = await getOrder(context.client, { orderHash: order.orderHash, waitMs: 5_000 });
  }
  const totalMs = Date.now() - started;
  note(
    `  ${(totalMs / 1000).toFixed(2).padStart(5)} s  ${order.phase}${order.settleTx ? `  tx ${order.settleTx}` : ''}`,
  );
  return { run, order, resultMs, totalMs };
}

/**
 * Keeps following the order while the node is away (restarted, network down): each retry is announced on stderr, with
 * its backoff, and so is the reconnection; the node resumes the order from its database.
 */
function followThroughOutages(url: string): Pick<RunOrderParameters, 'onReconnecting' | 'onReconnected'> {
  return {
    onReconnecting: ({ orderHash, attempt, delayMs, error }) =>
      note(
        `  lost the node at ${url} (${error.details ?? error.shortMessage}); reconnecting in ${(delayMs / 1000).toFixed(1)} s ` +
          `(attempt ${attempt}) to follow order ${orderHash}…`,
      ),
    onReconnected: ({ orderHash, downMs }) =>
      note(`  reconnected to ${url} after ${(downMs / 1000).toFixed(1)} s; following order ${orderHash}`),
  };
}

/** The flags of an order's terms that `souk run`, `souk train` and `souk eval` share (their help documents each). */
export const orderOptions = {
  redundancy: { type: 'string' },
  'max-price': { type: 'string' },
  currency: { type: 'string' },
  deadline: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/**
 * The account that pays an order, signed in, and what it pays in: `--currency` (default eth) and `--max-price`
 * (default 0.01, in that currency's units).
 * @throws {UsageError} On a bad account flag, currency or amount.
 */
export async function orderPayer(
  context: Context,
  flags: ResolveAccountParameters['flags'] & { currency?: string | undefined; 'max-price'?: string | undefined },
): Promise<{ account: LocalAccount; currency: Address; maxPriceWei: bigint }> {
  const { account } = await resolveAccount({ flags, isDevnet: async () => context.info.devnet });
  await signInAs(context, account);
  const currency = currencyAddress(context, flags.currency ?? 'eth');
  const maxPriceWei = parseAmount(flags['max-price'] ?? '0.01', context.token(currency).decimals, '--max-price');
  return { account, currency, maxPriceWei };
}

/** The lines that show how an order was verified and paid: the agreement, the result hash, each signer, the payment. */
export function verificationLines(run: RunOrderReturnType<unknown>, order: Order): string[] {
  return [
    `Verification  order ${order.orderHash} agreed by ${run.providers.length}`,
    `  result hash  ${run.resultHash}`,
    ...run.providers.map((p) => `  signed  ${p}`),
    `  payment      ${order.phase}${order.settleTx ? `  batch tx ${order.settleTx}` : ''}`,
  ];
}
