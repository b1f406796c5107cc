/**
 * `souk rounds <recipe> --shard a.npz --shard b.npz … --rounds 5`: a federated training through the compute market
 * (collaboration rounds, docs/training.md). Each round, every shard's update is a training order on the recipe
 * (r providers agree on it; the SDK checks their signatures and stake), the verified updates are averaged (FedAvg)
 * and the next round starts from the aggregate. Prints each round as it finishes — its loss and accuracy, the update
 * orders and the aggregate's hash — and saves the final model as ONNX with `--output-dir`. The node verifies each round
 * and aggregates it itself (`/api/v1/rounds`); the web app draws the run at `/rounds/<id>`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeWeights, MAX_ROUNDS } from '@souk/protocol';
import { type DenseLayer, exportMlpToOnnx } from '@souk/provider/training';
import { type RoundSummary, runRounds } from '@souk/sdk';
import { accountHelp, accountOptions } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseDeadline, parseId, parseRedundancy } from '../args.ts';
import { emit, guard, note } from '../command.ts';
import { connect } from '../context.ts';
import { readDatasetFlag } from '../dataset.ts';
import { UsageError } from '../errors.ts';
import { orderOptions, orderPayer, topUpEscrow } from '../paidOrder.ts';
import { readTrainingRecipe } from '../recipe.ts';

export const summary = 'Train a model in federated rounds (FedAvg) through the compute market';

export const help = `Usage: souk rounds <recipe> --shard <a.npz> --shard <b.npz> … [--rounds n] [options]

${summary}.

<recipe> is a training-recipe asset (pipeline train). Each --shard is one participant's labelled .npz ("x" samples,
"y" class indices). In every round each shard's update is a training order whose input is the round, the previous
aggregate and the shard; r = --redundancy providers must agree on it, and a provider whose update disagrees is
outvoted by the referee and slashed. The verified updates are averaged, weighted by their samples (FedAvg), and the
next round starts from the average. Each update is paid like any order, at most --max-price.

Options:
  --shard <file.npz>    A participant's data (repeat, 1..64 times; averaged in the order given)
  --rounds <n>          Rounds to run, 1..${MAX_ROUNDS}                                          [default: 5]
  --redundancy <r>      Providers that must agree on each update, 1..5                    [default: 2]
  --max-price <amount>  Most each update may cost, escrowed (e.g. 0.001)                  [default: 0.01]
  --currency <c>        eth, musd, souk or a token address                               [default: eth]
  --deadline <seconds>  Time until each update order's deadline                          [default: 900]
  --output-dir <dir>    Save the final model there as model.onnx
  --json                Print every round and the final aggregate's hash as JSON
${accountHelp}
${nodeHelp}

Examples:
  souk rounds 5 --shard alice.npz --shard bob.npz --shard carol.npz --rounds 5 --output-dir out`;

export const run = (argv: string[]) =>
  guard('rounds', async () => {
    const { values, positionals } = parse(
      argv,
      {
        ...nodeOptions,
        ...accountOptions,
        shard: { type: 'string', multiple: true },
        rounds: { type: 'string' },
        ...orderOptions,
        'output-dir': { type: 'string' },
        json: { type: 'boolean' },
      },
      { positionals: 1, required: 1, names: ['the recipe asset id'] },
    );
    const recipeId = parseId(positionals[0], 'recipe');
    const files = values.shard ?? [];
    if (files.length < 1 || files.length > 64) throw new UsageError('Give 1..64 --shard <file.npz>.');
    const rounds = values.rounds === undefined ? 5 : Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) {
      throw new UsageError(`--rounds: "${values.rounds}" is not 1..${MAX_ROUNDS}.`);
    }
    const shards = files.map((file) => readDatasetFlag(file, '--shard'));
    const redundancy = parseRedundancy(values.redundancy);
    const deadlineSeconds = parseDeadline(values.deadline, 900);

    const context = await connect({ url: nodeUrl(values.node) });
    const recipe = await readTrainingRecipe(context, recipeId);
    const { account, currency, maxPriceWei } = await orderPayer(context, values);
    note(
      `federated training of recipe #${recipeId} "${recipe.name}": ${shards.length} shards × ${rounds} rounds, r = ${redundancy}…`,
    );
    const started = Date.now();
    const native = currency === '0x0000000000000000000000000000000000000000';
    const result = await runRounds(context.client, {
      recipeId,
      shards,
      rounds,
      redundancy,
      maxPriceWei,
      ...(native ? {} : { currency }),
      deadlineSeconds,
      account,
      timeoutMs: deadlineSeconds * 1000,
      track: true, // the node verifies each round and keeps the timeline the web app draws
      // Before each round, an escrow covering two rounds of updates: the node still reserves the previous round's
      // orders while their settlement batch lands (the balance is already debited), so one round's worth can fall
      // short for a moment.
      beforeRound: () => topUpEscrow(context, account, currency, maxPriceWei * BigInt(2 * shards.length), 1n),
      onRound: (round: RoundSummary) =>
        note(
          `  ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  round ${round.round + 1}/${rounds}  loss ${round.loss.toFixed(4)}  accuracy ${(round.accuracy * 100).toFixed(1)} %  aggregate ${round.aggregateHash.slice(0, 18)}…`,
        ),
    });
    const first = result.last[0]?.output.training;
    if (!first) throw new Error('The last round returned no update.');
    const sizes = [...first.template.hidden, first.classes.length];
    const tensors = decodeWeights(
      result.weights,
      sizes.flatMap((out, i) => [(i === 0 ? first.features : (sizes[i - 1] as number)) * out, out]),
    );
    const layers: DenseLayer[] = sizes.map((out, i) => ({
      in: i === 0 ? first.features : (sizes[i - 1] as number),
      out,
      kernel: tensors[2 * i] as Float32Array,
      bias: tensors[2 * i + 1] as Float32Array,
    }));
    if (values['output-dir'] !== undefined) {
      const file = path.join(values['output-dir'], 'model.onnx');
      writeFileSync(file, exportMlpToOnnx(layers, `souk rounds of recipe #${recipeId}`));
      note(`  saved ${file}`);
    }
    const last = result.rounds[result.rounds.length - 1] as RoundSummary;
    const timeline = `${context.client.url.replace(/\/$/, '')}/rounds/${result.runId}`;
    emit(
      values.json,
      {
        recipeId: String(recipeId),
        runId: result.runId,
        timeline,
        rounds: result.rounds,
        aggregateHash: last.aggregateHash,
      },
      () =>
        [
          `Federated model  ${first.features} features → ${first.classes.length} classes, ${rounds} rounds of ${shards.length} shards`,
          ...result.rounds.map(
            (r) =>
              `  round ${String(r.round + 1).padStart(3)}  loss ${r.loss.toFixed(4)}  accuracy ${(r.accuracy * 100).toFixed(1).padStart(5)} %  ${r.samples} samples  ${r.orders.length} verified updates`,
          ),
          `  aggregate  ${last.aggregateHash}`,
          `  timeline   ${timeline}  (verified by the node, round by round)`,
        ].join('\n'),
    );
    return 0;
  });
