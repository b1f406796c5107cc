/**
 * `souk list`: the marketplace as a table — assets with their asking and licence prices, or (`--listings`) the open
 * sale listings — from the node's index.
 */
import { getListings, listAssets } from '@souk/sdk';
import { nodeHelp, nodeOptions, nodeUrl, parse } from '../args.ts';
import { emit, guard } from '../command.ts';
import { connect } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatAmount, formatDuration, table } from '../format.ts';

export const summary = 'List marketplace assets (or open listings) as a table';

export const help = `Usage: souk list [options]

${summary}, newest first, from the node's index.

Options:
  --kind <kind>         Only models, agents or datasets (model, agent, dataset)
  --search <text>       Only assets whose name or description contains <text>
  --limit <n>           At most n rows, 1..100  [default: 20]
  --sort <order>        newest, oldest, price_asc or price_desc (assets only)  [default: newest]
  --listings            Show the open sale listings instead of the assets
${nodeHelp}

PRICE is the asking price: the sale listing's, else the licence's.`;

const KINDS = ['model', 'agent', 'dataset'] as const;
const SORTS = ['newest', 'oldest', 'price_asc', 'price_desc'] as const;

const truncate = (text: string | null, width = 32) =>
  !text ? '-' : text.length > width ? `${text.slice(0, width - 1)}…` : text;

export function run(argv: string[]): Promise<number> {
  return guard('list', async () => {
    const { values: flags } = parse(argv, {
      ...nodeOptions,
      kind: { type: 'string' },
      search: { type: 'string' },
      limit: { type: 'string' },
      sort: { type: 'string' },
      listings: { type: 'boolean' },
    });
    const kind = flags.kind as (typeof KINDS)[number] | undefined;
    if (kind !== undefined && !KINDS.includes(kind)) throw new UsageError('--kind must be model, agent or dataset.');
    const sort = flags.sort as (typeof SORTS)[number] | undefined;
    if (sort !== undefined && !SORTS.includes(sort)) throw new UsageError(`--sort must be one of ${SORTS.join(', ')}.`);
    const limit = flags.limit === undefined ? 20 : Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit must be 1..100.');
    if (flags.listings && sort !== undefined) throw new UsageError('--sort applies to assets, not --listings.');

    const context = await connect({ url: nodeUrl(flags.node) });
    if (flags.listings) {
      // Listings carry no description and the endpoint has no kind or text filter: filter here, over pages.
      const search = flags.search?.toLowerCase();
      const items = [];
      let cursor: string | undefined;
      do {
        const page = await getListings(context.client, { limit: 100, ...(cursor ? { cursor } : {}) });
        for (const l of page.items) {
          if (kind && l.kind !== kind) continue;
          if (search && !(l.name ?? '').toLowerCase().includes(search)) continue;
          items.push(l);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor && items.length < limit);
      const shown = items.slice(0, limit);
      emit(flags.json, { items: shown }, () =>
        shown.length === 0
          ? 'No open listings.'
          : table(
              ['ASSET', 'KIND', 'NAME', 'PRICE', 'SELLER', 'LISTED'],
              shown.map((l) => [
                l.assetId,
                l.kind,
                truncate(l.name),
                formatAmount(l.priceWei, context.token(l.currency)),
                l.seller,
                l.listedAt.slice(0, 16).replace('T', ' '),
              ]),
            ),
      );
      return 0;
    }
    const page = await listAssets(context.client, { kind, q: flags.search, sort, limit });
    emit(flags.json, page, () =>
      page.items.length === 0
        ? 'No assets.'
        : table(
            ['ID', 'KIND', 'NAME', 'PRICE', 'LICENCE', 'OWNER'],
            page.items.map((a) => [
              a.id,
              a.kind,
              truncate(a.name),
              a.priceWei === null ? '-' : formatAmount(a.priceWei, context.token(a.currency)),
              a.licence?.active && a.licence.priceWei !== null
                ? `${formatAmount(a.licence.priceWei, context.token(a.licence.currency))} / ${formatDuration(a.licence.durationSeconds)}`
                : '-',
              a.owner,
            ]),
          ) + (page.nextCursor ? `\n(more assets exist: raise --limit, or narrow with --kind or --search)` : ''),
    );
    return 0;
  });
}
