/**
 * `npm run bench:gas`: gas used per Souk operation on a real EVM (anvil), with plain OpenZeppelin baselines
 * measured in the same run (and, for the ComputeEscrow's batches, the historical per-job path of compute protocol
 * v1 as a fixed figure: {@link V1_PER_JOB_GAS_R2}). Writes `bench/gas.json` and `bench/GAS.md` at the repository
 * root.
 *
 * Figures are whole-transaction `gasUsed` from receipts (21,000 base + calldata + execution − refunds), each taken
 * in the same conditions as its baseline: a first mint to an account holding no token, a transfer to an account
 * holding none, a purchase by a buyer holding no asset.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashJobOrder, type JobOrder, jobOrderTypedData, resultAttestationTypedData } from '@souk/protocol';
import {
  type Abi,
  type Address,
  encodeAbiParameters,
  type Hex,
  keccak256,
  parseEther,
  parseEventLogs,
  type TransactionReceipt,
  zeroAddress,
} from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { deploySouk } from '../ts/deploy.ts';
import {
  agentNftAbi,
  baselineErc20Abi,
  baselineErc20Bytecode,
  baselineErc721Abi,
  baselineErc721Bytecode,
  computeEscrowAbi,
  licensesAbi,
  marketplaceAbi,
  providerRegistryAbi,
  soukTokenAbi,
} from '../ts/generated/abis.ts';
import { anvilFixture } from '../ts/test-utils.ts';

const fx = await anvilFixture();
const { publicClient, testClient, accounts, wallet } = fx;
const addr = (i: number) => accounts[i].address;
const MANIFEST = 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';

type Request = { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint };
async function send(from: number, request: Request): Promise<TransactionReceipt> {
  const hash = await wallet(from).writeContract(request as never);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${request.functionName} reverted`);
  return receipt;
}
async function deploy(abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<Address> {
  const hash = await wallet(0).deployContract({ abi, bytecode, args } as never);
  return (await publicClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
}
/** A fresh account with no history, funded with ETH by anvil. */
let fresh = 0;
async function freshAccount(): Promise<Address> {
  const address = `0x${(0xbe0000 + ++fresh).toString(16).padStart(40, '0')}` as Address;
  await testClient.setBalance({ address, value: parseEther('100') });
  return address;
}

/**
 * Historical baseline, no longer measured: one job end to end on compute protocol v1's per-job contract at r = 2
 * (submit, assign, r commits, r reveals, finalize: 3 + 2r = 7 transactions), 781,163 gas, measured by this script on
 * 2026-12-01 (bench/GAS.md at commit a812402, the last run before v1 was removed). The tables of 2026-11-23 had no
 * end-to-end row; their per-transaction rows summed to about 664k. The settleBatch rows compare against it.
 */
const V1_PER_JOB_GAS_R2 = 781_163;
const V1_PER_JOB_LABEL = 'v1 per-job path, r = 2 (7 txs, measured 2026-12-01)';

type Row = { operation: string; gas: number; baseline?: string; baselineGas?: number; target?: string; met?: boolean };
const rows: Row[] = [];
const record = (row: Row) => {
  rows.push(row);
  console.log(`${row.operation.padEnd(46)} ${String(row.gas).padStart(8)}`);
};

