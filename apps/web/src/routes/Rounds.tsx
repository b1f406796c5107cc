/**
 * `/rounds/:id`: a federated run's timeline (collaboration rounds, docs/training.md), live: each round the node
 * verified and aggregated itself, its loss and accuracy as a curve across rounds, its update orders and the hash of
 * the aggregate the next round starts from. Polled every 2 s while rounds remain.
 */
import type { RoundRun } from '@souk/protocol';
import { getRoundRun } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { Section } from '../components/Section.tsx';
import { curvePoints } from '../components/TrainingResult.tsx';
import { useNode } from '../hooks/useNode.tsx';

/** The timeline of one run: the curve, then a row per verified round. */
export function RoundTimeline({ run }: { run: RoundRun }) {
  const loss = run.entries.map((e) => e.loss);
  const accuracy = run.entries.map((e) => e.accuracy);
  const last = run.entries.at(-1);
  return (
    <div className="space-y-3" data-testid="round-timeline">
      <p className="text-sm">
        Recipe #{run.recipeId}: {run.entries.length} of {run.rounds} rounds verified, {run.shards} shards per round
        {run.entries.length === run.rounds ? ' (finished)' : ' (running)'}.
      </p>
      <figure>
        <svg
          viewBox="0 0 320 120"
          className="h-32 w-full rounded border border-stone-200 bg-white"
          role="img"
          aria-label="Loss and accuracy per round"
        >
          <polyline
            data-curve="loss"
            points={curvePoints(loss, Math.max(...loss, Number.MIN_VALUE))}
            fill="none"
            stroke="#b45309"
            strokeWidth="2"
          />
          <polyline
            data-curve="accuracy"
            points={curvePoints(accuracy, 1)}
            fill="none"
            stroke="#047857"
            strokeWidth="2"
          />
        </svg>
        <figcaption className="text-xs text-stone-600">
          <span className="text-amber-700">loss</span> per round · <span className="text-emerald-700">accuracy</span>{' '}
          per round
          {last
            ? ` · round ${last.round + 1}: loss ${last.loss.toFixed(4)}, accuracy ${(last.accuracy * 100).toFixed(1)} %`
            : ''}
        </figcaption>
      </figure>
      <ol className="space-y-1 text-sm">
        {run.entries.map((e) => (
          <li key={e.round} data-round={e.round}>
            round {e.round + 1}: loss {e.loss.toFixed(4)}, accuracy {(e.accuracy * 100).toFixed(1)} %,{' '}
            {e.samples.toLocaleString()} samples, {e.orders.length} verified updates, aggregate{' '}
            <span className="font-mono text-xs" title={e.aggregateHash}>
              {e.aggregateHash.slice(0, 12)}…
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function RoundsPage() {
  const { id = '' } = useParams();
  const { client } = useNode();
  const run = useQuery({
    queryKey: ['rounds', id],
    queryFn: () => getRoundRun(client, { runId: id }),
    refetchInterval: (query) => {
      const data = query.state.data;
      return data && data.entries.length >= data.rounds ? false : 2_000;
    },
  });
  return (
    <Section title="Federated run">
      {run.error ? <ErrorNotice error={run.error} /> : run.data ? <RoundTimeline run={run.data} /> : <Loading />}
    </Section>
  );
}
