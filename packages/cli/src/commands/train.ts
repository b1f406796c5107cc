/**
 * `souk train <recipe> --dataset <file.npz> --name <name>`: trains a model through the compute market and publishes
 * it with its lineage (docs/training.md). The recipe asset (pipeline `train`) names the architecture and
 * hyper-parameters; the dataset is the order's input; r providers train it independently and agree only on
 * bit-identical weights, which the SDK verifies (signatures, stake) before this command goes on. The trained ONNX
 * model is then uploaded encrypted and minted as a model asset whose manifest carries the lineage the node derives
 * from the order (recipe, dataset hash, weights hash, template, hyper-parameters, the attesting providers).
 *
 * With `--dataset-asset <id>` the job trains on a licensed dataset asset instead (compute-to-data): the order's input
 * is a dataset reference (`SOUKDSR1`), the node refuses it (403) unless the account holds a training licence to the
 * asset (`souk buy <id> --training`) or owns it, and only the providers holding the job read the data.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeDatasetReference, isTrainOutput, type TrainOutput } from '@souk/protocol';
import { getAssetManifest, publishAsset, uploadContent } from '@souk/sdk';
import type { Hex } from 'viem';
import { accountHelp, accountOptions } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseDeadline, parseId, parseRedundancy } from '../args.ts';
import { EXIT, emit, guard, note } from '../command.ts';
import { connect } from '../context.ts';
import { readDatasetFlag } from '../dataset.ts';
import { UsageError } from '../errors.ts';
import { signMint } from '../mint.ts';
import { readOnnxSignature } from '../onnx.ts';
import { formatTraining } from '../output/training.ts';
import { orderOptions, orderPayer, PAID_PHASES, runPaidOrder, verificationLines } from '../paidOrder.ts';
import { readTrainingRecipe } from '../recipe.ts';

export const summary = 'Train a model through the compute market and publish it with its lineage';

export const help = `Usage: souk train <recipe> (--dataset <file.npz> | --dataset-asset <id>) --name <name> [options]

${summary}.

<recipe> is a training-recipe asset (pipeline train: template, hyper-parameters, class names). The dataset is a
labelled .npz: "x" (uint8 or float32, [N, …]) and "y" (integer class indices, [N]), sent as the order's input, or
a dataset asset you hold a training licence to (souk buy <id> --training) or own: then the providers holding the
job read it through the node, and you receive only the trained model, never the data.

Options:
  --dataset <file.npz>  The training data, sent as the order's input
  --dataset-asset <id>  Or: a licensed dataset asset to train on (compute-to-data)
  --name <name>         Name of the trained model's asset (required)
  --redundancy <r>      Providers that must train it and agree, 1..5                     [default: 2]
  --max-price <amount>  Most the job may cost, escrowed (e.g. 0.01)                      [default: 0.01]
  --currency <c>        eth, musd, souk or a token address                               [default: eth]
  --deadline <seconds>  Time until the order's deadline                                  [default: 900]
  --output-dir <dir>    Also save the trained model there as model.onnx
  --json                Print the order, the training summary and the published asset as JSON
${accountHelp}
${nodeHelp}

Examples:
  souk train 5 --dataset glyphs.npz --name "Glyph classifier"
  souk train 5 --dataset glyphs.npz --name "Glyph classifier" --redundancy 3 --output-dir out
  souk train 5 --dataset-asset 7 --name "Glyph classifier"`;

export const run = (argv: string[]) =>
  guard('train', async () => {
    const { values, positionals } = parse(
      argv,
      {
        ...nodeOptions,
        ...accountOptions,
        dataset: { type: 'string' },
        'dataset-asset': { type: 'string' },
        name: { type: 'string' },
        ...orderOptions,
        'output-dir': { type: 'string' },
        json: { type: 'boolean' },
      },
      { positionals: 1, required: 1, names: ['the recipe asset id'] },
    );
    const recipeId = parseId(positionals[0], 'recipe');
    if (!values.name || values.name.length > 200) throw new UsageError('--name is required (1..200 characters).');
    if ((values.dataset === undefined) === (values['dataset-asset'] === undefined)) {
      throw new UsageError('Give one of --dataset <file.npz> or --dataset-asset <id>.');
    }
    const datasetAsset =
      values['dataset-asset'] === undefined ? undefined : parseId(values['dataset-asset'], '--dataset-asset');
    const file = datasetAsset === undefined ? readDatasetFlag(values.dataset) : undefined;
    const redundancy = parseRedundancy(values.redundancy);
    const deadlineSeconds = parseDeadline(values.deadline, 900);

    const context = await connect({ url: nodeUrl(values.node) });
    const recipe = await readTrainingRecipe(context, recipeId);
    const { account, currency, maxPriceWei } = await orderPayer(context, values);
    let dataset: Uint8Array;
    let described: string;
    if (datasetAsset !== undefined) {
      const data = await getAssetManifest(context.client, { assetId: datasetAsset });
      if (data.kind !== 'dataset') throw new UsageError(`Asset ${datasetAsset} is a ${data.kind}, not a dataset.`);
      dataset = encodeDatasetReference({ assetId: datasetAsset, sha256: data.content.sha256 });
      described = `dataset #${datasetAsset} "${data.name}" (${data.content.size} bytes, read by the providers only)`;
    } else {
      dataset = file as Uint8Array;
      described = `${values.dataset} (${dataset.length} bytes)`;
    }

    note(`training recipe #${recipeId} "${recipe.name}" on ${described}, r = ${redundancy}…`);
    const { run, order } = await runPaidOrder<TrainOutput>(context, account, {
      assetId: recipeId,
      input: dataset,
      redundancy,
      maxPriceWei,
      currency,
      deadlineSeconds,
    });
    if (!isTrainOutput(run.output)) throw new Error(`Order ${order.orderHash} returned no trained model.`);
    const model = new Uint8Array(Buffer.from(run.output.training.model, 'base64'));
    if (values['output-dir'] !== undefined) {
      writeFileSync(path.join(values['output-dir'], 'model.onnx'), model);
      note(`  saved ${path.join(values['output-dir'], 'model.onnx')}`);
    }

    note('publishing the trained model with its lineage…');
    const signature = await readOnnxSignature(model);
    const upload = await uploadContent(context.client, { data: model, encrypt: true });
    const published = await publishAsset(context.client, {
      uploadId: upload.uploadId,
      name: values.name,
      kind: 'model',
      description: `Trained through Souk by order ${order.orderHash} on recipe #${recipeId}.`,
      runtime: { engine: 'onnxruntime', pipeline: 'onnx' },
      ...signature,
      license: { terms: recipe.license.terms },
      royaltyBps: 0,
      lineage: { trainingOrder: order.orderHash },
    });
    let assetId = published.assetId;
    let mintTx = published.transactionHash as Hex | null;
    if (assetId === null && published.transaction) {
      ({ assetId, mintTx } = await signMint(context, account, published.transaction));
    }
    if (assetId === null) throw new Error('The node neither minted the model nor returned its transaction.');
    const manifest = await getAssetManifest(context.client, { assetId: BigInt(assetId) });

    const { model: _model, ...summary } = run.output.training;
    emit(
      values.json,
      {
        order,
        result: { resultHash: run.resultHash, providers: run.providers, training: summary },
        asset: { assetId, manifestCid: published.manifestCid, mintTx, lineage: manifest.lineage ?? null },
      },
      () =>
        [
          ...formatTraining(run.output as TrainOutput),
          '',
          ...verificationLines(run, order),
          '',
          `Published model #${assetId} "${values.name}"`,
          `  manifest  ${published.manifestCid}`,
          `  mint tx   ${mintTx ?? '-'}`,
          `  lineage   recipe #${manifest.lineage?.recipe.assetId} v${manifest.lineage?.recipe.version}, dataset ${manifest.lineage?.datasets[0]?.assetId ? `#${manifest.lineage.datasets[0].assetId} ` : ''}sha256 ${manifest.lineage?.datasets[0]?.sha256.slice(0, 16)}…, ${manifest.lineage?.providers.length} providers`,
          ...(manifest.lineage?.royalties?.length
            ? [
                `  royalties ${manifest.lineage.royalties.map((r) => `${(r.bps / 100).toFixed(2)} % to ${r.account} (${r.role} #${r.assetId})`).join(', ')}; souk royalties ${assetId}`,
              ]
            : []),
          `  try it    souk run ${assetId} --input <file.npy>`,
        ].join('\n'),
    );
    return PAID_PHASES.includes(order.phase) ? 0 : EXIT.failure;
  });
