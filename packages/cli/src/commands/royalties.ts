/**
 * `souk royalties <assetId> [--collect]`: a derived model's lineage royalty split (docs/training.md) — who it pays
 * what share of every creator payment, and what waits to be split — and, with `--collect`, pays it out: the split
 * pulls its job creator shares from the ComputeEscrow and pays each recipient (anyone may send it).
 */
import { collectRoyalties, getRoyalties } from '@souk/sdk';
import type { Address } from 'viem';
import { accountHelp, accountOptions, resolveAccount } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseId } from '../args.ts';
import { emit, guard } from '../command.ts';
import { connect, currencyAddress, rpcHelp, rpcOptions, signInAs } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatAmount, table } from '../format.ts';
import { labelTransactions } from '../labels.ts';
import { settle } from '../transact.ts';

export const summary = "Show a derived model's lineage royalty split, or pay it out (--collect)";

export const help = `Usage: souk royalties <assetId> [--collect [--currency <c>]] [options]

${summary}. A model trained through the market and published with its lineage is minted with a royalty split as
its creator: of every creator payment (its creator share of each job, ERC-2981 royalties on sales and licences) the
split pays the training recipe's creator and the datasets' owners the basis points they declared, and the model's
creator the rest, to the wei. Prints the split, its recipients and, per currency, the job creator shares the escrow
holds for it and what it holds unsplit.

Options:
  --collect             Pay out: the split collects its escrow credits and splits everything it holds
  --currency <c>        With --collect: eth (default), musd, souk or a token address
${accountHelp}
${rpcHelp}
${nodeHelp}`;

export const run = (argv: string[]) =>
  guard('royalties', async () => {
    const { values: flags, positionals } = parse(
      argv,
      {
        ...nodeOptions,
        ...accountOptions,
        ...rpcOptions,
        collect: { type: 'boolean' },
        currency: { type: 'string' },
      },
      { positionals: 1, required: 1, names: ['<assetId>'] },
    );
    const assetId = parseId(positionals[0], '<assetId>');
    if (flags.currency !== undefined && !flags.collect) throw new UsageError('--currency goes with --collect.');
    const context = await connect({ url: nodeUrl(flags.node), rpcUrl: flags['rpc-url'] });
    let transactionHashes: string[] = [];
    let labelled: Awaited<ReturnType<typeof labelTransactions>> = [];
    if (flags.collect) {
      const { account } = await resolveAccount({ flags, isDevnet: async () => context.info.devnet });
      await signInAs(context, account);
      const currency: Address = currencyAddress(context, flags.currency ?? 'eth');
      const result = await collectRoyalties(context.client, { assetId, currency });
      transactionHashes = await settle(context, account, result);
      labelled = await labelTransactions(context, transactionHashes as Address[]);
    }
    const royalties = await getRoyalties(context.client, { assetId });
    emit(flags.json, { ...royalties, transactionHashes }, () => {
      if (!royalties.split) {
        return `Asset #${assetId} has no lineage royalty split: its creator ${royalties.creator} is paid directly.`;
      }
      const total = royalties.recipients.reduce((sum, r) => sum + r.bps, 0);
      return [
        `Asset #${assetId}  royalty split ${royalties.split}`,
        table(
          ['  ACCOUNT', 'SHARE'],
          [
            ...royalties.recipients.map((r) => [`  ${r.account}`, `${(r.bps / 100).toFixed(2)} %`]),
            [`  ${royalties.creator} (creator)`, `${((10_000 - total) / 100).toFixed(2)} % and the rounding`],
          ],
        ),
        '',
        table(
          ['  CURRENCY', 'IN ESCROW', 'UNSPLIT'],
          royalties.pending.map((p) => {
            const token = context.token(p.currency);
            return [`  ${token.symbol}`, formatAmount(p.escrowCredits, token), formatAmount(p.distributable, token)];
          }),
        ),
        ...labelled.map((t) => `  ${t.label.padEnd(9)} tx ${t.hash}`),
      ].join('\n');
    });
    return 0;
  });
