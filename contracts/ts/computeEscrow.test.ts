import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  hashJobOrder,
  type JobOrder,
  jobOrderTypedData,
  resultAttestationTypedData,
  Verification,
} from '@souk/protocol';
import {
  type Abi,
  type Address,
  type Hex,
  hashTypedData,
  keccak256,
  parseEther,
  parseEventLogs,
  toFunctionSelector,
  zeroAddress,
} from 'viem';
import { deploySouk, type SoukDeployment } from './deploy.ts';
import { agentNftAbi, computeEscrowAbi, providerRegistryAbi, soukTokenAbi } from './generated/abis.ts';
import { anvilFixture } from './test-utils.ts';

const MANIFEST_URI = 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';

describe('ComputeEscrow with @souk/protocol signatures (anvil)', () => {
  let fx: Awaited<ReturnType<typeof anvilFixture>>;
  let deployment: SoukDeployment;
  let escrow: Address;
  let chainId: number;
  const requester = 8;
  const providers = [5, 6] as const;

  async function send(
    from: number,
    request: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint },
  ) {
    const hash = await fx.wallet(from).writeContract(request as never);
    const receipt = await fx.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success', `${request.functionName} reverted`);
    return receipt;
  }
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    fx.publicClient.readContract({ address: escrow, abi: computeEscrowAbi, functionName, args } as never) as Promise<T>;

  before(async () => {
    fx = await anvilFixture();
    deployment = await deploySouk({ walletClient: fx.wallet(0), publicClient: fx.publicClient, handOver: false });
    escrow = deployment.contracts.computeEscrow;
    chainId = await fx.publicClient.getChainId();
    const c = deployment.contracts;
    await send(3, {
      address: c.agentNft,
      abi: agentNftAbi,
      functionName: 'mint',
      args: [fx.accounts[3].address, MANIFEST_URI, 0, 500],
    });
    for (const p of providers) {
      const stake = parseEther('2000');
      await send(0, {
        address: c.soukToken,
        abi: soukTokenAbi,
        functionName: 'transfer',
        args: [fx.accounts[p].address, stake],
      });
      await send(p, {
        address: c.soukToken,
        abi: soukTokenAbi,
        functionName: 'approve',
        args: [c.providerRegistry, stake],
      });
      await send(p, {
        address: c.providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'register',
        args: ['ipfs://p', stake],
      });
    }
    await send(requester, {
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'deposit',
      args: [zeroAddress, parseEther('1')],
      value: parseEther('1'),
    });
  });
  after(() => fx.stop());

  test('settles an order and attestations signed with viem, under the same order hash', async () => {
    const { timestamp } = await fx.publicClient.getBlock();
    const order: JobOrder = {
      requester: fx.accounts[requester].address,
      modelId: 1n,
      modelVersion: 0,
      inputHash: keccak256('0x01'),
      currency: zeroAddress,
      maxPrice: parseEther('0.01'),
      redundancy: 2,
      verification: Verification.Exact,
      deadline: timestamp + 3600n,
      nonce: 77n,
    };
    const orderHash = hashJobOrder(chainId, escrow, order);
    assert.equal(await read<Hex>('hashOrder', [order]), orderHash, 'Solidity and TypeScript order hashes agree');

    const resultHash = keccak256('0xaa');
    const attestation = resultAttestationTypedData(chainId, escrow, orderHash, resultHash);
    assert.equal(await read<Hex>('hashAttestation', [orderHash, resultHash]), hashTypedData(attestation));

    const requesterSignature = await fx.wallet(requester).signTypedData(jobOrderTypedData(chainId, escrow, order));
    const providerSignatures = await Promise.all(providers.map((p) => fx.wallet(p).signTypedData(attestation)));
    const amount = parseEther('0.008');
    const receipt = await send(0, {
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'settleBatch',
      args: [
        [
          {
            order,
            requesterSignature,
            amount,
            resultHash,
            providers: providers.map((p) => fx.accounts[p].address),
            providerSignatures,
          },
        ],
      ],
    });
    const [settled] = parseEventLogs({ abi: computeEscrowAbi, logs: receipt.logs, eventName: 'JobSettled' });
    assert.ok(settled, 'JobSettled emitted (a skipped entry would emit JobSkipped)');
    assert.equal(settled.args.orderHash, orderHash);
    assert.equal(settled.args.amount, amount);
    assert.equal(await read<boolean>('nonceUsed', [order.requester, order.nonce]), true);
    assert.equal(await read<bigint>('balanceOf', [zeroAddress, order.requester]), parseEther('1') - amount);
    assert.equal(
      await read<bigint>('creditsOf', [zeroAddress, fx.accounts[providers[0]].address]),
      (amount * 8_000n) / 10_000n / 2n,
    );
  });

  test('skips an order signed for another chain id', async () => {
    const { timestamp } = await fx.publicClient.getBlock();
    const order: JobOrder = {
      requester: fx.accounts[requester].address,
      modelId: 1n,
      modelVersion: 0,
      inputHash: keccak256('0x02'),
      currency: zeroAddress,
      maxPrice: 1000n,
      redundancy: 1,
      verification: Verification.Exact,
      deadline: timestamp + 3600n,
      nonce: 78n,
    };
    const foreignHash = hashJobOrder(8453, escrow, order);
    const resultHash = keccak256('0xbb');
    const requesterSignature = await fx.wallet(requester).signTypedData(jobOrderTypedData(8453, escrow, order));
    const providerSignature = await fx
      .wallet(providers[0])
      .signTypedData(resultAttestationTypedData(8453, escrow, foreignHash, resultHash));
    const receipt = await send(0, {
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'settleBatch',
      args: [
        [
          {
            order,
            requesterSignature,
            amount: 1000n,
            resultHash,
            providers: [fx.accounts[providers[0]].address],
            providerSignatures: [providerSignature],
          },
        ],
      ],
    });
    const [skipped] = parseEventLogs({ abi: computeEscrowAbi, logs: receipt.logs, eventName: 'JobSkipped' });
    assert.ok(skipped, 'JobSkipped emitted');
    assert.equal(skipped.args.orderHash, hashJobOrder(chainId, escrow, order), 'identified by this chain’s hash');
    assert.equal(skipped.args.reason, toFunctionSelector('SoukInvalidRequesterSignature(bytes32,address)'));
    assert.equal(await read<boolean>('nonceUsed', [order.requester, order.nonce]), false);
  });

  test('settles a tolerance dispute on the referee’s verdicts: the rejected provider is slashed on its own signature', async () => {
    const { timestamp } = await fx.publicClient.getBlock();
    const order: JobOrder = {
      requester: fx.accounts[requester].address,
      modelId: 1n,
      modelVersion: 0,
      inputHash: keccak256('0x03'),
      currency: zeroAddress,
      maxPrice: parseEther('0.01'),
      redundancy: 2,
      verification: Verification.Tolerance,
      deadline: timestamp + 3600n,
      nonce: 79n,
    };
    const orderHash = hashJobOrder(chainId, escrow, order);
    // Each provider signed its own result (two machines: two hashes); the referee's own result is a third.
    const own = [keccak256('0xa1'), keccak256('0xa2')];
    const attestations = await Promise.all(
      providers.map(async (p, i) => ({
        provider: fx.accounts[p].address,
        resultHash: own[i] as Hex,
        signature: await fx
          .wallet(p)
          .signTypedData(resultAttestationTypedData(chainId, escrow, orderHash, own[i] as Hex)),
      })),
    );
    const stakeOf = async (p: number) =>
      (
        (await fx.publicClient.readContract({
          address: deployment.contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'getProvider',
          args: [fx.accounts[p].address],
        })) as { stake: bigint }
      ).stake;
    const [before0, before1] = [await stakeOf(providers[0]), await stakeOf(providers[1])];
    const requesterSignature = await fx.wallet(requester).signTypedData(jobOrderTypedData(chainId, escrow, order));
    const amount = parseEther('0.01');
    const receipt = await send(0, {
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'settleDispute',
      args: [order, requesterSignature, amount, keccak256('0xa0'), attestations, 1n],
    });
    const [dispute] = parseEventLogs({ abi: computeEscrowAbi, logs: receipt.logs, eventName: 'DisputeSettled' });
    assert.ok(dispute);
    assert.deepEqual(dispute.args.paid, [fx.accounts[providers[0]].address]);
    assert.deepEqual(dispute.args.slashed, [fx.accounts[providers[1]].address]);
    assert.equal(await stakeOf(providers[0]), before0, 'accepted: within tolerance, not slashed');
    assert.equal(before1 - (await stakeOf(providers[1])), await read<bigint>('slashAmount', []), 'rejected: slashed');
  });
  test('a nonce invalidation waits the withdrawal delay: an answered order settles before it, the next is skipped after', async () => {
    const signed = async (nonce: bigint, input: Hex) => {
      const { timestamp } = await fx.publicClient.getBlock();
      const order: JobOrder = {
        requester: fx.accounts[requester].address,
        modelId: 1n,
        modelVersion: 0,
        inputHash: keccak256(input),
        currency: zeroAddress,
        maxPrice: parseEther('0.001'),
        redundancy: 2,
        verification: Verification.Exact,
        deadline: timestamp + 3600n,
        nonce,
      };
      const resultHash = keccak256('0xbb');
      const attestation = resultAttestationTypedData(chainId, escrow, hashJobOrder(chainId, escrow, order), resultHash);
      return {
        order,
        requesterSignature: await fx.wallet(requester).signTypedData(jobOrderTypedData(chainId, escrow, order)),
        amount: parseEther('0.001'),
        resultHash,
        providers: providers.map((p) => fx.accounts[p].address),
        providerSignatures: await Promise.all(providers.map((p) => fx.wallet(p).signTypedData(attestation))),
      };
    };
    const settle = (entry: Awaited<ReturnType<typeof signed>>) =>
      send(0, { address: escrow, abi: computeEscrowAbi, functionName: 'settleBatch', args: [[entry]] });
    const me = fx.accounts[requester].address;
    const delay = await read<bigint>('withdrawalDelay', []);

    const answered = await signed(80n, '0x80'); // the requester already holds its verified result
    const request = await send(requester, {
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'requestNonceInvalidation',
      args: [0n, (1n << 80n) | (1n << 81n)],
    });
    const [requested] = parseEventLogs({
      abi: computeEscrowAbi,
      logs: request.logs,
      eventName: 'NonceInvalidationRequested',
    });
    assert.ok(requested, 'NonceInvalidationRequested emitted');
    const { timestamp: requestedAt } = await fx.publicClient.getBlock({ blockNumber: request.blockNumber });
    assert.equal(requested.args.effectiveAt, requestedAt + delay, 'effective a withdrawal delay later');
    assert.deepEqual(await read<[bigint, bigint]>('pendingNonceInvalidation', [me, 0n]), [
      (1n << 80n) | (1n << 81n),
      requestedAt + delay,
    ]);
    assert.equal(await read<boolean>('nonceUsed', [me, 80n]), false, 'pending: not used');
    const paid = await settle(answered);
    assert.equal(parseEventLogs({ abi: computeEscrowAbi, logs: paid.logs, eventName: 'JobSettled' }).length, 1);

    await fx.testClient.increaseTime({ seconds: Number(delay) });
    await fx.testClient.mine({ blocks: 1 });
    assert.equal(await read<boolean>('nonceUsed', [me, 81n]), true, 'in effect: used');
    const late = await settle(await signed(81n, '0x81'));
    const [skipped] = parseEventLogs({ abi: computeEscrowAbi, logs: late.logs, eventName: 'JobSkipped' });
    assert.equal(skipped?.args.reason, toFunctionSelector('SoukNonceUsed(address,uint256)'));
    const complete = await send(requester, {
      address: escrow,
      abi: computeEscrowAbi,
      functionName: 'completeNonceInvalidation',
      args: [0n],
    });
    const [written] = parseEventLogs({ abi: computeEscrowAbi, logs: complete.logs, eventName: 'NoncesInvalidated' });
    assert.equal(written?.args.mask, (1n << 80n) | (1n << 81n));
    assert.deepEqual(await read<[bigint, bigint]>('pendingNonceInvalidation', [me, 0n]), [0n, 0n]);
  });
});
