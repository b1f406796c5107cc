import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { expect, test } from 'vitest';
import { Evaluations, Lineage } from './Evaluations.tsx';

const evaluation = {
  orderHash: `0x${'1f'.repeat(32)}`,
  modelId: '6',
  modelVersion: 0,
  datasetSha256: '3f2a'.repeat(16),
  samples: 100,
  classes: 10,
  accuracy: 0.98,
  precision: 0.981,
  recall: 0.98,
  f1: 0.9799,
  confusion: [],
  providers: ['0xa', '0xb'],
  resultHash: `0x${'2e'.repeat(32)}`,
  recordedAt: 0,
  chainTx: null,
};

test("lists a model's verified evaluations: accuracy, F1, dataset, providers", () => {
  render(<Evaluations items={[evaluation]} />);
  expect(screen.getByTestId('evaluations')).toHaveTextContent(
    'accuracy 98.0 % · F1 98.0 % on 100 samples of dataset 3f2a3f2a3f2a…, verified by 2 providers (v0, order 0x1f1f1f1f…)',
  );
});

test('says when an evaluation is on-chain, with its Evaluations.record transaction', () => {
  render(<Evaluations items={[{ ...evaluation, chainTx: `0x${'9c'.repeat(32)}` }]} />);
  expect(screen.getByTestId('evaluations')).toHaveTextContent('(v0, order 0x1f1f1f1f…), on-chain (tx 0x9c9c9c9c…)');
});

test('says when there is no evaluation yet', () => {
  render(<Evaluations items={[]} />);
  expect(screen.getByText('No verified evaluation yet (souk eval runs one).')).toBeInTheDocument();
});

test("shows a trained model's lineage with a link to its recipe", () => {
  render(
    <MemoryRouter>
      <Lineage
        lineage={{
          trainingOrder: `0x${'ab'.repeat(32)}`,
          recipe: { assetId: '5', version: 0 },
          datasets: [{ sha256: 'cd'.repeat(32) }],
          weightsHash: `0x${'ef'.repeat(32)}`,
          template: { kind: 'mlp', hidden: [48] },
          hyperparameters: { epochs: 20, batchSize: 32, learningRate: 0.01, seed: 11 },
          providers: ['0xa', '0xb'],
        }}
      />
    </MemoryRouter>,
  );
  expect(screen.getByRole('link', { name: '#5' })).toHaveAttribute('href', '/assets/5');
  expect(screen.getByTestId('lineage')).toHaveTextContent('v0 (MLP 48, 20 epochs, seed 11)');
  expect(screen.getByTestId('lineage')).toHaveTextContent('2 providers, order 0xabababab…');
});
