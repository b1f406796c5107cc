/**
 * `souk run` on an input the model cannot take (issue "Security and crash safety", item 6): refused before anything
 * is escrowed when the node's order-time check catches it, else followed to `failed` — in both cases the reason is
 * printed and the exit code is 1 (before, the CLI waited 15 minutes for a refund while the providers were slashed).
 * The real `souk` bin runs against a whole node with two local providers in this process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeMarketAbi } from '@souk/contracts/abis';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { zeroAddress } from 'viem';
import { souk } from '../test-utils.ts';

describe('souk run on an input the model cannot take', { timeout: 300_000 }, () => {
  let node: RunningNode;
  let dataDir: string;
  let env: Record<string, string>;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-run-failed-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '2' },
      { SOUK_AUDIT_RATE: '0', RATE_LIMIT_PER_MINUTE: '100000' },
    );
    node = await startNode(config, { logger: false });
    env = { SOUK_NODE_URL: node.url };
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  const escrowed = () =>
    node.services.chain.publicClient.readContract({
      address: node.services.chain.deployment.contracts.computeMarket,
      abi: computeMarketAbi,
      functionName: 'totalEscrowed',
      args: [zeroAddress],
    });

  test('an input refused at order time: the 422 reason, exit 1, nothing escrowed', async () => {
    const input = path.join(dataDir, 'not-an-image.json');
    writeFileSync(input, '{"tensors":{}}');
    const run = await souk(['run', String(node.sampleModelId), '--input', input, '--on-chain'], env);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /SOUK_ERR_INVALID_JOB_INPUT.*not a readable image/);
    assert.equal(await escrowed(), 0n);
  });

  test('an input that fails when it runs: "Job #N failed: <reason>", refunded, nobody slashed, exit 1', async () => {
    const png = path.join(dataDir, 'input.png');
    renderText(findImageMagick(), { out: png, text: 'Souk', font: dejavuFont('DejaVuSans.ttf'), pointSize: 36 });
    const truncated = path.join(dataDir, 'truncated.png');
    const bytes = readFileSync(png);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const run = await souk(
      ['run', String(node.sampleModelId), '--input', truncated, '--deadline', '120', '--on-chain'],
      env,
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^Job #\d+ failed: The input is not a readable image/m);
    assert.match(run.stdout, /refunded in full, no provider slashed/);
    assert.match(run.stderr, /failed {5}The input is not a readable image/);
    assert.doesNotMatch(run.stderr, /slashed {4}0x/);
    assert.equal(await escrowed(), 0n);
  });
});
