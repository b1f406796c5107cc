/** `souk job` output: the summary, providers with commits and reveals, events and payouts of a finished job. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '@souk/sdk';
import { describeJob } from './job.ts';

const P1 = '0x1111111111111111111111111111111111111111';
const P2 = '0x2222222222222222222222222222222222222222';
const USD = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const tx = (n: number) => `0x${String(n).repeat(64)}`;

const job: Job = {
  id: '3',
  requester: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  model_id: '1',
  input_hash: `0x${'ab'.repeat(32)}`,
  status: 'finalized',
  currency: USD,
  reward: '2500000',
  redundancy: 2,
  deadline: '2026-01-01T10:00:00.000Z',
  committed_count: 2,
  revealed_count: 2,
  result_hash: `0x${'cd'.repeat(32)}`,
  created_block: 40,
  created_at: '2026-01-01T09:00:00.000Z',
  updated_block: 48,
  assignments: [
    {
      provider: P1,
      assigned: true,
      commitment: `0x${'01'.repeat(32)}`,
      result: `0x${'cd'.repeat(32)}`,
      assigned_block: 41,
    },
    { provider: P2, assigned: true, commitment: `0x${'02'.repeat(32)}`, result: null, assigned_block: 41 },
  ],
  events: [
    {
      tx_hash: tx(1),
      log_index: 0,
      kind: 'JobCreated',
      provider: null,
      data: {},
      block_number: 40,
      timestamp: '2026-01-01T09:00:00.000Z',
    },
    {
      tx_hash: tx(2),
      log_index: 1,
      kind: 'ResultCommitted',
      provider: P1,
      data: {},
      block_number: 43,
      timestamp: '2026-01-01T09:01:00.000Z',
    },
  ],
  payouts: [
    {
      tx_hash: tx(3),
      log_index: 2,
      role: 'provider',
      account: P1,
      currency: USD,
      amount: '1000000',
      block_number: 48,
      timestamp: '2026-01-01T09:05:00.000Z',
    },
  ],
};

test('describeJob shows status, reward in its token, providers, events with hashes, and payouts', () => {
  const text = describeJob(job, {
    token: (c) => (c === USD ? { symbol: 'mUSD', decimals: 6 } : { symbol: String(c), decimals: undefined }),
  });
  assert.match(text, /^Job #3 {2}finalized$/m);
  assert.match(text, /^ {2}reward {6}2\.5 mUSD$/m);
  assert.match(text, /^ {2}redundancy {2}2 providers {2}\(committed 2, revealed 2\)$/m);
  assert.match(text, /^ {2}deadline {4}2026-01-01 10:00:00 UTC$/m);
  assert.match(text, new RegExp(`^ {2}${P1} +yes +0x01010101…010101 +0xcdcdcdcd…cdcdcd$`, 'm'));
  assert.match(text, new RegExp(`^ {2}${P2} +yes +0x02020202…020202 +-$`, 'm'));
  assert.match(text, new RegExp(`^ {2}ResultCommitted +${P1} +43 +2026-01-01 09:01:00 +${tx(2)}$`, 'm'));
  assert.match(text, new RegExp(`^ {2}provider +${P1} +1 mUSD +${tx(3)}$`, 'm'));
});
