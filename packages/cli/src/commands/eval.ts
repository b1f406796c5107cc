/**
 * `souk eval <model> --dataset <file.npz>`: evaluates a generic ONNX classifier on a labelled dataset through the
 * compute market (docs/training.md). The dataset travels as an evaluation container (`SOUKEVL1` + the `.npz`); r
 * providers run the model on every sample and must agree on accuracy, macro precision/recall/F1 and the confusion
 * matrix; the SDK checks their attestations; the node records the agreed evaluation on the model's card
 * (`GET /assets/:id/evaluations`), which this command reads back.
 */
import { type EvaluationOutput, encodeEvaluation, isEvaluationOutput } from '@souk/protocol';
import { getAssetManifest, getModelEvaluations } from '@souk/sdk';
import { accountHelp, accountOptions } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseDeadline, parseId, parseRedundancy } from '../args.ts';
import { EXIT, emit, guard, note } from '../command.ts';
import { connect } from '../context.ts';
import { readDatasetFlag } from '../dataset.ts';
import { UsageError } from '../errors.ts';
import { formatEvaluation } from '../output/evaluation.ts';
import { orderOptions, orderPayer, PAID_PHASES, runPaidOrder, verificationLines } from '../paidOrder.ts';

export const summary = 'Evaluate a classifier on a labelled dataset through the compute market (verified metrics)';

export const help = `Usage: souk eval <model> --dataset <file.npz> [options]

${summary}.

<model> is a generic ONNX classifier (pipeline onnx: one input taking the samples, a first output of class scores
[n, classes]). The dataset is a labelled .npz: "x" (uint8 or float32, [N, …]) and "y" (integer class indices, [N]).
The agreed metrics are recorded on the model's card (GET /api/v1/assets/<model>/evaluations).

Options:
  --dataset <file.npz>  The labelled data (required)
  --redundancy <r>      Providers that must evaluate it and agree, 1..5                 [default: 2]
  --max-price <amount>  Most the job may cost, escrowed (e.g. 0.01)                      [default: 0.01]
  --currency <c>        eth, musd, souk or a token address                               [default: eth]
  --deadline <seconds>  Time until the order's deadline                                  [default: 600]
  --json                Print the order, the evaluation and the model's recorded evaluations as JSON
${accountHelp}
${nodeHelp}

Examples:
  souk eval 6 --dataset held-out.npz
  souk eval 6 --dataset held-out.npz --redundancy 3 --json`;

export const run = (argv: string[]) =>
  guard('eval', async () => {
    const { values, positionals } = parse(
      argv,
      {
        ...nodeOptions,
        ...accountOptions,
        dataset: { type: 'string' },
        ...orderOptions,
        json: { type: 'boolean' },
      },
      { positionals: 1, required: 1, names: ['the model asset id'] },
    );
    const modelId = parseId(positionals[0], 'model');
    const dataset = readDatasetFlag(values.dataset);
    const redundancy = parseRedundancy(values.redundancy);
    const deadlineSeconds = parseDeadline(values.deadline, 600);

    const context = await connect({ url: nodeUrl(values.node) });
    const manifest = await getAssetManifest(context.client, { assetId: modelId });
    if ((manifest.runtime?.pipeline ?? 'onnx') !== 'onnx') {
      throw new UsageError(
        `Asset ${modelId} is not a generic ONNX model (its pipeline is ${manifest.runtime?.pipeline}).`,
      );
    }
    const { account, currency, maxPriceWei } = await orderPayer(context, values);

    note(
      `evaluating model #${modelId} "${manifest.name}" on ${values.dataset} (${dataset.length} bytes), r = ${redundancy}…`,
    );
    const { run, order } = await runPaidOrder<EvaluationOutput>(context, account, {
      assetId: modelId,
      input: encodeEvaluation(dataset),
      redundancy,
      maxPriceWei,
      currency,
      deadlineSeconds,
    });
    if (!isEvaluationOutput(run.output)) throw new Error(`Order ${order.orderHash} returned no evaluation.`);
    const recorded = await getModelEvaluations(context.client, { assetId: modelId });
    const ours = recorded.find((e) => e.orderHash === order.orderHash.toLowerCase());
    emit(
      values.json,
      { order, result: { resultHash: run.resultHash, providers: run.providers, ...run.output }, recorded },
      () =>
        [
          ...formatEvaluation(run.output),
          '',
          ...verificationLines(run, order),
          '',
          ours
            ? `On model #${modelId}'s card: accuracy ${(ours.accuracy * 100).toFixed(1)} % on dataset ${ours.datasetSha256.slice(0, 12)}…, verified by ${ours.providers.length} providers (${recorded.length} evaluation${recorded.length === 1 ? '' : 's'} recorded)`
            : `Not yet on model #${modelId}'s card (the node records it once the order is agreed).`,
          ...(ours
            ? [
                ours.chainTx
                  ? `  on-chain  Evaluations.record tx ${ours.chainTx} (with the providers' signed attestations)`
                  : '  on-chain  not yet (the node sends Evaluations.record in the background)',
              ]
            : []),
        ].join('\n'),
    );
    return PAID_PHASES.includes(order.phase) ? 0 : EXIT.failure;
  });
