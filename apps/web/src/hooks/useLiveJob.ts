/**
 * A job kept current: read from the index (`getJob`), re-read on every event of the job pushed over the node's
 * WebSocket (`subscribeEvents`, topic `job`, filtered by job id), with a slow poll as a safety net until it settles.
 */
import { TERMINAL_JOB_STATUSES } from '@souk/protocol';
import { getJob, type Job, type SoukEventMessage, subscribeEvents } from '@souk/sdk';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNode } from './useNode.tsx';

export type LiveJob = {
  job: Job | undefined;
  error: unknown;
  isLoading: boolean;
  /** `live` once the WebSocket subscription is acknowledged. */
  socket: 'connecting' | 'live' | 'closed';
  /** Events received over the socket, newest last. */
  events: SoukEventMessage[];
};

export function useLiveJob(jobId: string | undefined): LiveJob {
  const { client } = useNode();
  const queryClient = useQueryClient();
  const [socket, setSocket] = useState<LiveJob['socket']>('connecting');
  const [events, setEvents] = useState<SoukEventMessage[]>([]);
  const query = useQuery({
    queryKey: ['job', jobId],
    queryFn: () => getJob(client, { jobId: BigInt(jobId as string) }),
    enabled: jobId !== undefined,
    retry: (count, error) => count < 30 && (error as { status?: number }).status === 404, // not indexed yet
    retryDelay: 500,
    refetchInterval: (q) => (q.state.data && TERMINAL_JOB_STATUSES.has(q.state.data.status) ? false : 3000),
  });
  const settled = query.data !== undefined && TERMINAL_JOB_STATUSES.has(query.data.status);

  useEffect(() => {
    if (jobId === undefined || settled) {
      setSocket('closed');
      return;
    }
    let closed = false;
    let close: (() => void) | undefined;
    setSocket('connecting');
    subscribeEvents(client, {
      topics: ['job'],
      filter: { jobId: BigInt(jobId) },
      onEvent: (event) => {
        setEvents((all) => [...all, event]);
        queryClient.invalidateQueries({ queryKey: ['job', jobId] });
      },
      onError: () => {
        if (!closed) setSocket('closed');
      },
    })
      .then((subscription) => {
        if (closed) subscription.close();
        else {
          close = subscription.close;
          setSocket('live');
          // Anything that happened before the subscription was acknowledged:
          queryClient.invalidateQueries({ queryKey: ['job', jobId] });
        }
      })
      .catch(() => {
        if (!closed) setSocket('closed');
      });
    return () => {
      closed = true;
      close?.();
    };
  }, [client, queryClient, jobId, settled]);

  return { job: query.data, error: query.error, isLoading: query.isLoading, socket, events };
}
