/** Rate limiting answers 429 problem+json with a retry hint, per client, without affecting the node's health. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig } from './config.ts';
import { startNode } from './server.ts';

test('the 6th request in a minute with a limit of 5 gets 429 problem+json', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-rate-'));
  const config = loadConfig(
    { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()) },
    { RATE_LIMIT_PER_MINUTE: '5', SOUK_PROVIDERS: '0', SOUK_SAMPLE_MODEL: '0' },
  );
  const node = await startNode(config, { logger: false });
  try {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await fetch(`${node.url}/api/v1/chain/contracts`);
      statuses.push(last.status);
      if (i < 5) await last.arrayBuffer();
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assert.equal(last?.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const problem = await last?.json();
    assert.equal(problem.code, 'SOUK_ERR_RATE_LIMITED');
    assert.match(problem.detail, /5 requests per minute/);
    assert.ok(Number(last?.headers.get('retry-after')) > 0);
  } finally {
    await node.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
