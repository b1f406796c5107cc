import type { RoundRun } from '@souk/protocol';
import { render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { RoundTimeline } from './Rounds.tsx';

const entry = (round: number, loss: number, accuracy: number) => ({
  round,
  orders: [`0x${'a'.repeat(64)}`, `0x${'b'.repeat(64)}`],
  aggregateHash: `0x${String(round).repeat(64)}`,
  loss,
  accuracy,
  samples: 210,
  recordedAt: 0,
});

const run: RoundRun = {
  id: '2f7c9a60-9a1e-4a39-9b3e-2d0f0f2f9c11',
  recipeId: '5',
  requester: `0x${'c'.repeat(40)}`,
  shards: 2,
  rounds: 3,
  entries: [entry(0, 1.64, 0.553), entry(1, 0.675, 0.913)],
  createdAt: 0,
};

test("draws a run's loss and accuracy per round and lists each verified round", () => {
  const { container } = render(<RoundTimeline run={run} />);
  expect(screen.getByTestId('round-timeline')).toHaveTextContent(
    'Recipe #5: 2 of 3 rounds verified, 2 shards per round (running).',
  );
  expect(screen.getByTestId('round-timeline')).toHaveTextContent('round 2: loss 0.6750, accuracy 91.3 %');
  // Two rounds: two points per curve; loss scaled to its maximum (round 1 at the top), accuracy to 1.
  expect(container.querySelector('[data-curve="loss"]')?.getAttribute('points')).toBe('0.0,0.0 320.0,70.6');
  expect(container.querySelector('[data-curve="accuracy"]')?.getAttribute('points')).toBe('0.0,53.6 320.0,10.4');
  expect(container.querySelectorAll('[data-round]')).toHaveLength(2);
});

test('says when a run has finished', () => {
  render(<RoundTimeline run={{ ...run, rounds: 2 }} />);
  expect(screen.getByTestId('round-timeline')).toHaveTextContent(
    '2 of 2 rounds verified, 2 shards per round (finished).',
  );
});
