/**
 * Regression test "an understaked provider is picked for an order": the order coordinator called `selectProviders`
 * without the registry's minimum stake, so a provider whose stake fell below it (after `requestUnbond`, or a slash)
 * was still assigned orders — and its attestation then failed every check downstream (the SDK's
 * `verifyOrderResult` and the escrow's settlement both require an active provider), so the requester waited for a
 * result it could never accept. Now such a provider is never picked; once its stake is back it is.
 *
 * Runs on the embedded defaults (PGlite, in-process bus), one local provider.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { devAccounts, providerRegistryAbi, soukTokenAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import type { ProviderAgent } from '@souk/provider';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { createSoukClient, getOrder, runOrder, type SoukClient, SoukError, signIn } from '@souk/sdk';
import { createWalletClient, http, parseEther } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { startProviderAgents } from './testing.ts';

describe('an understaked provider is never picked for an order', { timeout: 5 * 60_000 }, () => {
  let dataDir: string;
  let node: RunningNode;
  let client: SoukClient;
  let agents: ProviderAgent[] = [];
  let png: Uint8Array;
  const accounts = devAccounts();
  const provider = accounts[8];

  const chain = () => node.services.chain;
  const registry = () => chain().deployment.contracts.providerRegistry;
  const write = async (call: Record<string, unknown>) => {
    const wallet = createWalletClient({ account: provider.account, transport: http(chain().rpcUrl) });
    const hash = await wallet.writeContract({ chain: null, ...call } as never);
    const receipt = await chain().publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
  };
  const stakeOf = async () =>
    (
      await chain().publicClient.readContract({
        address: registry(),
        abi: providerRegistryAbi,
        functionName: 'getProvider',
        args: [provider.address],
      })
    ).stake;
  /** Waits until the node's index holds `stake` for the provider (the pool reads stakes from the index). */
  const indexed = async (stake: bigint) => {
    for (let i = 0; i < 100; i++) {
      const row = await node.services.db
        .selectFrom('providers')
        .select('stake')
        .where('address', '=', provider.address.toLowerCase())
        .executeTakeFirst();
      if (row && BigInt(row.stake) === stake) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`the index never saw stake ${stake}`);
  };

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-understaked-'));
    const out = path.join(dataDir, 'input.png');
    renderText(findImageMagick(), { out, text: 'Souk stake', font: dejavuFont('DejaVuSans.ttf'), pointSize: 32 });
    png = new Uint8Array(readFileSync(out));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { SOUK_AUDIT_RATE: '0' },
    );
    node = await startNode(config, { logger: false, log: process.env.SOUK_TEST_LOG ? console.log : undefined });
    agents = await startProviderAgents(node, [provider.account]);
    client = createSoukClient({ url: node.url });
    await signIn(client, { account: accounts[1].account });
  });

  after(async () => {
    for (const agent of agents) await agent.stop().catch(() => {});
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('below the minimum stake it gets no assignment; topped up again, it runs the waiting order', async () => {
    const minStake = await chain().publicClient.readContract({
      address: registry(),
      abi: providerRegistryAbi,
      functionName: 'minStake',
    });
    const stake = await stakeOf();
    assert.ok(stake >= minStake && minStake > 0n, 'the devnet provider starts active');
    // Unbond all but half the minimum: the provider stays registered and heartbeating, but inactive.
    const unbond = stake - minStake / 2n;
    await write({ address: registry(), abi: providerRegistryAbi, functionName: 'requestUnbond', args: [unbond] });
    await indexed(stake - unbond);

    const orderHashes: string[] = [];
    await assert.rejects(
      runOrder(client, {
        assetId: node.sampleModelId as bigint,
        input: png,
        redundancy: 1,
        maxPriceWei: parseEther('0.001'),
        timeoutMs: 4_000,
        onUpdate: (o) => orderHashes.push(o.orderHash),
      }),
      (error) => error instanceof SoukError && /No result for order/.test(error.message),
    );
    const orderHash = orderHashes[0] as string;
    const waiting = await getOrder(client, { orderHash });
    assert.equal(waiting.phase, 'running');
    assert.deepEqual(waiting.providers, [], 'no slot was given to the understaked provider');

    // Back above the minimum: the same order is assigned to it and agreed.
    const topUp = minStake;
    await write({
      address: chain().deployment.contracts.soukToken,
      abi: soukTokenAbi,
      functionName: 'approve',
      args: [registry(), topUp],
    });
    await write({ address: registry(), abi: providerRegistryAbi, functionName: 'increaseStake', args: [topUp] });
    await indexed(stake - unbond + topUp);
    let order = waiting;
    for (let i = 0; i < 30 && order.phase === 'running'; i++)
      order = await getOrder(client, { orderHash, waitMs: 2_000 });
    assert.ok(['agreed', 'ready', 'settling', 'settled'].includes(order.phase), `phase ${order.phase}`);
    assert.deepEqual(
      order.attestations.map((a) => a.provider.toLowerCase()),
      [provider.address.toLowerCase()],
    );
  });
});
