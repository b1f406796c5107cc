/**
 * `souk provider stake <SOUK>` and `souk start`'s inactive-provider warning (issue "Security and crash safety",
 * item 6): a provider whose stake fell under ProviderRegistry's minimum (a slash, an unbond) gets no jobs, and before
 * this there was no CLI to top it up. Runs the real `souk` bin against a node started in this process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { providerRegistryAbi, soukTokenAbi } from '@souk/contracts/abis';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { createProviderAgent } from '@souk/provider';
import { createWalletClient, http, parseEther } from 'viem';
import { souk, soukJson } from '../test-utils.ts';
import { inactiveProviderWarnings } from './start.ts';

type StakeJson = {
  address: string;
  addedWei: string;
  stakeWei: string;
  minStakeWei: string;
  active: boolean;
  transactionHashes: string[];
};

describe('souk provider stake', () => {
  let node: RunningNode;
  let dataDir: string;
  let env: Record<string, string>;
  const INDEX = 5;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-cli-stake-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_SAMPLE_MODEL: '0' },
    );
    node = await startNode(config, { logger: false });
    env = { SOUK_NODE_URL: node.url };
    // Dev account 5 registers as a provider with the minimum, then unbonds 150 SOUK: under the minimum, inactive
    // (as a 100 SOUK slash leaves a provider that staked the minimum).
    const { chain } = node.services;
    const dev = chain.devAccounts[INDEX];
    const wallet = createWalletClient({
      account: dev.account,
      transport: http(chain.rpcUrl),
      chain: chain.publicClient.chain,
    });
    const { providerRegistry, soukToken } = chain.deployment.contracts;
    const minStake = await registryRead<bigint>('minStake', []);
    const send = async (call: object) =>
      chain.publicClient.waitForTransactionReceipt({ hash: await wallet.writeContract(call as never) });
    await send({ address: soukToken, abi: soukTokenAbi, functionName: 'approve', args: [providerRegistry, minStake] });
    await send({
      address: providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'register',
      args: ['data:application/json,{}', minStake],
    });
    await send({
      address: providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'requestUnbond',
      args: [parseEther('150')],
    });
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  function registryRead<T>(functionName: 'minStake' | 'isActive' | 'getProvider', args: readonly unknown[]) {
    return node.services.chain.publicClient.readContract({
      address: node.services.chain.deployment.contracts.providerRegistry,
      abi: providerRegistryAbi,
      functionName,
      args,
    } as never) as Promise<T>;
  }
  const address = () => node.services.chain.devAccounts[INDEX].address;

  test('souk start warns about an inactive local provider and names the command that fixes it', async () => {
    assert.equal(await registryRead<boolean>('isActive', [address()]), false);
    const agent = createProviderAgent({
      account: node.services.chain.devAccounts[INDEX].account,
      rpcUrl: node.services.chain.rpcUrl,
      chainId: node.services.chain.deployment.chainId,
      contracts: node.services.chain.deployment.contracts,
      bus: node.services.bus as NonNullable<typeof node.services.bus>,
    });
    const lines = await inactiveProviderWarnings({ providers: [agent], services: node.services });
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0], new RegExp(`provider ${address()} is inactive: stake 850 SOUK, minimum 1000 SOUK`));
    assert.match(lines[1], new RegExp(`npx souk provider stake 150 --account ${INDEX}$`));
    // A node on another URL than the CLI's default: the fix names it.
    const elsewhere = await inactiveProviderWarnings({
      providers: [agent],
      services: node.services,
      url: 'http://127.0.0.1:9090',
    });
    assert.match(elsewhere[1], new RegExp(`stake 150 --account ${INDEX} --node http://127\\.0\\.0\\.1:9090$`));
  });

  test('tops up a stake in SOUK with decimals, approving first, and says whether the provider is active', async () => {
    const before = (await registryRead<{ stake: bigint }>('getProvider', [address()])).stake;
    const partial = await soukJson<StakeJson>(['provider', 'stake', '100.5', '--account', String(INDEX)], env);
    assert.equal(partial.addedWei, String(parseEther('100.5')));
    assert.equal(BigInt(partial.stakeWei), before + parseEther('100.5'));
    assert.equal(partial.active, false, '950.5 SOUK is still under the 1000 SOUK minimum');
    assert.equal(partial.transactionHashes.length, 2, 'approve, then increaseStake');

    const text = await souk(['provider', 'stake', '49.5', '--account', String(INDEX)], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /topped up by 49\.5 SOUK: now 1000 SOUK/);
    assert.match(text.stdout, /active: the stake is at least the minimum \(1000 SOUK\)/);
    assert.equal(await registryRead<boolean>('isActive', [address()]), true);
    const agent = createProviderAgent({
      account: node.services.chain.devAccounts[INDEX].account,
      rpcUrl: node.services.chain.rpcUrl,
      chainId: node.services.chain.deployment.chainId,
      contracts: node.services.chain.deployment.contracts,
      bus: node.services.bus as NonNullable<typeof node.services.bus>,
    });
    assert.deepEqual(await inactiveProviderWarnings({ providers: [agent], services: node.services }), []);
  });

  test('refuses a missing, malformed or zero amount (exit 2) and an unregistered account (exit 1, decoded)', async () => {
    for (const args of [
      ['provider', 'stake'],
      ['provider', 'stake', 'lots'],
      ['provider', 'stake', '0'],
    ]) {
      const run = await souk([...args, '--account', String(INDEX)], env);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    }
    const stranger = await souk(['provider', 'stake', '10', '--account', '4'], env);
    assert.equal(stranger.code, 1);
    assert.match(stranger.stderr, /SoukNotRegistered/);
    const extra = await souk(['provider', 'status', '10', '--account', String(INDEX)], env);
    assert.equal(extra.code, 2);
  });
});
