import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type Abi,
  type Address,
  type BaseError,
  ContractFunctionRevertedError,
  type Hex,
  parseEther,
  zeroAddress,
} from 'viem';
import { deploySouk, roles, type SoukDeployment } from './deploy.ts';
import { startDevnet } from './devnet.ts';
import {
  agentNftAbi,
  computeEscrowAbi,
  lineageRoyaltiesAbi,
  marketplaceAbi,
  providerRegistryAbi,
  royaltySplitAbi,
  soukTokenAbi,
} from './generated/abis.ts';
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
      contracts.computeEscrow,
      contracts.providerRegistry,
      contracts.evaluations,
      contracts.lineages,
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
      read<boolean>({ address, abi: computeEscrowAbi, functionName: 'hasRole', args: [role, account] });
    assert.equal(await has(contracts.providerRegistry, roles.slasher, contracts.computeEscrow), true);
    // The escrow does not call recordResult (indexers count reputation from its events): nobody reports.
    assert.equal(await has(contracts.providerRegistry, roles.reporter, contracts.computeEscrow), false);
    assert.equal(await has(contracts.computeEscrow, roles.settler, fx.accounts[1].address), true);
    assert.equal(await has(contracts.computeEscrow, roles.referee, fx.accounts[1].address), true);
    assert.equal(await has(contracts.evaluations, roles.recorder, fx.accounts[1].address), true);
    assert.equal(await has(contracts.lineages, roles.recorder, fx.accounts[1].address), true);
    assert.equal(await has(contracts.computeEscrow, roles.pauser, fx.accounts[2].address), true);
    assert.equal(await has(contracts.marketplace, roles.pauser, fx.accounts[2].address), true);
    assert.equal(await has(contracts.timelock, roles.proposer, contracts.governor), true);
    assert.equal(await has(contracts.timelock, roles.admin, deployer), false);
    // A provider stays slashable for what it signed: the unbonding period outlasts the longest order the node may
    // accept (settled within the withdrawal delay) plus the dispute period.
    const unbonding = await read<bigint>({
      address: contracts.providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'unbondingPeriod',
      args: [],
    });
    const [withdrawalDelay, disputePeriod] = await Promise.all(
      (['withdrawalDelay', 'disputePeriod'] as const).map((functionName) =>
        read<bigint>({ address: contracts.computeEscrow, abi: computeEscrowAbi, functionName, args: [] }),
      ),
    );
    assert.equal(withdrawalDelay, 86_400n);
    assert.equal(disputePeriod, 86_400n);
    assert.ok(unbonding > withdrawalDelay + disputePeriod, `unbonding ${unbonding} s outlasts an order's dispute`);
    // …and governance cannot shorten it below that later: the escrow pushed the floor into the registry.
    const floor = await read<bigint>({
      address: contracts.providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'minUnbondingPeriod',
      args: [],
    });
    assert.equal(floor, withdrawalDelay + disputePeriod);
  });

  test('records the parameters the contracts were deployed with, and only those', () => {
    assert.deepEqual(Object.keys(deployment.parameters).sort(), [
      'disputePeriod',
      'minStake',
      'proposalThreshold',
      'protocolFeeBps',
      'quorumPercent',
      'slashAmount',
      'timelockDelay',
      'unbondingPeriod',
      'votingDelay',
      'votingPeriod',
      'withdrawalDelay',
    ]);
    assert.deepEqual(Object.keys(deployment.contracts).sort(), [
      'agentNft',
      'computeEscrow',
      'evaluations',
      'governor',
      'licenses',
      'lineageRoyalties',
      'lineages',
      'marketplace',
      'providerRegistry',
      'soukToken',
      'timelock',
    ]);
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

  test('the ComputeEscrow takes a native deposit after hand-over (not paused, native currency allowed)', async () => {
    const escrow = deployment.contracts.computeEscrow;
    const requester = fx.accounts[8].address;
    const amount = parseEther('1');
    await send(8, {
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'deposit',
      args: [zeroAddress, amount],
      value: amount,
    });
    assert.equal(
      await read({ address: escrow, abi: computeEscrowAbi, functionName: 'balanceOf', args: [zeroAddress, requester] }),
      amount,
    );
    assert.equal(await fx.publicClient.getBalance({ address: escrow }), amount);
  });

  test('LineageRoyalties mints a derived model whose creator is its split, wired to the deployed AgentNFT', async () => {
    const lineage = deployment.contracts.lineageRoyalties;
    assert.equal(
      await read({ address: lineage, abi: lineageRoyaltiesAbi, functionName: 'agentNFT' }),
      deployment.contracts.agentNft,
    );
    const receipt = await send(5, {
      address: lineage,
      abi: lineageRoyaltiesAbi,
      functionName: 'mintDerived',
      args: [fx.accounts[5].address, MANIFEST_URI, 500, [fx.accounts[6].address], [2_000]],
    });
    const minted = receipt.logs.find((log) => log.address.toLowerCase() === lineage.toLowerCase());
    assert.ok(minted, 'DerivedMinted emitted');
    const total = await read<bigint>({
      address: deployment.contracts.agentNft,
      abi: agentNftAbi,
      functionName: 'totalMinted',
    });
    const split = await read<Address>({
      address: lineage,
      abi: lineageRoyaltiesAbi,
      functionName: 'splitOf',
      args: [total],
    });
    assert.equal(
      await read({
        address: deployment.contracts.agentNft,
        abi: agentNftAbi,
        functionName: 'creatorOf',
        args: [total],
      }),
      split,
    );
    const [creator, accounts, bps] = await read<readonly [Address, readonly Address[], readonly number[]]>({
      address: split,
      abi: royaltySplitAbi,
      functionName: 'recipients',
    });
    assert.deepEqual([creator, accounts, bps], [fx.accounts[5].address, [fx.accounts[6].address], [2_000]]);
  });
});

describe('devnet', () => {
  test('a saved deployment naming another set of contracts (e.g. a removed one) is replaced by a fresh one', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-devnet-'));
    const port = await freePort();
    const first = await startDevnet({ dataDir, port });
    await first.anvil.stop();
    const file = path.join(dataDir, 'deployments', '31337.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    saved.contracts.removedMarket = saved.contracts.licenses;
    writeFileSync(file, JSON.stringify(saved));

    const second = await startDevnet({ dataDir, port });
    try {
      assert.equal(second.freshlyDeployed, true);
      assert.deepEqual(Object.keys(second.deployment.contracts).sort(), Object.keys(first.deployment.contracts).sort());
      assert.notEqual(second.deployment.contracts.computeEscrow, first.deployment.contracts.computeEscrow);
    } finally {
      await second.anvil.stop();
    }
  });

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
