import { describe, expect, test } from 'vitest';
import { jobAt } from '../test/jobs.ts';
import { jobTimeline } from './jobs.ts';

const states = (stage: Parameters<typeof jobAt>[0]) =>
  Object.fromEntries(jobTimeline(jobAt(stage)).map((s) => [s.key, s.state]));

describe('the job timeline', () => {
  test('an open job waits for its providers', () => {
    expect(states('open')).toEqual({
      submitted: 'done',
      assigned: 'current',
      committed: 'pending',
      revealed: 'pending',
      finalized: 'pending',
    });
  });

  test('a job whose providers committed waits for their reveals', () => {
    expect(states('committed')).toMatchObject({ assigned: 'done', committed: 'done', revealed: 'current' });
  });

  test('a finalized job has every step done, each with its transactions', () => {
    const steps = jobTimeline(jobAt('finalized'));
    expect(steps.every((s) => s.state === 'done')).toBe(true);
    expect(steps.find((s) => s.key === 'committed')?.entries.map((e) => e.provider)).toHaveLength(2);
    expect(steps.find((s) => s.key === 'finalized')?.entries).toHaveLength(1);
  });

  test('a refunded job ends in a failed step named Refunded', () => {
    const last = jobTimeline(jobAt('refunded')).at(-1);
    expect(last).toMatchObject({ label: 'Refunded', state: 'failed' });
  });

  test('a job whose input the model cannot take ends in a failed step that names the reason', () => {
    const job = {
      ...jobAt('assigned'),
      status: 'failed' as const,
      failure: {
        reason: 'The input is not a readable image: vipspng: libpng read error',
        reasonHash: `0x${'ab'.repeat(32)}`,
        code: 'invalid-input',
        reportedBy: null,
        reportedReason: null,
        reproducedByReferee: true,
        transactionHash: null,
      },
    };
    const steps = jobTimeline(job);
    expect(steps.at(-1)).toMatchObject({
      label: 'Failed',
      state: 'failed',
      detail: expect.stringMatching(/not a readable image.*no provider slashed/),
    });
    expect(steps.find((s) => s.key === 'committed')?.state).toBe('failed');
  });

  test('a disputed job says the referee re-executes it', () => {
    const revealed = jobTimeline(jobAt('disputed')).find((s) => s.key === 'revealed');
    expect(revealed).toMatchObject({ state: 'failed', detail: expect.stringMatching(/referee/) });
  });
});
