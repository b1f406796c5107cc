/**
 * A job, live: status, the commit–reveal timeline (pushed over the WebSocket), its providers, the payouts with their
 * transactions, and — for its requester, once verified — the result (OCR boxes over the image, or tensors).
 */
import { getAssetManifest, getJobResult } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useLiveJob } from '../hooks/useLiveJob.ts';
import { useCurrency, useNode } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { formatAmount } from '../lib/format.ts';
import { jobInputUrl } from '../lib/inputStore.ts';
import { Address } from './Address.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { JobTimeline } from './JobTimeline.tsx';
import { Loading } from './Loading.tsx';
import { Payouts } from './Payouts.tsx';
import { ResultOutput } from './ResultOutput.tsx';
import { Section } from './Section.tsx';

const STATUS_STYLE: Record<string, string> = {
  finalized: 'bg-emerald-100 text-emerald-900',
  refunded: 'bg-red-100 text-red-900',
  failed: 'bg-red-100 text-red-900',
  disputed: 'bg-orange-100 text-orange-900',
};

export function JobDetails({ jobId }: { jobId: string }) {
  const { client } = useNode();
  const session = useSession();
  const currency = useCurrency();
  const live = useLiveJob(jobId);
  const job = live.job;
  const you = session.identity?.address;
  const isRequester = job !== undefined && you !== undefined && job.requester.toLowerCase() === you.toLowerCase();
  const result = useQuery({
    queryKey: ['job-result', jobId, you],
    queryFn: async () => {
      await session.ensureSignedIn();
      return getJobResult(client, { jobId });
    },
    enabled: job?.status === 'finalized' && isRequester,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const manifest = useQuery({
    queryKey: ['manifest', job?.model_id, 'job'],
    queryFn: () => getAssetManifest(client, { assetId: BigInt(job?.model_id as string) }),
    enabled: job !== undefined,
  });

  if (live.isLoading) return <Loading label={`Loading job ${jobId}…`} />;
  if (!job)
    return <ErrorNotice error={live.error ?? { title: 'No such job', detail: `Job ${jobId} is not indexed.` }} />;
  const output = result.data?.output;

  return (
    <div className="space-y-6" data-testid="job-details" data-status={job.status}>
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-xl font-bold">Job #{job.id}</h2>
        <span
          className={`rounded-full px-2 py-0.5 text-sm font-medium ${STATUS_STYLE[job.status] ?? 'bg-amber-100 text-amber-900'}`}
          data-testid="job-status"
        >
          {job.status}
        </span>
        <span className="text-xs text-stone-500" role="status">
          {live.socket === 'live'
            ? '● live updates'
            : job.status === 'finalized' || job.status === 'refunded' || job.status === 'failed'
              ? ''
              : 'polling'}
        </span>
      </div>
      <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[9rem_minmax(0,1fr)]">
        <dt className="text-stone-500">Model</dt>
        <dd>
          <Link to={`/assets/${job.model_id}`} className="text-amber-800 underline">
            {manifest.data?.name ?? `asset #${job.model_id}`}
          </Link>
        </dd>
        <dt className="text-stone-500">Requester</dt>
        <dd>
          <Address value={job.requester} you={you} />
        </dd>
        <dt className="text-stone-500">Reward (escrow)</dt>
        <dd>{formatAmount(job.reward, currency(job.currency))}</dd>
        <dt className="text-stone-500">Providers</dt>
        <dd>{job.redundancy} must agree</dd>
        <dt className="text-stone-500">Deadline</dt>
        <dd>{new Date(job.deadline).toLocaleString()}</dd>
        {job.result_hash && (
          <>
            <dt className="text-stone-500">Result hash</dt>
            <dd className="truncate font-mono text-xs" title={job.result_hash}>
              {job.result_hash}
            </dd>
          </>
        )}
      </dl>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Section title="Timeline">
          <JobTimeline job={job} />
        </Section>
        <div className="space-y-6">
          <Section title="Providers">
            {job.assignments.length === 0 ? (
              <p className="text-sm text-stone-600">Waiting for the scheduler to assign providers.</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {job.assignments.map((a) => (
                  <li key={a.provider} className="flex flex-wrap items-center gap-x-3 gap-y-1">
                    <Address value={a.provider} you={you} />
                    {!a.assigned && <span className="text-xs text-stone-500">(replaced)</span>}
                    <span className="text-xs text-stone-600">
                      {a.result ? 'revealed' : a.commitment ? 'committed' : a.assigned ? 'running' : ''}
                    </span>
                    {a.result && (
                      <span className="truncate font-mono text-xs text-stone-500" title={a.result}>
                        {a.result.slice(0, 12)}…
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <Section title="Payouts">
            <Payouts payouts={job.payouts} you={you} />
          </Section>
        </div>
      </div>

      {job.status === 'finalized' && (
        <Section title="Result">
          {!isRequester ? (
            <p className="text-sm text-stone-600">Only the requester can read the verified result.</p>
          ) : result.isLoading ? (
            <Loading label="Reading the verified result…" />
          ) : result.error ? (
            <ErrorNotice error={result.error} />
          ) : (
            <ResultOutput output={output} input={jobInputUrl(job.id)} alt={`Input image of job ${job.id}`} />
          )}
          {result.data && (
            <p className="mt-3 text-xs text-stone-600">
              Verified: {result.data.providers.filter((p) => p.agreed).length} provider(s) revealed the hash settled
              on-chain
              {result.data.audit ? `; the referee re-executed it (${result.data.audit.reason})` : ''}.
            </p>
          )}
        </Section>
      )}
      {job.status === 'failed' && (
        <div data-testid="job-failure">
          <ErrorNotice
            error={{
              title: 'Failed: the model cannot take this input',
              detail: `${job.failure?.reason ?? 'The providers and the referee could not run it.'} The reward went back to the requester in full; no provider was slashed.${job.failure?.reproducedByReferee ? ' (Reproduced by the node’s referee.)' : ''}`,
            }}
          />
        </div>
      )}
      {job.status === 'refunded' && (
        <ErrorNotice
          error={{
            title: 'Refunded',
            detail: 'No verified result before the deadline: the reward went back to the requester.',
          }}
        />
      )}
    </div>
  );
}
