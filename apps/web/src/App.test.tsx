import { screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { AppRoutes } from './App.tsx';
import { fakeNode, renderApp } from './test/render.tsx';

test('there is no per-job page: /jobs/:id is an unknown path, and nothing is asked of the node for it', async () => {
  const { client, calls } = fakeNode({});
  renderApp(<AppRoutes />, { client, route: '/jobs/1' });
  expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
  expect(calls.filter((c) => c.path.includes('/jobs'))).toEqual([]);
});
