/**
 * The CLI sends the node's unsigned transactions as a whole or not at all: the sequence is simulated before the
 * first one goes out, so an ERC-20 `approve` (which succeeds for any address) is not sent ahead of a payment the
 * contract refuses. A devnet of its own, no node: only `sendTransactions` is under test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeEscrowAbi, type Devnet, mockErc20Abi, SequenceCallRevertedError, startDevnet } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { type Address, createPublicClient, defineChain, encodeFunctionData, http, type PublicClient } from 'viem';
import type { Context } from './context.ts';
import { formatError } from './errors.ts';
import { sendTransactions, type UnsignedTransaction } from './transact.ts';

describe('sendTransactions', () => {
  let dataDir: string;
  let devnet: Devnet;
  let context: Pick<Context, 'chain' | 'rpcUrl' | 'publicClient'>;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-cli-transact-'));
    devnet = await startDevnet({ dataDir, port: await freePort() });
    const chain = defineChain({
      id: devnet.deployment.chainId,
      name: 'Souk devnet',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [devnet.anvil.rpcUrl] } },
    });
    const publicClient = createPublicClient({ chain, transport: http(devnet.anvil.rpcUrl), pollingInterval: 50 });
    // Only what `sendTransactions` reads of a connection.
    context = { chain, rpcUrl: devnet.anvil.rpcUrl, publicClient: publicClient as PublicClient };
  });
  after(async () => {
    await devnet?.anvil.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** approve(escrow, amount) on `currency`, then deposit(currency, amount), as the node returns them unsigned. */
  const approveThenDeposit = (currency: Address, amount: bigint): UnsignedTransaction[] => {
    const escrow = devnet.deployment.contracts.computeEscrow as Address;
    return [
      {
        to: currency,
        data: encodeFunctionData({ abi: mockErc20Abi, functionName: 'approve', args: [escrow, amount] }),
      },
      {
        to: escrow,
        data: encodeFunctionData({ abi: computeEscrowAbi, functionName: 'deposit', args: [currency, amount] }),
      },
    ].map((c) => ({ chainId: devnet.deployment.chainId, ...c, value: '0' }));
  };

  test('sends nothing when the second transaction would revert, and the error decodes to the custom error', async () => {
    const { account, address } = devnet.accounts[4];
    const notAToken = devnet.accounts[9].address; // no code: `approve` to it "succeeds"
    const before = await context.publicClient.getTransactionCount({ address });
    const error = await sendTransactions(context, account, approveThenDeposit(notAToken, 1000n)).then(
      () => assert.fail('expected a revert'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SequenceCallRevertedError, String(error));
    assert.equal(error.index, 1);
    assert.match(
      formatError(error),
      new RegExp(`Transaction reverted: SoukCurrencyNotAllowed\\(currency: ${notAToken}\\)`),
    );
    assert.equal(await context.publicClient.getTransactionCount({ address }), before, 'no transaction sent');
  });

  test('sends a sequence whose second transaction needs the first one’s effect', async () => {
    const { account } = devnet.accounts[4];
    const sent: string[] = [];
    const receipts = await sendTransactions(context, account, approveThenDeposit(devnet.stablecoin, 1000n), (hash) =>
      sent.push(hash),
    );
    assert.deepEqual(
      receipts.map((r) => r.status),
      ['success', 'success'],
    );
    assert.deepEqual(
      receipts.map((r) => r.transactionHash),
      sent,
    );
  });
});
