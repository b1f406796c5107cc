/**
 * `souk job <id>`: one compute job from the node's index — status, reward, providers with their commits and
 * reveals, events with transaction hashes, and payouts.
 */
import { getJob, type Job } from '@souk/sdk';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseId } from '../args.ts';
import { emit, guard } from '../command.ts';
import { type Context, connect } from '../context.ts';
import { formatAmount, table } from '../format.ts';

export const summary = 'Show a compute job: status, providers, commits and reveals, payouts, transactions';

export const help = `Usage: souk job <id> [options]

${summary}.

Options:
${nodeHelp}`;

const short = (hash: string | null) => (hash ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : '-');
const when = (iso: string) => iso.slice(0, 19).replace('T', ' ');

/** The job as text: a summary, then providers, events and payouts as tables. */
export function describeJob(job: Job, context: Pick<Context, 'token'>): string {
  const token = context.token(job.currency);
  const lines = [
    `Job #${job.id}  ${job.status}`,
    `  model       asset #${job.model_id}`,
    `  requester   ${job.requester}`,
    `  reward      ${formatAmount(job.reward, token)}`,
    `  redundancy  ${job.redundancy} provider${job.redundancy === 1 ? '' : 's'}  (committed ${job.committed_count}, revealed ${job.revealed_count})`,
    `  deadline    ${when(job.deadline)} UTC`,
    `  input hash  ${job.input_hash}`,
    `  result      ${job.result_hash ?? '-'}`,
    `  created     ${when(job.created_at)} UTC, block ${job.created_block}`,
  ];
  lines.push('', 'Providers');
  lines.push(
    job.assignments.length === 0
      ? '  none assigned'
      : table(
          ['  PROVIDER', 'ASSIGNED', 'COMMITMENT', 'RESULT'],
          job.assignments.map((a) => [
            `  ${a.provider}`,
            a.assigned ? 'yes' : 'released',
            short(a.commitment),
            short(a.result),
          ]),
        ),
  );
  lines.push('', 'Events');
  lines.push(
    job.events.length === 0
      ? '  none'
      : table(
          ['  EVENT', 'PROVIDER', 'BLOCK', 'TIME (UTC)', 'TX'],
          job.events.map((e) => [
            `  ${e.kind}`,
            e.provider ?? '-',
            String(e.block_number),
            when(e.timestamp),
            e.tx_hash,
          ]),
        ),
  );
  lines.push('', 'Payouts');
  lines.push(
    job.payouts.length === 0
      ? '  none yet'
      : table(
          ['  ROLE', 'ACCOUNT', 'AMOUNT', 'TX'],
          job.payouts.map((p) => [
            `  ${p.role}`,
            p.account,
            formatAmount(p.amount, context.token(p.currency)),
            p.tx_hash,
          ]),
        ),
  );
  return lines.join('\n');
}

export function run(argv: string[]): Promise<number> {
  return guard('job', async () => {
    const { values: flags, positionals } = parse(argv, nodeOptions, { positionals: 1, required: 1, names: ['<id>'] });
    const jobId = parseId(positionals[0], '<id>');
    const context = await connect({ url: nodeUrl(flags.node) });
    const job = await getJob(context.client, { jobId });
    emit(flags.json, job, () => describeJob(job, context));
    return 0;
  });
}
