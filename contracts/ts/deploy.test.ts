import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type Abi,
  type Address,
  type BaseError,
  ContractFunctionRevertedError,
  encodeAbiParameters,
  type Hex,
  keccak256,
  parseEther,
  zeroAddress,
} from 'viem';
import { deploySouk, roles, type SoukDeployment } from './deploy.ts';
import { startDevnet } from './devnet.ts';
import { agentNftAbi, computeMarketAbi, marketplaceAbi, providerRegistryAbi, soukTokenAbi } from './generated/abis.ts';
import { anvilFixture, freePort } from './test-utils.ts';

const MANIFEST_URI = 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';

describe('deploySouk on anvil', () => {
  let fx: Awaited<ReturnType<typeof anvilFixture>>;
  let deployment: SoukDeployment;
  let deploymentsDir: string;

  before(async () => {
    fx = await anvilFixture();
    deploymentsDir = mkdtempSync(path.join(tmpdir(), 'souk-deployments-'));
    deployment = await deploySouk({
      walletClient: fx.wallet(0),
      publicClient: fx.publicClient,
      operator: fx.accounts[1].address,
      guardian: fx.accounts[2].address,
      deploymentsDir,
    });
  });
  after(() => fx.stop());

  /** Sends a contract write from dev account `from` and waits for a successful receipt. */
  async function send(
    from: number,
    request: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint },
  ) {
    const hash = await fx.wallet(from).writeContract(request as never);
    const receipt = await fx.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success', `${request.functionName} reverted`);
    return receipt;
  }
  const read = <T>(request: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[] }) =>
    fx.publicClient.readContract(request as never) as Promise<T>;

  test('writes deployments/<chainId>.json with every address and the deployment block', () => {
    const file = JSON.parse(readFileSync(path.join(deploymentsDir, '31337.json'), 'utf8'));
    assert.deepEqual(file.contracts, deployment.contracts);
    assert.ok(BigInt(file.blockNumber) >= 1n);
    for (const address of Object.values(deployment.contracts)) assert.match(address, /^0x[0-9a-fA-F]{40}$/);
  });

  test('hands DEFAULT_ADMIN_ROLE to the timelock and wires the operational roles', async () => {
    const { contracts } = deployment;
    const deployer = fx.accounts[0].address;
    for (const address of [
      contracts.marketplace,
      contracts.licenses,
      contracts.computeMarket,
      contracts.computeEscrow,
      contracts.providerRegistry,
    ]) {
      assert.equal(
        await read({ address, abi: marketplaceAbi, functionName: 'hasRole', args: [roles.admin, contracts.timelock] }),
        true,
      );
      assert.equal(
        await read({ address, abi: marketplaceAbi, functionName: 'hasRole', args: [roles.admin, deployer] }),
        false,
      );
    }
    const has = (address: Address, role: Hex, account: Address) =>
      read<boolean>({ address, abi: computeMarketAbi, functionName: 'hasRole', args: [role, account] });
    assert.equal(await has(contracts.providerRegistry, roles.slasher, contracts.computeMarket), true);
    assert.equal(await has(contracts.providerRegistry, roles.reporter, contracts.computeMarket), true);
    assert.equal(await has(contracts.computeMarket, roles.scheduler, fx.accounts[1].address), true);
    assert.equal(await has(contracts.computeMarket, roles.referee, fx.accounts[1].address), true);
    assert.equal(await has(contracts.providerRegistry, roles.slasher, contracts.computeEscrow), true);
    assert.equal(await has(contracts.computeEscrow, roles.settler, fx.accounts[1].address), true);
    assert.equal(await has(contracts.computeEscrow, roles.referee, fx.accounts[1].address), true);
    assert.equal(await has(contracts.computeEscrow, roles.pauser, fx.accounts[2].address), true);
    assert.equal(await has(contracts.marketplace, roles.pauser, fx.accounts[2].address), true);
    assert.equal(await has(contracts.timelock, roles.proposer, contracts.governor), true);
    assert.equal(await has(contracts.timelock, roles.admin, deployer), false);
    // The registry knows the job lifetime as the floor of its unbonding period, and its period covers it.
    const lifetime = await read<bigint>({
      address: contracts.computeMarket,
      abi: computeMarketAbi,
      functionName: 'jobLifetime',
      args: [],
    });
    const floor = await read<bigint>({
      address: contracts.providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'minUnbondingPeriod',
      args: [],
    });
    assert.equal(floor, lifetime);
    assert.equal(lifetime, 7n * 86_400n + 600n + 600n + 86_400n, 'maxJobDuration + reveal + audit + dispute');
    const unbonding = await read<bigint>({
      address: contracts.providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'unbondingPeriod',
      args: [],
    });
    assert.ok(unbonding >= lifetime, `unbonding ${unbonding} s covers a job's life`);
  });

  test('rejects parameter changes from the deployer after hand-over, with the decoded custom error', async () => {
    await assert.rejects(
      fx.wallet(0).writeContract({
        address: deployment.contracts.marketplace,
        abi: marketplaceAbi,
        functionName: 'setProtocolFee',
        args: [500],
      }),
      (error: unknown) => {
        const revert = (error as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
        assert.ok(revert instanceof ContractFunctionRevertedError);
        assert.equal(revert.data?.errorName, 'AccessControlUnauthorizedAccount');
        return true;
      },
    );
  });

  test('a sale pays seller, 5 % royalty to the creator and 2.5 % fee to the treasury, to the wei', async () => {
    const { agentNft, marketplace, timelock } = deployment.contracts;
    const [creator, buyer] = [fx.accounts[3].address, fx.accounts[4].address];
    await send(3, { address: agentNft, abi: agentNftAbi, functionName: 'mint', args: [creator, MANIFEST_URI, 0, 500] });
    const tokenId = await read<bigint>({ address: agentNft, abi: agentNftAbi, functionName: 'totalMinted' });
    assert.equal(
      await read({ address: agentNft, abi: agentNftAbi, functionName: 'tokenURI', args: [tokenId] }),
      MANIFEST_URI,
    );
    await send(3, { address: agentNft, abi: agentNftAbi, functionName: 'approve', args: [marketplace, tokenId] });
    const price = parseEther('2');
    await send(3, {
      address: marketplace,
      abi: marketplaceAbi,
      functionName: 'list',
      args: [tokenId, `0x${'0'.repeat(40)}`, price],
    });

    const before = {
      creator: await fx.publicClient.getBalance({ address: creator }),
      treasury: await fx.publicClient.getBalance({ address: timelock }),
    };
    await send(4, {
      address: marketplace,
      abi: marketplaceAbi,
      functionName: 'buy',
      args: [tokenId, zeroAddress, price],
      value: price,
    });
    assert.equal(await read({ address: agentNft, abi: agentNftAbi, functionName: 'ownerOf', args: [tokenId] }), buyer);
    // Creator is also the seller here: proceeds (92.5 %) + royalty (5 %), minus nothing (buyer paid the gas).
    const creatorGain = (await fx.publicClient.getBalance({ address: creator })) - before.creator;
    assert.equal(creatorGain, price - (price * 250n) / 10_000n);
    assert.equal((await fx.publicClient.getBalance({ address: timelock })) - before.treasury, (price * 250n) / 10_000n);
    assert.equal(await fx.publicClient.getBalance({ address: marketplace }), 0n);
  });

  test('a job with r = 2 settles 80 / 15 / 5 through commit–reveal, escrow emptied', async () => {
    const { agentNft, computeMarket, providerRegistry, soukToken, timelock } = deployment.contracts;
    const creator = fx.accounts[5].address;
    await send(5, { address: agentNft, abi: agentNftAbi, functionName: 'mint', args: [creator, MANIFEST_URI, 0, 0] });
    const modelId = await read<bigint>({ address: agentNft, abi: agentNftAbi, functionName: 'totalMinted' });

    const providers = [6, 7];
    for (const index of providers) {
      const stake = parseEther('1000');
      await send(0, {
        address: soukToken,
        abi: soukTokenAbi,
        functionName: 'transfer',
        args: [fx.accounts[index].address, stake],
      });
      await send(index, {
        address: soukToken,
        abi: soukTokenAbi,
        functionName: 'approve',
        args: [providerRegistry, stake],
      });
      await send(index, {
        address: providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'register',
        args: ['ipfs://meta', stake],
      });
    }

    const reward = parseEther('1');
    const block = await fx.publicClient.getBlock();
    const deadline = Number(block.timestamp) + 3600;
    await send(8, {
      address: computeMarket,
      abi: computeMarketAbi,
      functionName: 'submitJob',
      args: [modelId, keccak256('0x1234'), reward, `0x${'0'.repeat(40)}`, 2, deadline],
      value: reward,
    });
    const jobId = await read<bigint>({ address: computeMarket, abi: computeMarketAbi, functionName: 'jobCount' });
    const providerAddresses = providers.map((i) => fx.accounts[i].address);
    await send(1, {
      address: computeMarket,
      abi: computeMarketAbi,
      functionName: 'assignProviders',
      args: [jobId, providerAddresses],
    });

    const resultHash = keccak256('0xc0ffee');
    const salts = [keccak256('0x01'), keccak256('0x02')];
    for (const [i, index] of providers.entries()) {
      // The commitment is computed off-chain exactly as the contract does: keccak256(abi.encode(hash, salt, provider)).
      const commitment = keccak256(
        encodeAbiParameters(
          [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'address' }],
          [resultHash, salts[i], fx.accounts[index].address],
        ),
      );
      await send(index, {
        address: computeMarket,
        abi: computeMarketAbi,
        functionName: 'commitResult',
        args: [jobId, commitment],
      });
    }
    for (const [i, index] of providers.entries()) {
      await send(index, {
        address: computeMarket,
        abi: computeMarketAbi,
        functionName: 'revealResult',
        args: [jobId, resultHash, salts[i]],
      });
    }

    const balances = async () =>
      Promise.all([...providerAddresses, creator, timelock].map((address) => fx.publicClient.getBalance({ address })));
    const before = await balances();
    await send(1, { address: computeMarket, abi: computeMarketAbi, functionName: 'finalize', args: [jobId] });
    const after = await balances();
    const gains = after.map((b, i) => b - before[i]);
    assert.deepEqual(gains, [parseEther('0.4'), parseEther('0.4'), parseEther('0.05'), parseEther('0.15')]);
    assert.equal(await fx.publicClient.getBalance({ address: computeMarket }), 0n);
    const job = await read<{ status: number; resultHash: Hex }>({
      address: computeMarket,
      abi: computeMarketAbi,
      functionName: 'getJob',
      args: [jobId],
    });
    assert.equal(job.status, 5); // Finalized
    assert.equal(job.resultHash, resultHash);
  });
});

describe('devnet', () => {
  test('a restart resumes the same addresses and chain state from the data directory', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-devnet-'));
    const port = await freePort();
    const first = await startDevnet({ dataDir, port });
    assert.equal(first.freshlyDeployed, true);
    await first.anvil.stop();

    const second = await startDevnet({ dataDir, port });
    try {
      assert.equal(second.freshlyDeployed, false);
      assert.deepEqual(second.deployment.contracts, first.deployment.contracts);
      const { createPublicClient, http } = await import('viem');
      const client = createPublicClient({ transport: http(second.anvil.rpcUrl) });
      const balance = await client.readContract({
        address: second.deployment.contracts.soukToken,
        abi: soukTokenAbi,
        functionName: 'balanceOf',
        args: [second.accounts[3].address],
      });
      assert.equal(balance, parseEther('10000'));
    } finally {
      await second.anvil.stop();
    }
  });
});