try {
  const d = await deploySouk({ walletClient: wallet(0), publicClient, handOver: false });
  const c = d.contracts;

  // ── baselines ──
  const base721 = await deploy(baselineErc721Abi, baselineErc721Bytecode, []);
  const base20 = await deploy(baselineErc20Abi, baselineErc20Bytecode, [addr(0), parseEther('1000000')]);
  await send(0, { address: base721, abi: baselineErc721Abi, functionName: 'mint', args: [addr(0)] }); // warm the id counter
  const baseMint = (
    await send(0, { address: base721, abi: baselineErc721Abi, functionName: 'mint', args: [await freshAccount()] })
  ).gasUsed;
  const baseTransfer = (
    await send(0, {
      address: base20,
      abi: baselineErc20Abi,
      functionName: 'transfer',
      args: [await freshAccount(), 1000n],
    })
  ).gasUsed;
  record({ operation: 'baseline: OpenZeppelin ERC-721 mint', gas: Number(baseMint) });
  record({ operation: 'baseline: OpenZeppelin ERC-20 transfer', gas: Number(baseTransfer) });

  // ── assets ──
  const creator = 3;
  await send(creator, {
    address: c.agentNft,
    abi: agentNftAbi,
    functionName: 'mint',
    args: [addr(creator), MANIFEST, 0, 500],
  });
  const mintGas = (
    await send(creator, {
      address: c.agentNft,
      abi: agentNftAbi,
      functionName: 'mint',
      args: [await freshAccount(), MANIFEST, 0, 500],
    })
  ).gasUsed;
  record({
    operation: 'AgentNFT.mint (ipfs://bafkrei… packed to bytes32)',
    gas: Number(mintGas),
    baseline: 'OZ ERC-721 mint',
    baselineGas: Number(baseMint),
    target: '≤ baseline + 22,100 (one storage slot)',
    met: mintGas <= baseMint + 22_100n,
  });
  const longUri = 'https://models.example.org/souk/manifests/ocr-receipts-v1.json';
  record({
    operation: 'AgentNFT.mint (other URI, stored verbatim)',
    gas: Number(
      (
        await send(creator, {
          address: c.agentNft,
          abi: agentNftAbi,
          functionName: 'mint',
          args: [await freshAccount(), longUri, 0, 500],
        })
      ).gasUsed,
    ),
    baseline: 'OZ ERC-721 mint',
    baselineGas: Number(baseMint),
  });
  record({
    operation: 'AgentNFT.publishVersion',
    gas: Number(
      (
        await send(creator, {
          address: c.agentNft,
          abi: agentNftAbi,
          functionName: 'publishVersion',
          args: [1n, MANIFEST],
        })
      ).gasUsed,
    ),
  });
  const soukTransfer = (
    await send(0, {
      address: c.soukToken,
      abi: soukTokenAbi,
      functionName: 'transfer',
      args: [await freshAccount(), 1000n],
    })
  ).gasUsed;
  record({
    operation: 'SoukToken.transfer (ERC20Votes)',
    gas: Number(soukTransfer),
    baseline: 'OZ ERC-20 transfer',
    baselineGas: Number(baseTransfer),
  });

  // ── marketplace ──
  await send(creator, {
    address: c.agentNft,
    abi: agentNftAbi,
    functionName: 'setApprovalForAll',
    args: [c.marketplace, true],
  });
  const price = parseEther('1');
  record({
    operation: 'Marketplace.list',
    gas: Number(
      (
        await send(creator, {
          address: c.marketplace,
          abi: marketplaceAbi,
          functionName: 'list',
          args: [1n, zeroAddress, price],
        })
      ).gasUsed,
    ),
  });
  const buyGas = (
    await send(4, {
      address: c.marketplace,
      abi: marketplaceAbi,
      functionName: 'buy',
      args: [1n, zeroAddress, price],
      value: price,
    })
  ).gasUsed;
  record({
    operation: 'Marketplace.buy (native, 5 % royalty, 2.5 % fee)',
    gas: Number(buyGas),
    target: '≤ 110,000 incl. 21,000 base (Seaport fulfillBasicOrder ≥ 88,600)',
    met: buyGas <= 110_000n,
  });

  // ── licences ──
  // Token 1 now belongs to the buyer (account 4), who licenses it out.
  await send(4, {
    address: c.licenses,
    abi: licensesAbi,
    functionName: 'setTerms',
    args: [1n, zeroAddress, parseEther('0.1'), 30n * 86400n],
  });
  record({
    operation: 'Licenses.purchaseLicenseAt (native, 30 days, terms checked)',
    gas: Number(
      (
        await send(5, {
          address: c.licenses,
          abi: licensesAbi,
          functionName: 'purchaseLicenseAt',
          args: [1n, addr(5), zeroAddress, parseEther('0.1'), 30n * 86400n],
          value: parseEther('0.1'),
        })
      ).gasUsed,
    ),
  });

  // ── providers ──
  const providers = [5, 6, 7];
  let registerGas = 0n;
  for (const p of providers) {
    const stake = parseEther('5000');
    await send(0, { address: c.soukToken, abi: soukTokenAbi, functionName: 'transfer', args: [addr(p), stake] });
    await send(p, {
      address: c.soukToken,
      abi: soukTokenAbi,
      functionName: 'approve',
      args: [c.providerRegistry, stake],
    });
    registerGas = (
      await send(p, {
        address: c.providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'register',
        args: ['ipfs://provider', stake],
      })
    ).gasUsed;
  }
  record({ operation: 'ProviderRegistry.register', gas: Number(registerGas) });

  // ── compute protocol v2: ComputeEscrow batches ──
  // Per settled job, amortised over a batch, at r = 2 (providers 5 and 6), against the historical v1 per-job path
  // (V1_PER_JOB_GAS_R2) and the floor: 3 ecrecovers (3,000 gas each) + 16 gas per calldata byte of the job's share
  // of the batch.
  {
    const requester = 8;
    const escrow = c.computeEscrow;
    const chainId = await publicClient.getChainId();
    const pairs = [5, 6].map((p) => accounts[p]);
    const resultHash = keccak256('0xdd');
    const { timestamp } = await publicClient.getBlock();
    const amount = parseEther('0.001');
    const depositFor = (account: Address, value: bigint) =>
      send(0, {
        address: escrow,
        abi: computeEscrowAbi,
        functionName: 'depositFor',
        args: [account, zeroAddress, value],
        value,
      });
    record({
      operation: 'ComputeEscrow.depositFor (native, fresh account)',
      gas: Number((await depositFor(addr(requester), parseEther('1'))).gasUsed),
    });
    /** One settlement entry for `signer`'s order `nonce`, signed with @souk/protocol's typed data. */
    async function entry(signer: PrivateKeyAccount | (typeof accounts)[number]['account'], nonce: bigint) {
      const order: JobOrder = {
        requester: signer.address,
        modelId: 2n,
        modelVersion: 0,
        inputHash: keccak256(encodeAbiParameters([{ type: 'uint256' }], [nonce])),
        currency: zeroAddress,
        maxPrice: amount,
        redundancy: 2,
        verification: 0,
        deadline: timestamp + 86_400n,
        nonce,
      };
      const orderHash = hashJobOrder(chainId, escrow, order);
      const attestation = resultAttestationTypedData(chainId, escrow, orderHash, resultHash);
      return {
        order,
        requesterSignature: await signer.signTypedData(jobOrderTypedData(chainId, escrow, order)),
        amount,
        resultHash,
        providers: pairs.map((p) => p.address),
        providerSignatures: await Promise.all(pairs.map((p) => p.account.signTypedData(attestation))),
      };
    }
    async function settle(batch: Awaited<ReturnType<typeof entry>>[], label: string) {
      const receipt = await send(0, {
        address: escrow,
        abi: computeEscrowAbi,
        functionName: 'settleBatch',
        args: [batch],
      });
      const skipped = parseEventLogs({ abi: computeEscrowAbi, logs: receipt.logs, eventName: 'JobSkipped' });
      if (skipped.length) throw new Error(`${label}: ${skipped.length} entries skipped`);
      const { input } = await publicClient.getTransaction({ hash: receipt.transactionHash });
      const bytesPerJob = (input.length - 2) / 2 / batch.length;
      const perJob = Math.round(Number(receipt.gasUsed) / batch.length);
      const floor = Math.round(3 * 3_000 + 16 * bytesPerJob);
      const isTarget = batch.length === 100 && label.includes('one requester');
      record({
        operation: `ComputeEscrow.settleBatch per job: ${label} (r = 2, batch of ${batch.length}, ${Math.round(bytesPerJob)} calldata bytes/job)`,
        gas: perJob,
        baseline: V1_PER_JOB_LABEL,
        baselineGas: V1_PER_JOB_GAS_R2,
        target: isTarget
          ? `≤ 30,000 (floor 3 ecrecover + 16 gas/calldata byte: ${floor.toLocaleString('en-US')})`
          : `floor: ${floor.toLocaleString('en-US')}`,
        ...(isTarget ? { met: perJob <= 30_000 } : {}),
      });
    }
    let nonce = 1_000n; // sequential nonces share 256-bit bitmap words, as the SDK allocates them
    for (const size of [1, 10, 100]) {
      const batch = [];
      for (let i = 0; i < size; i++) batch.push(await entry(accounts[requester].account, nonce++));
      await settle(batch, 'one requester');
    }
    const strangers = Array.from({ length: 100 }, () => privateKeyToAccount(generatePrivateKey()));
    for (const stranger of strangers) await depositFor(stranger.address, amount);
    await settle(await Promise.all(strangers.map((stranger) => entry(stranger, 0n))), '100 distinct requesters');

    // A dispute: provider 5 right, provider 6 wrong (slashed on its own signature).
    const disputed = await entry(accounts[requester].account, nonce++);
    const orderHash = hashJobOrder(chainId, escrow, disputed.order);
    const wrong = keccak256('0xee');
    const attest = (p: (typeof pairs)[number], hash: Hex) =>
      p.account.signTypedData(resultAttestationTypedData(chainId, escrow, orderHash, hash));
    record({
      operation: 'ComputeEscrow.settleDispute (r = 2, pays 1, slashes 1)',
      gas: Number(
        (
          await send(0, {
            address: escrow,
            abi: computeEscrowAbi,
            functionName: 'settleDispute',
            args: [
              disputed.order,
              disputed.requesterSignature,
              amount,
              resultHash,
              [
                { provider: pairs[0].address, resultHash, signature: await attest(pairs[0], resultHash) },
                { provider: pairs[1].address, resultHash: wrong, signature: await attest(pairs[1], wrong) },
              ],
              1n, // the referee's verdicts: attestation 0 accepted, 1 rejected
            ],
          })
        ).gasUsed,
      ),
    });
  }

  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryBytes: os.totalmem() };
  const versions = {
    node: process.version,
    anvil: '1.7.1',
    solc: '0.8.30 (solc-js)',
    openzeppelin: '5.7.0',
    optimizerRuns: 10_000,
  };
  const outDir = path.resolve(import.meta.dirname, '..', '..', 'bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, 'gas.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine, versions, rows }, null, 2)}\n`,
  );
  const table = [
    '# Gas per operation',
    '',
    `Measured by \`npm run bench:gas\` on anvil ${versions.anvil}, solc ${versions.solc}, optimizer ${versions.optimizerRuns} runs, ` +
      `OpenZeppelin ${versions.openzeppelin}, ${new Date().toISOString().slice(0, 10)}. Whole-transaction gas (21,000 base included). ` +
      'Baselines are measured in the same run, except the v1 per-job path: a historical figure (compute protocol v1 was removed).',
    '',
    '| operation | gas | baseline | ratio | target | met |',
    '| --- | ---: | --- | ---: | --- | --- |',
    ...rows
      .map((r) =>
        [
          r.operation,
          r.gas.toLocaleString('en-US'),
          r.baseline ? `${r.baseline}: ${r.baselineGas?.toLocaleString('en-US')}` : '',
          r.baselineGas ? `${(r.gas / r.baselineGas).toFixed(2)}×` : '',
          r.target ?? '',
          r.met === undefined ? '' : r.met ? 'yes' : '**no**',
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
    '',
  ].join('\n');
  writeFileSync(path.join(outDir, 'GAS.md'), table);
  console.log(`\nwrote bench/gas.json and bench/GAS.md`);
} finally {
  await fx.stop();
}
