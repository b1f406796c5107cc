/** The steps of a multi-step action with their status, progress and transactions; changes are announced. */
import type { FlowStep } from '../hooks/useFlow.ts';
import type { ReadableError } from '../lib/errors.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TxLink } from './TxLink.tsx';

const MARK: Record<FlowStep['status'], { icon: string; text: string; className: string }> = {
  pending: { icon: '○', text: 'waiting', className: 'text-stone-400' },
  active: { icon: '◔', text: 'in progress', className: 'text-amber-600' },
  done: { icon: '✓', text: 'done', className: 'text-emerald-700' },
  failed: { icon: '✕', text: 'failed', className: 'text-red-700' },
  skipped: { icon: '–', text: 'skipped', className: 'text-stone-400' },
};

export function FlowStatus({ steps, error, label }: { steps: FlowStep[]; error: ReadableError | null; label: string }) {
  return (
    <section aria-label={label} className="space-y-3">
      <ol className="space-y-2" aria-live="polite">
        {steps.map((step) => {
          const mark = MARK[step.status];
          return (
            <li
              key={step.id}
              className="flex flex-wrap items-start gap-x-3 gap-y-1"
              data-step={step.id}
              data-status={step.status}
            >
              <span aria-hidden="true" className={`w-4 text-center font-bold ${mark.className}`}>
                {mark.icon}
              </span>
              <span className="min-w-0 flex-1">
                <span className="font-medium">{step.label}</span>
                <span className="sr-only"> — {mark.text}</span>
                {step.detail && <span className="ml-2 text-sm break-all text-stone-600">{step.detail}</span>}
                {step.status === 'active' && step.progress !== undefined && (
                  <progress
                    className="mt-1 block h-2 w-full max-w-md accent-amber-600"
                    max={1}
                    value={step.progress}
                    aria-label={`${step.label} progress`}
                  >
                    {Math.round(step.progress * 100)} %
                  </progress>
                )}
                {step.hashes.length > 0 && (
                  <span className="mt-0.5 flex flex-wrap gap-2 text-sm">
                    {step.hashes.map((h) => (
                      <TxLink key={h} hash={h} />
                    ))}
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ol>
      <ErrorNotice error={error} />
    </section>
  );
}
