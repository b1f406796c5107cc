/**
 * Exactly-once settlement across a crash of the node mid-batch (compute protocol v2). Two crash points leave an order
 * `settling` in the database: after the batch transaction was mined but before its outcome was written (the order is
 * paid on-chain), and after the order was marked but before the transaction was sent (nothing on-chain). The node
 * is stopped with exactly the database a crash at those points leaves (the rows are written as the crash would have
 * left them) and restarted on the same data: each order is charged exactly once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeEscrowAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { createSoukClient, getOrder, runOrder, type SoukClient, signIn } from '@souk/sdk';
import { type Address, parseEther, zeroAddress } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';

describe('compute protocol v2: after a crash mid-batch, the restarted node settles each order exactly once', () => {
  let dataDir: string;
  let devnetPort: number;
  let node: RunningNode;
  let client: SoukClient;
  let png: Uint8Array;

  async function start(env: Record<string, string>) {
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(devnetPort), providers: '2' },
      { SOUK_AUDIT_RATE: '0', ...env },
    );
    node = await startNode(config, { logger: false, log: process.env.SOUK_TEST_LOG ? console.log : undefined });
    client = createSoukClient({ url: node.url });
    await signIn(client, { account: node.services.chain.devAccounts[1].account });
  }
  const escrowBalance = () =>
    node.services.chain.publicClient.readContract({
      address: node.services.chain.deployment.contracts.computeEscrow as Address,
      abi: computeEscrowAbi,
      functionName: 'balanceOf',
      args: [zeroAddress, node.services.chain.devAccounts[1].address],
    }) as Promise<bigint>;
  /** Writes a phase into the stored order as a crashed node would have left it. */
  async function setPhase(hash: string, phase: string) {
    const row = await node.services.db
      .selectFrom('orders')
      .select('state')
      .where('order_hash', '=', hash)
      .executeTakeFirstOrThrow();
    const state = { ...(typeof row.state === 'string' ? JSON.parse(row.state) : row.state), phase };
    await node.services.db
      .updateTable('orders')
      .set({ phase, state: JSON.stringify(state) })
      .where('order_hash', '=', hash)
      .execute();
  }

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-orders-recovery-'));
    devnetPort = await freePort();
    const out = path.join(dataDir, 'in.png');
    renderText(findImageMagick(), { out, text: 'Souk 42', font: dejavuFont('DejaVuSans.ttf'), pointSize: 32 });
    png = new Uint8Array(readFileSync(out));
  });
  after(async () => {
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('paid-but-unrecorded and marked-but-unsent orders are each charged once', async () => {
    const price = parseEther('0.001');
    await start({});
    const publicClient = node.services.chain.publicClient;
    // A: settled on-chain by a batch.
    const a = await runOrder(client, {
      assetId: node.sampleModelId as bigint,
      input: png,
      redundancy: 1,
      maxPriceWei: price,
      publicClient,
    });
    let order = a.order;
    while (order.phase !== 'settled') order = await getOrder(client, { orderHash: order.orderHash, waitMs: 5_000 });
    await node.stop();

    // Restart with a settler that never closes a batch on its own, so B stays `ready`.
    await start({ SOUK_BATCH_INTERVAL_MS: '86400000' });
    const b = await runOrder(client, {
      assetId: node.sampleModelId as bigint,
      input: png,
      redundancy: 1,
      maxPriceWei: price,
      publicClient,
    });
    for (let i = 0; i < 50 && (await getOrder(client, { orderHash: b.order.orderHash })).phase !== 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await getOrder(client, { orderHash: b.order.orderHash })).phase, 'ready');
    const before = await escrowBalance();
    // The crash points: A paid on-chain but still `settling` here; B marked `settling`, its batch never sent.
    await setPhase(a.order.orderHash, 'settling');
    await setPhase(b.order.orderHash, 'settling');
    await node.stop();

    await start({});
    const finalA = await getOrder(client, { orderHash: a.order.orderHash });
    assert.equal(finalA.phase, 'settled', 'A is found settled on-chain (its nonce is used)');
    let finalB = await getOrder(client, { orderHash: b.order.orderHash });
    for (let i = 0; i < 20 && finalB.phase !== 'settled'; i++) {
      finalB = await getOrder(client, { orderHash: b.order.orderHash, waitMs: 5_000 });
    }
    assert.equal(finalB.phase, 'settled', `B settled after the restart (${finalB.reason})`);
    assert.equal(before - (await escrowBalance()), price, 'only B was charged after the restart, once');
  });
});
