/**
 * `souk order <hash>`: one signed order (compute protocol v2) as its requester sees it — phase, model, price,
 * the providers' progress, their signed attestations, the referee's audit and the settlement batch transaction.
 */
import { getOrder, type Order } from '@souk/sdk';
import { accountHelp, accountOptions, resolveAccount } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse } from '../args.ts';
import { emit, guard } from '../command.ts';
import { type Context, connect, signInAs } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatAmount, table } from '../format.ts';

export const summary = 'Show a compute order: phase, providers, signed attestations, audit, settlement';

export const help = `Usage: souk order <hash> [options]

${summary}. Only the order's requester may read it: sign in with the account that signed the order.

Options:
${accountHelp}
${nodeHelp}`;

const yes = (flag: boolean) => (flag ? 'yes' : '-');

/**
 * The order as text: a summary, then its providers and attestations as tables.
 * @param order The order as `GET /api/v1/orders/{hash}` returns it.
 * @param context Token lookup for the amount (`Context.token`).
 */
export function describeOrder(order: Order, context: Pick<Context, 'token'>): string {
  const token = context.token(order.order.currency);
  const lines = [
    `Order ${order.orderHash}  ${order.phase}`,
    `  model        asset #${order.order.modelId} v${order.order.modelVersion}`,
    `  requester    ${order.order.requester}`,
    `  max price    ${formatAmount(order.order.maxPrice, token)}   charged ${formatAmount(order.amount, token)}`,
    `  redundancy   ${order.order.redundancy}`,
    `  deadline     ${new Date(Number(order.order.deadline) * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`,
    `  input hash   ${order.order.inputHash}`,
    `  result hash  ${order.resultHash ?? '-'}${order.resultHash ? `  (${order.resolvedBy})` : ''}`,
    `  audit        ${order.audit}`,
    `  batch tx     ${order.settleTx ?? '-'}`,
  ];
  if (order.reason) lines.push(`  reason       ${order.reason}`);
  lines.push('', 'Providers');
  lines.push(
    order.providers.length === 0
      ? '  none assigned'
      : table(
          ['  PROVIDER', 'RECEIVED', 'COMMITTED', 'REVEALED'],
          order.providers.map((p) => [`  ${p.address}`, yes(p.received), yes(p.committed), yes(p.revealed)]),
        ),
  );
  lines.push('', 'Attestations (EIP-712 ResultAttestation)');
  lines.push(
    order.attestations.length === 0
      ? '  none yet'
      : table(
          ['  PROVIDER', 'RESULT HASH', 'SIGNATURE'],
          order.attestations.map((a) => [`  ${a.provider}`, a.resultHash, `${a.signature.slice(0, 20)}…`]),
        ),
  );
  return lines.join('\n');
}

export const run = (argv: string[]) =>
  guard('order', async () => {
    const { values, positionals } = parse(
      argv,
      { ...nodeOptions, ...accountOptions },
      { positionals: 1, required: 1, names: ['<hash>'] },
    );
    const hash = positionals[0] as string;
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new UsageError(`<hash> must be 0x + 64 hex digits, not ${hash}.`);
    const context = await connect({ url: nodeUrl(values.node) });
    const { account } = await resolveAccount({ flags: values, isDevnet: async () => context.info.devnet });
    await signInAs(context, account);
    const order = await getOrder(context.client, { orderHash: hash.toLowerCase() });
    emit(values.json, order, () => describeOrder(order, context));
    return 0;
  });
