/** Job fixtures as `GET /api/v1/jobs/:id` returns them. */
import type { Job } from '@souk/sdk';

const provider1 = '0xa0ee7a142d267c1f36714e4a8f75612f20a79720';
const provider2 = '0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f';
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const at = '2026-11-23T15:00:00.000Z';
const event = (kind: string, n: number, provider: string | null = null, data: unknown = {}) => ({
  tx_hash: hash(n),
  log_index: 0,
  kind,
  provider,
  data,
  block_number: 100 + n,
  timestamp: at,
});

/** A job at `stage`, with the events and payouts the indexer would hold then. */
export function jobAt(stage: 'open' | 'assigned' | 'committed' | 'finalized' | 'refunded' | 'disputed'): Job {
  const events = [event('JobSubmitted', 1)];
  const assignments: Job['assignments'] = [];
  let committed = 0;
  let revealed = 0;
  if (stage !== 'open' && stage !== 'refunded') {
    events.push(event('ProviderAssigned', 2, provider1), event('ProviderAssigned', 2, provider2));
    assignments.push(
      { provider: provider1, assigned: true, commitment: null, result: null, assigned_block: 102 },
      { provider: provider2, assigned: true, commitment: null, result: null, assigned_block: 102 },
    );
  }
  if (stage === 'committed' || stage === 'finalized' || stage === 'disputed') {
    events.push(event('ResultCommitted', 3, provider1), event('ResultCommitted', 4, provider2));
    committed = 2;
  }
  if (stage === 'finalized' || stage === 'disputed') {
    events.push(event('ResultRevealed', 5, provider1), event('ResultRevealed', 6, provider2));
    revealed = 2;
  }
  if (stage === 'finalized') events.push(event('JobSettled', 7));
  if (stage === 'disputed') events.push(event('JobStatusChanged', 7, null, { from: '3', to: '4' }));
  if (stage === 'refunded') events.push(event('JobRefunded', 8));
  const payouts: Job['payouts'] =
    stage === 'finalized'
      ? [
          { role: 'provider', account: provider1, amount: '4000000000000000' },
          { role: 'provider', account: provider2, amount: '4000000000000000' },
          { role: 'creator', account: '0x90f79bf6eb2c4f870365e785982e1f101e93b906', amount: '500000000000000' },
          { role: 'treasury', account: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512', amount: '1500000000000000' },
        ].map((p, i) => ({
          ...(p as { role: Job['payouts'][number]['role']; account: string; amount: string }),
          tx_hash: hash(7),
          log_index: i,
          currency: '0x0000000000000000000000000000000000000000',
          block_number: 107,
          timestamp: at,
        }))
      : stage === 'refunded'
        ? [
            {
              role: 'refund',
              account: '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65',
              amount: '10000000000000000',
              tx_hash: hash(8),
              log_index: 0,
              currency: '0x0000000000000000000000000000000000000000',
              block_number: 108,
              timestamp: at,
            },
          ]
        : [];
  const status: Job['status'] =
    stage === 'committed' ? 'revealing' : stage === 'open' ? 'open' : stage === 'assigned' ? 'assigned' : stage;
  return {
    id: '7',
    requester: '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65',
    model_id: '2',
    input_hash: hash(99),
    status,
    currency: '0x0000000000000000000000000000000000000000',
    reward: '10000000000000000',
    redundancy: 2,
    deadline: '2026-11-23T15:15:00.000Z',
    committed_count: committed,
    revealed_count: revealed,
    result_hash: stage === 'finalized' ? hash(42) : null,
    created_block: 101,
    created_at: at,
    updated_block: 107,
    assignments,
    events,
    payouts,
  };
}
