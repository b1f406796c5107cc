/**
 * `souk buy <assetId>`: buys the asset listed for sale at its on-chain price or, with `--licence`, a licence at the
 * current terms; prints the transaction hashes.
 */
import { buyAsset, checkLicence, type GetAssetReturnType, getAsset, purchaseLicence } from '@souk/sdk';
import { accountHelp, accountOptions, resolveAccount } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseId } from '../args.ts';
import { emit, guard } from '../command.ts';
import { connect, rpcHelp, rpcOptions, signInAs } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatAmount } from '../format.ts';
import { labelTransactions } from '../labels.ts';
import { settle } from '../transact.ts';

export const summary = 'Buy an asset listed for sale, or a licence to use it (--licence) or train on it (--training)';

export const help = `Usage: souk buy <assetId> [options]

Buys asset <assetId> at its listing's current on-chain price (royalty and protocol fee are paid by the contract),
or with --licence a licence at the asset's current terms. Prints each transaction hash with what it did (approve,
purchase, buy; payment in an ERC-20 approves the contract first), then, for a licence, when it expires and, last,
whether the licensee has access (read from the chain; no access exits 1).

With --training it buys a training licence at the asset's training terms instead: the right to order training and
evaluation jobs on a dataset (souk train --dataset-asset) whose providers read it for you; the plaintext is never
released to the licensee. It then prints whether the licensee may train (no right exits 1).

Options:
  --licence             Buy a licence instead of the asset itself
  --training            Buy a training licence (implies --licence)
  --licensee <address>  With --licence: who gets access  [default: the buying account]
${accountHelp}
${rpcHelp}
${nodeHelp}`;

/** Expiry for people: `perpetual` for the contract's "never" (beyond year 9999), else an ISO date. */
function formatExpiry(expiresAt: string): string {
  const seconds = BigInt(expiresAt);
  if (seconds > 253_402_300_799n) return 'perpetual';
  return new Date(Number(seconds) * 1000).toISOString();
}

export function run(argv: string[]): Promise<number> {
  return guard('buy', async () => {
    const { values: flags, positionals } = parse(
      argv,
      {
        ...nodeOptions,
        ...accountOptions,
        ...rpcOptions,
        licence: { type: 'boolean' },
        training: { type: 'boolean' },
        licensee: { type: 'string' },
      },
      { positionals: 1, required: 1, names: ['<assetId>'] },
    );
    const assetId = parseId(positionals[0], '<assetId>');
    const training = flags.training === true;
    if (training) flags.licence = true;
    if (flags.licensee !== undefined && !flags.licence) throw new UsageError('--licensee goes with --licence.');
    if (flags.licensee !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(flags.licensee)) {
      throw new UsageError(`--licensee: "${flags.licensee}" is not an address.`);
    }

    const context = await connect({ url: nodeUrl(flags.node), rpcUrl: flags['rpc-url'] });
    const { account } = await resolveAccount({ flags, isDevnet: async () => context.info.devnet });
    await signInAs(context, account);
    // The indexed asset, for the price shown. What is shown is what the purchase expects: if the owner or seller
    // changed it since, the node answers 409 or the transaction reverts, rather than charging something else.
    const asset: GetAssetReturnType | undefined = await getAsset(context.client, { assetId }).catch(() => undefined);

    if (flags.licence) {
      // The index shows access terms; a training licence is bought at the training terms the node reads now (the
      // transaction still pins them: purchaseTrainingLicenseAt reverts if the owner changes them before it lands).
      const terms = !training && asset?.licence?.active ? asset.licence : null;
      const result = await purchaseLicence(context.client, {
        assetId,
        ...(training ? { usage: 'training' as const } : {}),
        ...(flags.licensee ? { licensee: flags.licensee } : {}),
        ...(terms?.currency && terms.priceWei !== null && terms.durationSeconds !== null
          ? {
              expectedCurrency: terms.currency,
              expectedPrice: BigInt(terms.priceWei),
              expectedDurationSeconds: terms.durationSeconds,
            }
          : {}),
      });
      const transactionHashes = await settle(context, account, result);
      const licensee = flags.licensee ?? account.address;
      const [access, transactions] = await Promise.all([
        checkLicence(context.client, { assetId, account: licensee }),
        labelTransactions(context, transactionHashes),
      ]);
      const price = training ? null : (asset?.licence?.priceWei ?? null);
      const licenceResult = {
        assetId: String(assetId),
        bought: training ? 'training licence' : 'licence',
        licensee,
        ...access,
        transactionHashes,
        transactions,
      };
      emit(flags.json, licenceResult, () =>
        [
          `Bought a ${training ? 'training licence' : 'licence'} to asset #${assetId}${asset?.name ? ` "${asset.name}"` : ''}${
            price !== null ? ` for ${formatAmount(price, context.token(asset?.licence?.currency))}` : ''
          }`,
          ...transactions.map((t) => `  ${t.label.padEnd(9)} tx ${t.hash}`),
          // Last, what the buyer came for: whether the licensee can now use the asset (read from the chain).
          ...(training
            ? [
                `  expires   ${formatExpiry(access.trainingExpiresAt)}`,
                `  licensee  ${licensee} ${access.canTrain ? 'may train on it' : 'may NOT train on it (check the training terms)'}`,
              ]
            : [
                `  expires   ${formatExpiry(access.expiresAt)}`,
                `  licensee  ${licensee} ${access.hasAccess ? 'has access' : 'has NO access (check the licence terms)'}`,
              ]),
        ].join('\n'),
      );
      // Paid but no right (e.g. the licence expired at once): a failure, whatever the receipts said.
      return (training ? access.canTrain : access.hasAccess) ? 0 : 1;
    }
    const listing = asset?.listing?.active ? asset.listing : null;
    const result = await buyAsset(context.client, {
      assetId,
      ...(listing ? { expectedCurrency: listing.currency, expectedPrice: BigInt(listing.priceWei) } : {}),
    });
    const transactionHashes = await settle(context, account, result);
    const transactions = await labelTransactions(context, transactionHashes);
    emit(
      flags.json,
      {
        assetId: String(assetId),
        bought: 'asset',
        owner: account.address,
        price: listing ? { priceWei: listing.priceWei, currency: listing.currency } : null,
        transactionHashes,
        transactions,
      },
      () =>
        [
          `Bought asset #${assetId}${asset?.name ? ` "${asset.name}"` : ''}${
            listing ? ` for ${formatAmount(listing.priceWei, context.token(listing.currency))}` : ''
          }`,
          `  owner  ${account.address}`,
          ...transactions.map((t) => `  ${t.label.padEnd(9)} tx ${t.hash}`),
        ].join('\n'),
    );
    return 0;
  });
}
