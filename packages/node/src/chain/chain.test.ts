/**
 * The node's chain service: on the embedded devnet a receipt or a head reaches the node only once anvil's saved
 * state contains it; on an external RPC (`--rpc-url`) nothing is saved or waited for. `transact` simulates a call
 * sequence whole before sending its first transaction, and falls back to one call at a time on an RPC without
 * `eth_simulateV1`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeEscrowAbi, soukTokenAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { type Address, createPublicClient, custom, encodeFunctionData, type PublicClient } from 'viem';
import { loadConfig } from '../config.ts';
import { type ChainService, createChain } from './index.ts';
import { payingCalls, transact } from './transact.ts';

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

  /** `chain` seen through an RPC that records each method asked and, when `refuse` says so, answers with an error. */
  const recorded = (refuse: (method: string) => boolean) => {
    const methods: string[] = [];
    const publicClient = createPublicClient({
      chain: chain.chain,
      pollingInterval: 50,
      transport: custom({
        async request({ method, params }) {
          methods.push(method);
          if (refuse(method)) throw { code: -32601, message: `the method ${method} does not exist/is not available` };
          return chain.publicClient.request({ method, params } as never);
        },
      }),
    }) as PublicClient;
    return { chain: { ...chain, publicClient } satisfies ChainService, methods };
  };
  const deposit = (currency: Address, amount: bigint) =>
    payingCalls(
      currency,
      amount,
      chain.deployment.contracts.computeEscrow as Address,
      encodeFunctionData({ abi: computeEscrowAbi, functionName: 'deposit', args: [currency, amount] }),
    );
  const sent = (account: Address) => chain.publicClient.getTransactionCount({ address: account, blockTag: 'latest' });

  // The depth fix of the OpenAPI fuzz's finding, without any route's currency pre-check: the approve alone succeeds
  // (the currency is an account without code), the deposit after it does not.
  test('transact sends nothing when the second call of a sequence would revert, and names the custom error', async () => {
    const caller = chain.devAccounts[3].address;
    const notAToken = chain.devAccounts[8].address;
    const calls = deposit(notAToken, 1000n);
    assert.equal(calls.length, 2, 'approve, then deposit');
    await chain.publicClient.call({ account: caller, ...calls[0] }); // the first call alone would go through
    const { chain: through, methods } = recorded(() => false);
    const before = await sent(caller);
    await assert.rejects(transact(through, caller, calls, 'submit'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SOUK_ERR_CHAIN_REVERT');
      assert.match(error.message, new RegExp(`SoukCurrencyNotAllowed\\(currency: ${notAToken}\\)`));
      return true;
    });
    assert.equal(await sent(caller), before, 'no transaction sent');
    assert.ok(methods.includes('eth_simulateV1'), 'simulated as a sequence');
    assert.ok(!methods.includes('eth_sendRawTransaction') && !methods.includes('eth_sendTransaction'));
  });

  test('a sequence whose second call needs the first one’s effect is simulated whole, then sent', async () => {
    const caller = chain.devAccounts[3].address;
    const stablecoin = chain.deployment.stablecoin as Address;
    // Alone, the deposit would revert (no allowance yet): only a simulation on the approve's state passes it.
    await assert.rejects(chain.publicClient.call({ account: caller, ...deposit(stablecoin, 1000n)[1] }));
    const { chain: through, methods } = recorded(() => false);
    const { transactionHashes } = await transact(through, caller, deposit(stablecoin, 1000n), 'submit');
    assert.equal(transactionHashes.length, 2);
    assert.equal(methods.filter((m) => m === 'eth_simulateV1').length, 1);
  });

  // Found by a helper running the CLI's user-path tests concurrently: two writes of one dev account at once took the
  // same pending nonce, and the second failed with "nonce too low".
  test('concurrent sequences of one account are sent one after the other, each with its own nonces', async () => {
    const caller = chain.devAccounts[4].address;
    const stablecoin = chain.deployment.stablecoin as Address;
    const before = await sent(caller);
    const results = await Promise.all([
      transact(chain, caller, deposit(stablecoin, 1000n), 'submit'),
      transact(chain, caller, deposit(stablecoin, 2000n), 'submit'),
      transact(chain, caller, deposit('0x0000000000000000000000000000000000000000', 3000n), 'submit'),
    ]);
    assert.deepEqual(
      results.map((r) => r.transactionHashes.length),
      [2, 2, 1],
    );
    assert.equal(await sent(caller), before + 5);
  });

  test('an RPC without eth_simulateV1: each call is simulated just before it is sent, and the method is asked once', async () => {
    const caller = chain.devAccounts[5].address;
    const stablecoin = chain.deployment.stablecoin as Address;
    const { chain: through, methods } = recorded((method) => method === 'eth_simulateV1');
    const { transactionHashes } = await transact(through, caller, deposit(stablecoin, 1000n), 'submit');
    assert.equal(transactionHashes.length, 2, 'the node keeps working on such a chain');
    assert.equal(methods.filter((m) => m === 'eth_call').length, 2, 'one simulation per call');
    // The limit of the fallback, stated: the approve goes out before the deposit's revert can be seen (the
    // routes' currency pre-checks cover the case the fuzz found).
    const before = await sent(caller);
    await assert.rejects(transact(through, caller, deposit(chain.devAccounts[8].address, 1000n), 'submit'), {
      code: 'SOUK_ERR_CHAIN_REVERT',
    });
    assert.equal(await sent(caller), before + 1, 'only the approve was sent');
    assert.equal(methods.filter((m) => m === 'eth_simulateV1').length, 1, 'not asked again');
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
