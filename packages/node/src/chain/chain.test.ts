/**
 * The node's chain service: on the embedded devnet a receipt or a head reaches the node only once anvil's saved
 * state contains it; on an external RPC (`--rpc-url`) nothing is saved or waited for.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { soukTokenAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { encodeFunctionData } from 'viem';
import { loadConfig } from '../config.ts';
import { type ChainService, createChain } from './index.ts';
import { transact } from './transact.ts';

describe('chain service', () => {
  let chain: ChainService;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'souk-chain-'));
    dirs.push(dir);
    return dir;
  };
  before(async () => {
    chain = await createChain(loadConfig({ 'data-dir': tempDir(), 'devnet-port': String(await freePort()) }, {}));
  });
  after(async () => {
    await chain?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const transfer = (to: `0x${string}`) => ({
    to: chain.deployment.contracts.soukToken,
    data: encodeFunctionData({ abi: soukTokenAbi, functionName: 'transfer', args: [to, 1n] }),
  });

  test('devnet: transact returns only once the block of its receipt is in the saved state', async () => {
    const [from, to] = [chain.devAccounts[1].address, chain.devAccounts[2].address];
    for (let i = 0; i < 3; i++) {
      const { transactionHashes } = await transact(chain, from, [transfer(to)], 'submit');
      const receipt = await chain.publicClient.getTransactionReceipt({ hash: transactionHashes[0] });
      assert.ok(
        (chain.anvil?.durableBlock() ?? -1n) >= receipt.blockNumber,
        `block ${receipt.blockNumber} saved before the answer (saved up to ${chain.anvil?.durableBlock()})`,
      );
    }
  });

  test('devnet: the head the node reads (eth_blockNumber) is always saved', async () => {
    await chain.publicClient.request({ method: 'evm_mine' as never });
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    assert.ok((chain.anvil?.durableBlock() ?? -1n) >= head);
  });

  test('--rpc-url: no devnet, no state file, and writes never wait for a save', async () => {
    const dataDir = tempDir();
    const deployments = path.join(dataDir, 'deployments.json');
    writeFileSync(deployments, JSON.stringify(chain.deployment));
    const operator = chain.devAccounts[6];
    const saved = process.env.SOUK_OPERATOR_KEY;
    process.env.SOUK_OPERATOR_KEY = operator.privateKey;
    const external = await createChain(
      loadConfig({ 'data-dir': dataDir, 'rpc-url': chain.rpcUrl, deployments }, {}),
    ).finally(() => {
      if (saved === undefined) delete process.env.SOUK_OPERATOR_KEY;
      else process.env.SOUK_OPERATOR_KEY = saved;
    });
    const anvil = chain.anvil;
    assert.ok(anvil);
    const persist = anvil.persist;
    let saves = 0;
    anvil.persist = (atLeast) => {
      saves++;
      return persist(atLeast);
    };
    try {
      assert.equal(external.devnet, false);
      assert.equal(external.anvil, undefined);
      const { transactionHashes } = await transact(
        external,
        operator.address,
        [transfer(chain.devAccounts[2].address)],
        'submit',
      );
      assert.equal(transactionHashes.length, 1);
      await external.publicClient.getBlockNumber({ cacheTime: 0 });
      assert.equal(saves, 0, 'the external chain path asked the devnet for no save');
      assert.equal(existsSync(path.join(dataDir, 'chain')), false);
    } finally {
      anvil.persist = persist;
      await external.stop();
    }
  });
});
