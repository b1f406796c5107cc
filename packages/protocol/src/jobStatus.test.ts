/**
 * Job status codes and names: the numbering is `ComputeMarket.JobStatus` (pinned here value by value, since the
 * indexer, the coordinator and the provider read the contract's raw uint8), and the two maps invert each other.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JOB_STATUS_NAMES, JobStatus, jobStatusCode, jobStatusName, TERMINAL_JOB_STATUSES } from './jobStatus.ts';

describe('JobStatus', () => {
  test('numbers the statuses as ComputeMarket.JobStatus does', () => {
    assert.deepEqual(JobStatus, {
      None: 0,
      Open: 1,
      Assigned: 2,
      Revealing: 3,
      Disputed: 4,
      Finalized: 5,
      Refunded: 6,
      Failed: 7,
    });
  });

  test('each name is the lower-case enum name, at its code', () => {
    for (const [name, code] of Object.entries(JobStatus)) {
      assert.equal(jobStatusName(code), name.toLowerCase());
      assert.equal(jobStatusCode(name.toLowerCase()), code);
    }
    assert.equal(JOB_STATUS_NAMES.length, Object.keys(JobStatus).length);
  });

  test('reads codes as decoded from events: bigint and decimal string', () => {
    assert.equal(jobStatusName(4n), 'disputed');
    assert.equal(jobStatusName('6'), 'refunded');
  });

  test('refuses values that are not a status', () => {
    for (const bad of [8, -1, 1.5, Number.NaN, 8n, '', '0x3', 'revealing']) {
      assert.throws(() => jobStatusName(bad as number), {
        name: 'RangeError',
        message: /not a ComputeMarket job status/,
      });
    }
    assert.throws(() => jobStatusCode('Revealing'), { name: 'RangeError', message: /"Revealing" is not a job status/ });
  });

  test('terminal statuses are exactly the ones ComputeMarket never leaves', () => {
    assert.deepEqual([...TERMINAL_JOB_STATUSES].sort(), ['failed', 'finalized', 'refunded']);
  });
});
