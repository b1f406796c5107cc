/**
 * `souk run <asset> --input 'scans/*.png'` (or `--input scans/`): a batch order — every matching file, in name order,
 * as ONE signed order (compute protocol v2 batch, `@souk/protocol`'s `batch.ts`) priced per input (`--max-price` is
 * the price of one input; the order's `maxPrice` is N × it), verified and settled as one job. On a TTY a progress
 * bar follows reading the files and the order; then each input's result is printed under its file name
 * (`--output-dir`: the whole canonical result as result.json plus one `<n>-<file>.json` per input). Exit 0 when
 * every input has a result, 1 when any came back as an error (the others are still printed and paid).
 */
import { globSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_BATCH_INPUTS } from '@souk/protocol';
import { getOrder, type RunBatchOrderProgress, runBatchOrder } from '@souk/sdk';
import { resolveAccount } from '../account.ts';
import { nodeUrl, parseAmount, parseDeadline, parseRedundancy } from '../args.ts';
import { EXIT, emit, note } from '../command.ts';
import { connect, currencyAddress, signInAs } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatAmount } from '../format.ts';
import { formatOutput } from '../output/result.ts';
import { topUpEscrow } from '../paidOrder.ts';

/** Whether `--input` names a batch: a glob pattern (`*`, `?`, `[`, `{`) or a directory. */
export function isBatchInput(input: string | undefined): boolean {
  if (input === undefined) return false;
  if (/[*?[{]/.test(input)) return true;
  try {
    return statSync(input).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The files of a batch `--input`, sorted by path (code-unit order, so the batch order is reproducible).
 * @param input - A glob (`fs.globSync`) or a directory (its regular files, not recursive, no dotfiles).
 * @throws {UsageError} Nothing matches, or more than {@link MAX_BATCH_INPUTS} files, or an empty file.
 */
export function batchFiles(input: string): string[] {
  const files = (
    /[*?[{]/.test(input)
      ? globSync(input)
      : readdirSync(input)
          .filter((name) => !name.startsWith('.'))
          .map((name) => path.join(input, name))
  )
    .filter((file) => statSync(file).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) throw new UsageError(`--input: no files match ${input}.`);
  if (files.length > MAX_BATCH_INPUTS) {
    throw new UsageError(`--input: ${files.length} files match ${input}; a batch holds at most ${MAX_BATCH_INPUTS}.`);
  }
  for (const file of files) {
    if (statSync(file).size === 0) throw new UsageError(`--input: ${file} is empty.`);
  }
  return files;
}

/** A one-line progress bar on stderr when it is a TTY; silent otherwise. */
function progressBar() {
  const tty = process.stderr.isTTY === true;
  let last = '';
  return {
    update(done: number, total: number, label: string) {
      if (!tty) return;
      const width = 30;
      const filled = Math.round((done / Math.max(1, total)) * width);
      last = `  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`;
      process.stderr.write(`\r${last.padEnd(80)}`);
    },
    done() {
      if (tty && last) process.stderr.write('\n');
      last = '';
    },
  };
}

/** The options `souk run` parsed, as the batch path needs them. */
export type BatchRunOptions = {
  assetId: bigint;
  input: string;
  values: Record<string, unknown> & {
    node?: string | undefined;
    currency?: string | undefined;
    json?: boolean | undefined;
    redundancy?: string | undefined;
    deadline?: string | undefined;
    'max-price'?: string | undefined;
    'output-dir'?: string | undefined;
  };
};

/**
 * Runs a batch order from `souk run` (see the file header).
 * @returns The exit code.
 * @throws {UsageError} Bad `--input` or `--max-price`.
 */
export async function runBatch({ assetId, input, values }: BatchRunOptions): Promise<number> {
  const redundancy = parseRedundancy(values.redundancy);
  const deadlineSeconds = parseDeadline(values.deadline, 600);
  const outputDir = values['output-dir'];
  if (outputDir !== undefined) {
    try {
      mkdirSync(outputDir, { recursive: true });
    } catch (error) {
      throw new UsageError(`--output-dir: cannot create ${outputDir} (${(error as Error).message}).`);
    }
  }
  const files = batchFiles(input);
  const bar = progressBar();
  const inputs = files.map((file, i) => {
    bar.update(i + 1, files.length, 'read');
    return new Uint8Array(readFileSync(file));
  });
  bar.done();
  const context = await connect({ url: nodeUrl(values.node) });
  const { account } = await resolveAccount({ flags: values as never, isDevnet: async () => context.info.devnet });
  await signInAs(context, account);
  const currency = currencyAddress(context, values.currency ?? 'eth');
  const token = context.token(currency);
  const pricePerInputWei = parseAmount(values['max-price'] ?? '0.01', token.decimals, '--max-price');
  const maxPriceWei = pricePerInputWei * BigInt(inputs.length);
  const bytes = inputs.reduce((sum, b) => sum + b.length, 0);
  note(
    `running asset #${assetId} on ${inputs.length} inputs (${bytes} bytes) as one batch order, ` +
      `${formatAmount(String(pricePerInputWei), token)} per input (${formatAmount(String(maxPriceWei), token)} in all), r = ${redundancy}…`,
  );
  await topUpEscrow(context, account, currency, maxPriceWei, 2n);
  const started = Date.now();
  const steps: Record<string, number> = { packed: 1, running: 2, disputed: 2, agreed: 3, ready: 3, verified: 4 };
  const onProgress = (event: RunBatchOrderProgress) => {
    const key = event.step === 'order' ? event.phase : event.step;
    const label = `${key} ${((Date.now() - started) / 1000).toFixed(1)} s`;
    bar.update(steps[key] ?? 3, 4, label);
  };
  let run: Awaited<ReturnType<typeof runBatchOrder>>;
  try {
    run = await runBatchOrder(context.client, {
      assetId,
      inputs,
      pricePerInputWei,
      redundancy,
      currency: currency === '0x0000000000000000000000000000000000000000' ? undefined : currency,
      deadlineSeconds,
      account,
      timeoutMs: deadlineSeconds * 1000,
      onProgress,
    });
  } finally {
    bar.done();
  }
  const resultMs = Date.now() - started;
  note(
    `  ${(resultMs / 1000).toFixed(2).padStart(5)} s  ${inputs.length} results verified (${run.providers.length} signature(s) checked), ` +
      `${((inputs.length * 1000) / resultMs).toFixed(2)} inputs/s`,
  );
  let order = run.order;
  for (let i = 0; i < 12 && !['settled', 'unpaid', 'expired', 'failed'].includes(order.phase); i++) {
    order = await getOrder(context.client, { orderHash: order.orderHash, waitMs: 5_000 });
  }
  const failed = run.items.filter((item) => !item.ok).length;
  if (outputDir !== undefined) {
    // The canonical bytes of the whole batch (SHA-256 = the result hash), then one JSON file per input.
    writeFileSync(path.join(outputDir, 'result.json'), Buffer.from(order.result ?? '', 'base64'));
    for (const item of run.items) {
      const name = `${String(item.index).padStart(6, '0')}-${path.basename(files[item.index])}.json`;
      writeFileSync(path.join(outputDir, name), JSON.stringify(item.ok ? item.output : { error: item.error }));
    }
    note(
      `Saved in ${outputDir}: result.json (the whole batch, SHA-256 = the result hash) and one <n>-<file>.json per input`,
    );
  }
  emit(
    values.json,
    {
      order,
      pricePerInputWei: String(run.pricePerInputWei),
      resultHash: run.resultHash,
      providers: run.providers,
      items: run.items.map((item) => ({ input: files[item.index], ...item })),
    },
    () => {
      const lines: string[] = [];
      for (const item of run.items) {
        lines.push(`== ${files[item.index]}`);
        if (item.ok) lines.push(...formatOutput(item.output));
        else lines.push(`  failed: ${item.error}`);
        lines.push('');
      }
      lines.push(
        `Batch  ${inputs.length - failed} of ${inputs.length} inputs with a result${failed ? `, ${failed} failed` : ''}`,
        `Verification  order ${order.orderHash} ${run.resolvedBy === 'agreement' ? `agreed by ${run.providers.length}` : 'decided by the referee'}`,
        `  result hash  ${run.resultHash} (the whole batch)`,
        '',
        'Payment',
        `  ${formatAmount(order.amount, token)} from the escrow (${inputs.length} × ${formatAmount(String(run.pricePerInputWei), token)} per input), split 80 / 15 / 5`,
        `  ${order.phase}${order.settleTx ? `  batch tx ${order.settleTx}` : ''}`,
      );
      return lines.join('\n');
    },
  );
  const paid = order.phase === 'settled' || order.phase === 'ready' || order.phase === 'settling';
  return paid && failed === 0 ? 0 : EXIT.failure;
}
