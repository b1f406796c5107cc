/**
 * A multi-step action shown as a list (upload → mint → licence terms → listing): each step's status, its progress,
 * its transaction hashes, and the error that stopped the flow.
 */
import { useCallback, useState } from 'react';
import { type ReadableError, readableError } from '../lib/errors.ts';

export type FlowStepStatus = 'pending' | 'active' | 'done' | 'failed' | 'skipped';

export type FlowStep = {
  id: string;
  label: string;
  status: FlowStepStatus;
  /** A short note, e.g. `asset #7` or `waiting for your wallet`. */
  detail?: string | undefined;
  /** 0…1 while active (uploads). */
  progress?: number | undefined;
  hashes: string[];
};

/**
 * @param initial - The steps in order (`id`, `label`).
 * @returns The steps, the error, and functions to move them.
 */
export function useFlow(initial: { id: string; label: string }[]) {
  const fresh = useCallback(
    () => initial.map((s) => ({ ...s, status: 'pending' as FlowStepStatus, hashes: [] as string[] })),
    [initial],
  );
  const [steps, setSteps] = useState<FlowStep[]>(fresh);
  const [error, setError] = useState<ReadableError | null>(null);
  const [running, setRunning] = useState(false);

  const update = useCallback((id: string, patch: Partial<FlowStep>) => {
    setSteps((all) => all.map((s) => (s.id === id ? { ...s, ...patch } : s)));
  }, []);
  const addHash = useCallback((id: string, hash: string) => {
    setSteps((all) =>
      all.map((s) => (s.id === id && !s.hashes.includes(hash) ? { ...s, hashes: [...s.hashes, hash] } : s)),
    );
  }, []);

  /**
   * Runs `body`, marking the flow running; an error marks the active step failed and is kept readable.
   * @param steps - Other steps for this run (default: the initial ones).
   * @param describe - Reads an error more specifically than {@link readableError} (undefined: fall back to it).
   * @returns `body`'s value, or undefined when it threw.
   */
  const run = useCallback(
    async <T>(
      body: () => Promise<T>,
      steps?: { id: string; label: string }[],
      describe?: (cause: unknown) => ReadableError | undefined,
    ): Promise<T | undefined> => {
      setSteps(steps ? steps.map((s) => ({ ...s, status: 'pending', hashes: [] })) : fresh());
      setError(null);
      setRunning(true);
      try {
        return await body();
      } catch (cause) {
        setSteps((all) => all.map((s) => (s.status === 'active' ? { ...s, status: 'failed' } : s)));
        setError(describe?.(cause) ?? readableError(cause));
        return undefined;
      } finally {
        setRunning(false);
      }
    },
    [fresh],
  );

  const reset = useCallback(() => {
    setSteps(fresh());
    setError(null);
  }, [fresh]);

  return { steps, error, running, update, addHash, run, reset };
}
