/**
 * Crash safety of compute protocol v2 with real processes: `souk start` (with its two providers and its anvil) is
 * killed with SIGKILL while orders it acknowledged wait for their settlement batch and one more is still running.
 * The restarted node must settle every acknowledged order exactly once (one `JobSettled` each on the chain) and
 * charge the requester's escrow exactly what those settlements say, no more.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { computeEscrowAbi, devAccounts } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { createSoukClient, runOrder } from '@souk/sdk';
import { type Address, createPublicClient, type Hex, http, parseEther, zeroAddress } from 'viem';
import { alive, cleanUpProcesses, dirs, exited, gracefulStop, signIn, spawnNode, waitUntil } from './nodeProcess.ts';

after(cleanUpProcesses);

type OrderView = { orderHash: Hex; phase: string; amount: string };

describe('crash safety of signed orders (real processes, SIGKILL)', () => {
  test('SIGKILL with agreed orders waiting for their batch and one order in flight: after restart each settles exactly once and the escrow is charged exactly that', {
    timeout: 300_000,
  }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-orders-crash-'));
    dirs.push(dataDir);
    const devnetPort = await freePort();
    // A batch interval of an hour: agreed orders are still unsettled when the node is killed.
    const first = await spawnNode(dataDir, devnetPort, await freePort(), {
      providers: 2,
      sampleModel: true,
      env: { SOUK_BATCH_INTERVAL_MS: '3600000' },
    }).ready;
    const sampleId = /#(\d+)\s+PaddleOCR/.exec(first.output())?.[1];
    assert.ok(sampleId, 'the sample model was published');
    const inputs = ['Crash order 1', 'Crash order 2', 'Crash order 3'].map((text, i) => {
      const png = path.join(dataDir, `input-${i}.png`);
      renderText(findImageMagick(), { out: png, text, font: dejavuFont('DejaVuSans.ttf'), pointSize: 32 });
      return new Uint8Array(readFileSync(png));
    });
    const requesterAccount = devAccounts(2)[1].account;
    const requester = createSoukClient({ url: first.url });
    await signIn(requester, requesterAccount);
    const maxPriceWei = parseEther('0.01');

    // Two orders agree and are answered (acknowledged to the requester with a verified result) …
    const answered: Hex[] = [];
    for (const input of inputs.slice(0, 2)) {
      const run = await runOrder(requester, { assetId: BigInt(sampleId), input, redundancy: 2, maxPriceWei });
      assert.match(JSON.stringify(run.output), /Crash order/);
      answered.push(run.order.orderHash as Hex);
    }
    // … and a third is accepted (202) and still running when the node dies.
    const inFlight = await requester.json<OrderView>('/api/v1/orders', {
      method: 'POST',
      body: {
        assetId: sampleId,
        maxPriceWei: maxPriceWei.toString(),
        redundancy: 2,
        input: Buffer.from(inputs[2]).toString('base64'),
      },
    });
    for (const hash of answered) {
      const order = await requester.json<OrderView>(`/api/v1/orders/${hash}`);
      assert.notEqual(order.phase, 'settled', 'not settled before the crash (the batch interval is an hour)');
    }

    const chain = createPublicClient({ transport: http(`http://127.0.0.1:${devnetPort}`) });
    const { contracts } = (await (await fetch(`${first.url}/api/v1/chain/contracts`)).json()) as {
      contracts: { computeEscrow: Address };
    };
    const escrow = contracts.computeEscrow;
    const balance = () =>
      chain.readContract({
        address: escrow,
        abi: computeEscrowAbi,
        functionName: 'balanceOf',
        args: [zeroAddress, requesterAccount.address],
      }) as Promise<bigint>;
    const before = await balance();
    assert.ok(before >= maxPriceWei * 3n, 'the devnet path deposited for the orders');

    first.child.kill('SIGKILL'); // its providers run in its process: they die with it
    await exited(first.child);
    assert.ok(await waitUntil(() => !alive(first.anvilPid), 5000));

    const second = await spawnNode(dataDir, devnetPort, await freePort(), { providers: 2, sampleModel: true }).ready;
    try {
      const client = createSoukClient({ url: second.url, accessToken: requester.accessToken });
      const hashes = [...answered, inFlight.orderHash];
      let last: unknown;
      const final = await waitUntil(async () => {
        const views = await Promise.all(
          hashes.map((hash) => client.json<OrderView>(`/api/v1/orders/${hash}`).catch((e: Error) => e.message)),
        );
        last = views.map((v) => (typeof v === 'string' ? v : v.phase));
        return views.every((v) => typeof v !== 'string' && ['settled', 'failed', 'expired', 'unpaid'].includes(v.phase))
          ? (views as OrderView[])
          : undefined;
      }, 120_000).catch((error: Error) => {
        throw new Error(
          `${error.message}; phases ${JSON.stringify(last)}; node output:\n${second.output().slice(-4000)}`,
        );
      });
      for (const view of final.slice(0, 2)) assert.equal(view.phase, 'settled', `answered order ${view.orderHash}`);
      assert.equal(final[2].phase, 'settled', 'the acknowledged in-flight order resumed and settled');

      const settled = await chain.getContractEvents({
        address: escrow,
        abi: computeEscrowAbi,
        eventName: 'JobSettled',
        fromBlock: 0n,
      });
      let charged = 0n;
      for (const hash of hashes) {
        const events = settled.filter((e) => (e.args as { orderHash: Hex }).orderHash === hash);
        assert.equal(events.length, 1, `order ${hash} settled exactly once on the chain`);
        charged += (events[0].args as { amount: bigint }).amount;
      }
      assert.equal(settled.length, hashes.length, 'nothing else was settled');
      assert.equal(await balance(), before - charged, 'the escrow was charged exactly the settlements');
      const nonceUsed = await Promise.all(
        final.map(async (view) => {
          const order = await client.json<{ order: { nonce: string } }>(`/api/v1/orders/${view.orderHash}`);
          return chain.readContract({
            address: escrow,
            abi: computeEscrowAbi,
            functionName: 'nonceUsed',
            args: [requesterAccount.address, BigInt(order.order.nonce)],
          });
        }),
      );
      assert.deepEqual(nonceUsed, [true, true, true]);
    } finally {
      await gracefulStop(second);
    }
  });
});
