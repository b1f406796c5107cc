/** A job's life as an ordered timeline: submitted → assigned → committed → revealed → finalized. */
import type { Job } from '@souk/sdk';
import { timeAgo } from '../lib/format.ts';
import { jobTimeline, type TimelineStep } from '../lib/jobs.ts';
import { Address } from './Address.tsx';
import { TxLink } from './TxLink.tsx';

const DOT: Record<TimelineStep['state'], string> = {
  done: 'bg-emerald-600 border-emerald-600',
  current: 'bg-amber-400 border-amber-500 motion-safe:animate-pulse',
  pending: 'bg-white border-stone-300',
  failed: 'bg-red-600 border-red-600',
};
const STATE_TEXT: Record<TimelineStep['state'], string> = {
  done: 'done',
  current: 'in progress',
  pending: 'not yet',
  failed: 'failed',
};

export function JobTimeline({ job }: { job: Job }) {
  const steps = jobTimeline(job);
  return (
    <ol className="relative space-y-5 border-l-2 border-stone-200 pl-6" aria-label={`Timeline of job ${job.id}`}>
      {steps.map((step) => (
        <li key={step.key} className="relative" data-step={step.key} data-state={step.state}>
          <span
            aria-hidden="true"
            className={`absolute top-1 -left-[33px] h-4 w-4 rounded-full border-2 ${DOT[step.state]}`}
          />
          <p className="font-medium">
            {step.label} <span className="sr-only">({STATE_TEXT[step.state]})</span>
            <span className="ml-2 text-sm font-normal text-stone-600">{step.detail}</span>
          </p>
          {step.entries.length > 0 && (
            <ul className="mt-1 space-y-0.5 text-sm">
              {step.entries.map((e) => (
                <li key={`${e.transactionHash}:${e.provider ?? ''}`} className="flex flex-wrap items-center gap-x-3">
                  {e.provider && <Address value={e.provider} />}
                  <TxLink hash={e.transactionHash} />
                  <span className="text-xs text-stone-500">{timeAgo(e.at)}</span>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
