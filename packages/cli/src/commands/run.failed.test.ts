/**
 * `souk run` on an input the model cannot take (issue "Security and crash safety", item 6): refused before anything
 * is stored when the node's order-time check catches it, else followed to `failed` — in both cases the reason is
 * printed, nobody is charged or slashed, and the exit code is 1.
 * The real `souk` bin runs against a whole node with two local providers in this process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeEscrowAbi } from '@souk/contracts/abis';
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
  /** The requester's (dev account 1, the CLI's default) escrow balance in the native currency, wei. */
  const balance = () =>
    node.services.chain.publicClient.readContract({
      address: node.services.chain.deployment.contracts.computeEscrow,
      abi: computeEscrowAbi,
      functionName: 'balanceOf',
      args: [zeroAddress, node.services.chain.devAccounts[1].address],
    });
  const slashes = async () =>
    Number(
      (
        await node.services.db
          .selectFrom('providers')
          .select((eb) => eb.fn.sum<string>('slashed').as('n'))
          .executeTakeFirstOrThrow()
      ).n ?? 0,
    );

  test('an input refused at order time: the 422 reason, exit 1, no order stored', async () => {
    const input = path.join(dataDir, 'not-an-image.json');
    writeFileSync(input, '{"tensors":{}}');
    const run = await souk(['run', String(node.sampleModelId), '--input', input], env);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /SOUK_ERR_INVALID_JOB_INPUT.*not a readable image/);
    const stored = await node.services.db.selectFrom('orders').select('order_hash').execute();
    assert.deepEqual(stored, []);
  });

  test('an input that fails when it runs: "Order 0x… failed: <reason>", nobody charged or slashed, exit 1', async () => {
    const png = path.join(dataDir, 'input.png');
    renderText(findImageMagick(), { out: png, text: 'Souk', font: dejavuFont('DejaVuSans.ttf'), pointSize: 36 });
    const truncated = path.join(dataDir, 'truncated.png');
    const bytes = readFileSync(png);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const before = await balance();
    const run = await souk(['run', String(node.sampleModelId), '--input', truncated, '--deadline', '120'], env);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^Order 0x[0-9a-f]{64} failed: The input is not a readable image/m);
    assert.match(run.stdout, /nobody charged, no provider slashed/);
    // The CLI topped the escrow up before signing (devnet deposit): whatever it holds now, none of it was charged.
    assert.ok((await balance()) >= before, 'the requester was not charged');
    assert.equal(await slashes(), 0);
  });
});
