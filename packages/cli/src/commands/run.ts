/**
 * `souk run <asset> --input <file>`: runs a model through the compute market as a signed job order
 * (compute protocol v2): the result arrives as soon as r providers agree, with their signed attestations, which
 * this command checks itself (signatures, stake on-chain) before printing; the payment follows in the node's next
 * settlement batch. Prints the output
 * readably (`../output/result.ts`: OCR text, speech segments, a foreground mask's figures, tensor summaries), saves it
 * with `--output-dir` (result.json, tensors as .npy, a mask as PNG), then the verification record and the payment.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isNpy, parseNpy, parseNpz } from '@souk/provider';
import { JobFailedError } from '@souk/sdk';
import { accountHelp, accountOptions } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseDeadline, parseId, parseRedundancy } from '../args.ts';
import { EXIT, emit, guard, note } from '../command.ts';
import { connect } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatAmount } from '../format.ts';
import { formatOutput, saveOutput } from '../output/result.ts';
import { orderOptions, orderPayer, PAID_PHASES, runPaidOrder } from '../paidOrder.ts';
import { isBatchInput, runBatch } from './runBatch.ts';

export const summary = 'Run a model on an input through the compute market and print the verified result';

export const help = `Usage: souk run <asset> --input <file> [options]

${summary}.

Options:
  --input <file>        The input (required): an image (OCR, IS-Net), audio (VAD, wake words), or for generic
                        ONNX models a .npy (one-input models), a .npz (one <name>.npy per input) or JSON tensors
                        A glob ('scans/*.png', quoted) or a folder: every file, in name order, as one batch
                        order priced per input (--max-price is then per input; deadline default 600)
  --redundancy <r>      Providers that must agree, 1..5                                  [default: 2]
  --max-price <amount>  Most the job may cost, escrowed (e.g. 0.01)                      [default: 0.01]
  --currency <c>        eth, musd, souk or a token address                               [default: eth]
  --deadline <seconds>  Time until the order's deadline (unpaid after it)                [default: 300]
  --output-dir <dir>    Also save the result there: result.json (the canonical result, its SHA-256 the result
                        hash), each output tensor as <name>.npy (generic ONNX), the mask as mask.png (IS-Net)
  --json                Print the whole result as JSON only (no summaries, nothing cut)
${accountHelp}
${nodeHelp}`;

/**
 * Reads `--input`: the file's bytes, sent as they are (binary). A `.npy` or `.npz` is parsed here first, so a broken
 * one is a usage error before anything is paid.
 * @throws {UsageError} When the file cannot be read, or is a malformed `.npy` / `.npz`.
 */
function readInput(file: string): Uint8Array {
  let input: Uint8Array;
  try {
    input = new Uint8Array(readFileSync(file));
  } catch (error) {
    throw new UsageError(`--input: cannot read ${file} (${(error as Error).message}).`);
  }
  const npz = path.extname(file).toLowerCase() === '.npz';
  if (isNpy(input) || npz) {
    try {
      if (isNpy(input)) parseNpy(input);
      else parseNpz(input);
    } catch (error) {
      const { message, details } = error as Error & { details?: string };
      throw new UsageError(
        `--input: ${file} is not a readable ${npz ? '.npz' : '.npy'}: ${message}${details ? ` (${details})` : ''}`,
      );
    }
  }
  return input;
}

/**
 * Saves the output in `dir` (`saveOutput`) and describes what was written: one line per file, `result.json` marked
 * as the verified result when its SHA-256 is the result hash.
 */
async function saveResult(output: unknown, dir: string, resultHash: string): Promise<string[]> {
  const { files, sha256 } = await saveOutput(output, dir);
  const width = Math.max(...files.map((f) => path.basename(f.file).length));
  return [
    `Saved in ${dir}`,
    ...files.map(({ file, what }, i) => {
      const hash =
        i === 0
          ? sha256 === resultHash.toLowerCase()
            ? ', SHA-256 = the result hash'
            : `, SHA-256 ${sha256} (not the result hash)`
          : '';
      return `  ${path.basename(file).padEnd(width)}  ${what}${hash}`;
    }),
  ];
}

export const run = (argv: string[]) =>
  guard('run', async () => {
    const { values, positionals } = parse(
      argv,
      {
        ...nodeOptions,
        ...accountOptions,
        input: { type: 'string' },
        ...orderOptions,
        'output-dir': { type: 'string' },
        json: { type: 'boolean' },
      },
      { positionals: 1, required: 1, names: ['the asset id'] },
    );
    const assetId = parseId(positionals[0], 'asset');
    if (!values.input) throw new UsageError('--input <file> is required.');
    if (isBatchInput(values.input)) return runBatch({ assetId, input: values.input, values }); // a glob or a folder
    const input = readInput(values.input);
    const outputDir = values['output-dir'];
    if (outputDir !== undefined) {
      try {
        mkdirSync(outputDir, { recursive: true });
      } catch (error) {
        throw new UsageError(`--output-dir: cannot create ${outputDir} (${(error as Error).message}).`);
      }
    }
    const redundancy = parseRedundancy(values.redundancy);
    const deadlineSeconds = parseDeadline(values.deadline, 300);

    const context = await connect({ url: nodeUrl(values.node) });
    const { account, currency, maxPriceWei } = await orderPayer(context, values);
    const token = context.token(currency);

    note(
      `running asset #${assetId} on ${values.input} (${input.length} bytes) as ${account.address}, r = ${redundancy}…`,
    );
    let paid: Awaited<ReturnType<typeof runPaidOrder>>;
    try {
      paid = await runPaidOrder(context, account, {
        assetId,
        input,
        redundancy,
        maxPriceWei,
        currency,
        deadlineSeconds,
      });
    } catch (error) {
      if (!(error instanceof JobFailedError)) throw error;
      // The input is one the model cannot take: say why; nobody is charged or slashed; exit 1.
      emit(
        values.json,
        { failure: { orderHash: error.orderHash, reason: error.reason, code: error.code ?? null } },
        () =>
          [
            `Order ${error.orderHash} failed: ${error.reason}`,
            `  ${error.reproducedByReferee ? 'reproduced by the referee; ' : ''}nobody charged, no provider slashed`,
          ].join('\n'),
      );
      return EXIT.failure;
    }
    const { run, order } = paid;
    const saved = outputDir === undefined ? [] : await saveResult(run.output, outputDir, run.resultHash);
    if (values.json) for (const line of saved) note(line);
    emit(
      values.json,
      { order, result: { output: run.output, resultHash: run.resultHash, providers: run.providers } },
      () => {
        const lines = formatOutput(run.output);
        if (saved.length > 0) lines.push('', ...saved);
        lines.push(
          '',
          `Verification  order ${order.orderHash} ${run.resolvedBy === 'agreement' ? `agreed by ${run.providers.length}` : 'decided by the referee'}`,
          `  result hash  ${run.resultHash}`,
          "  checked here: each signature is the provider's EIP-712 ResultAttestation, each provider active on-chain",
        );
        for (const a of order.attestations) lines.push(`  signed  ${a.provider}  ${a.signature.slice(0, 20)}…`);
        lines.push(
          '',
          'Payment',
          `  ${formatAmount(order.amount, token)} from the escrow, split 80 / 15 / 5 (providers / treasury / creator)`,
          `  ${order.phase}${order.settleTx ? `  batch tx ${order.settleTx}` : ''}`,
        );
        return lines.join('\n');
      },
    );
    return PAID_PHASES.includes(order.phase) ? 0 : EXIT.failure;
  });
