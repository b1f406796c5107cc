import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  agentNftAbi,
  computeEscrowAbi,
  deploySouk,
  devAccounts,
  licensesAbi,
  marketplaceAbi,
  providerRegistryAbi,
  type SoukDeployment,
  soukTokenAbi,
  startAnvil,
} from '@souk/contracts';
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
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  parseEther,
  zeroAddress,
} from 'viem';
import { foundry } from 'viem/chains';
import type { SoukDb } from '../db/index.ts';
import { listProviders, setAssetMetadata } from '../db/queries.ts';
import { dbVariants } from '../db/test-utils.ts';
import { rebuildState } from './apply.ts';
import { createIndexer, type SoukEvent } from './index.ts';

const URI = 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
const URI_V1 = 'ipfs://bafkreib2222222222222222222222222222222222222222222222222';

/**
 * An anvil of our own. Like `anvilFixture` from contracts/ts/test-utils.ts, but on a random port below the kernel's
 * ephemeral range and checked to be fresh (block 0): with `freePort`, two test processes running at once can pick the
 * same port, and the second then talks to the first one's anvil, whose head moves under its feet.
 */
async function anvilFixture() {
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const anvil = await startAnvil({ port }).catch((error) => {
      if (attempt >= 5) throw error;
      return undefined;
    });
    if (!anvil) continue;
    const transport = http(anvil.rpcUrl);
    const publicClient = createPublicClient({ chain: foundry, transport });
    if ((await publicClient.getBlockNumber({ cacheTime: 0 })) !== 0n) {
      await anvil.stop();
      if (attempt >= 5) throw new Error('No fresh anvil could be started.');
      continue;
    }
    const accounts = devAccounts();
    const testClient = createTestClient({ chain: foundry, mode: 'anvil', transport });
    const wallet = (index: number) =>
      createWalletClient({ account: accounts[index].account, chain: foundry, transport });
    return { anvil, accounts, publicClient, testClient, wallet, stop: () => anvil.stop() };
  }
}

/** Every table the indexer writes, with the key to sort a dump by. */
const TABLES: Record<string, string[]> = {
  assets: ['id'],
  asset_metadata: ['asset_id'],
  asset_versions: ['asset_id', 'version'],
  transfers: ['tx_hash', 'log_index'],
  listings: ['token_id'],
  sales: ['tx_hash', 'log_index'],
  licences: ['asset_id', 'licensee'],
  licence_purchases: ['tx_hash', 'log_index'],
  providers: ['address'],
  order_settlements: ['tx_hash', 'log_index'],
  escrow_movements: ['tx_hash', 'log_index'],
  chain_events: ['tx_hash', 'log_index'],
};

/** A JSON-comparable copy of every indexed table (and the checkpoint, without its wall-clock time). */
async function dump(db: SoukDb) {
  const out: Record<string, unknown> = {};
  for (const [table, key] of Object.entries(TABLES)) {
    let query = db.selectFrom(table as 'assets').selectAll();
    for (const column of key) query = query.orderBy(column as 'id');
    const rows = JSON.parse(JSON.stringify(await query.execute())) as Record<string, unknown>[];
    for (const row of rows) delete row.updated_at; // wall-clock time of a write, not chain data
    out[table] = rows;
  }
  out.checkpoints = await db.selectFrom('indexer_checkpoints').select(['name', 'block_number', 'block_hash']).execute();
  return out;
}

for (const variant of await dbVariants()) {
  describe(`indexer on anvil (${variant.name})`, { skip: variant.skip }, () => {
    let fx: Awaited<ReturnType<typeof anvilFixture>>;
    let deployment: SoukDeployment;
    const dbs: SoukDb[] = [];
    const open = async () => {
      const db = await variant.open();
      dbs.push(db);
      return db;
    };
    let db: SoukDb;
    const ids = { model: 0n, dataset: 0n, orderHash: '0x' as Hex, disputedHash: '0x' as Hex };
    const account = (i: number) => fx.accounts[i].address.toLowerCase();
    const indexer = (database: SoukDb, extra: Partial<Parameters<typeof createIndexer>[0]> = {}) =>
      createIndexer({
        db: database,
        publicClient: fx.publicClient,
        deployment,
        onError: () => {},
        ...extra,
      });

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

    /**
     * Mints, lists, reprices and sells a model; sets terms on a dataset and sells a licence; registers two providers;
     * settles an r = 2 order in a batch, and a disputed one in which the referee pays provider 6 and slashes 7.
     */
    async function scenario() {
      const { agentNft, marketplace, licenses, providerRegistry, soukToken } = deployment.contracts;
      await send(3, { address: agentNft, abi: agentNftAbi, functionName: 'mint', args: [account(3), URI, 0, 500] });
      ids.model = await read<bigint>({ address: agentNft, abi: agentNftAbi, functionName: 'totalMinted' });
      await send(3, { address: agentNft, abi: agentNftAbi, functionName: 'mint', args: [account(3), URI, 2, 250] });
      ids.dataset = await read<bigint>({ address: agentNft, abi: agentNftAbi, functionName: 'totalMinted' });
      await send(3, { address: agentNft, abi: agentNftAbi, functionName: 'publishVersion', args: [ids.model, URI_V1] });

      await send(3, { address: agentNft, abi: agentNftAbi, functionName: 'approve', args: [marketplace, ids.model] });
      await send(3, {
        address: marketplace,
        abi: marketplaceAbi,
        functionName: 'list',
        args: [ids.model, zeroAddress, parseEther('2')],
      });
      await send(3, {
        address: marketplace,
        abi: marketplaceAbi,
        functionName: 'updatePrice',
        args: [ids.model, parseEther('1.5')],
      });
      await send(4, {
        address: marketplace,
        abi: marketplaceAbi,
        functionName: 'buy',
        args: [ids.model, zeroAddress, parseEther('1.5')],
        value: parseEther('1.5'),
      });

      await send(3, {
        address: licenses,
        abi: licensesAbi,
        functionName: 'setTerms',
        args: [ids.dataset, zeroAddress, parseEther('0.1'), 3600n],
      });
      await send(5, {
        address: licenses,
        abi: licensesAbi,
        functionName: 'purchaseLicense',
        args: [ids.dataset, account(5)],
        value: parseEther('0.1'),
      });

      for (const index of [6, 7]) {
        const stake = parseEther('1000');
        await send(0, {
          address: soukToken,
          abi: soukTokenAbi,
          functionName: 'transfer',
          args: [account(index), stake * 2n],
        });
        await send(index, {
          address: soukToken,
          abi: soukTokenAbi,
          functionName: 'approve',
          args: [providerRegistry, stake * 2n],
        });
        await send(index, {
          address: providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'register',
          args: [`ipfs://provider-${index}`, stake],
        });
      }

      const resultHash = keccak256('0xc0ffee');
      // Compute protocol v2: a deposit, one signed order settled in a batch by the operator, a withdrawal request.
      const { computeEscrow } = deployment.contracts;
      await send(8, {
        address: computeEscrow,
        abi: computeEscrowAbi,
        functionName: 'deposit',
        args: [zeroAddress, parseEther('0.5')],
        value: parseEther('0.5'),
      });
      const chainId = await fx.publicClient.getChainId();
      const order: JobOrder = {
        requester: fx.accounts[8].address,
        modelId: ids.model,
        modelVersion: 0,
        inputHash: keccak256('0x5678'),
        currency: zeroAddress,
        maxPrice: parseEther('0.1'),
        redundancy: 2,
        verification: Verification.Exact,
        deadline: (await fx.publicClient.getBlock()).timestamp + 3600n,
        nonce: 1n,
      };
      ids.orderHash = hashJobOrder(chainId, computeEscrow, order);
      const attestation = resultAttestationTypedData(chainId, computeEscrow, ids.orderHash, resultHash);
      await send(1, {
        address: computeEscrow,
        abi: computeEscrowAbi,
        functionName: 'settleBatch',
        args: [
          [
            {
              order,
              requesterSignature: await fx.wallet(8).signTypedData(jobOrderTypedData(chainId, computeEscrow, order)),
              amount: parseEther('0.08'),
              resultHash,
              providers: [fx.accounts[6].address, fx.accounts[7].address],
              providerSignatures: [
                await fx.wallet(6).signTypedData(attestation),
                await fx.wallet(7).signTypedData(attestation),
              ],
            },
          ],
        ],
      });
      // A disputed order: provider 6 attests the referee's result, provider 7 another one. The referee pays 6 (a
      // JobSettled) and slashes 7 (DisputeSettled, and the registry's Slashed).
      const disputed: JobOrder = { ...order, inputHash: keccak256('0x9abc'), nonce: 2n };
      ids.disputedHash = hashJobOrder(chainId, computeEscrow, disputed);
      const wrongHash = keccak256('0xbad0');
      const attest = (index: number, hash: Hex) =>
        fx.wallet(index).signTypedData(resultAttestationTypedData(chainId, computeEscrow, ids.disputedHash, hash));
      await send(1, {
        address: computeEscrow,
        abi: computeEscrowAbi,
        functionName: 'settleDispute',
        args: [
          disputed,
          await fx.wallet(8).signTypedData(jobOrderTypedData(chainId, computeEscrow, disputed)),
          parseEther('0.03'),
          resultHash,
          [
            { provider: fx.accounts[6].address, resultHash, signature: await attest(6, resultHash) },
            { provider: fx.accounts[7].address, resultHash: wrongHash, signature: await attest(7, wrongHash) },
          ],
          1n,
        ],
      });
      await send(8, {
        address: computeEscrow,
        abi: computeEscrowAbi,
        functionName: 'requestWithdrawal',
        args: [zeroAddress, parseEther('0.1')],
      });
      return resultHash;
    }

    let resultHash: Hex;
    let fullDump: Awaited<ReturnType<typeof dump>>;
    const seen: SoukEvent[] = [];

    before(async () => {
      fx = await anvilFixture();
      deployment = await deploySouk({
        walletClient: fx.wallet(0),
        publicClient: fx.publicClient,
        operator: fx.accounts[1].address,
      });
      resultHash = await scenario();
      db = await open();
    });
    after(async () => {
      for (const database of dbs) await variant.dispose(database).catch(() => {});
      await fx?.stop();
    });

    test('indexes every Souk event into the right rows and checkpoints the head', async () => {
      const head = await fx.publicClient.getBlockNumber({ cacheTime: 0 });
      const result = await indexer(db, { batchSize: 7, onEvent: (e) => void seen.push(e) }).syncOnce();
      assert.equal(result.from, BigInt(deployment.blockNumber));
      assert.equal(result.to, head);
      assert.ok(result.events > 30);
      assert.equal(seen.length, result.events);
      const names = new Set<string>(seen.map((e) => e.eventName));
      for (const name of [
        'AssetMinted',
        'VersionPublished',
        'Transfer',
        'Listed',
        'PriceUpdated',
        'Sold',
        'TermsSet',
      ]) {
        assert.ok(names.has(name), `${name} delivered to onEvent`);
      }

      const model = await db
        .selectFrom('assets')
        .selectAll()
        .where('id', '=', ids.model.toString())
        .executeTakeFirstOrThrow();
      assert.equal(model.kind, 'model');
      assert.equal(model.creator, account(3));
      assert.equal(model.owner, account(4));
      assert.equal(model.royalty_bps, 500);
      assert.equal(model.version_count, 2);
      assert.equal(model.manifest_uri, URI_V1);
      assert.equal(model.price_wei, null); // sold: no listing, no terms
      const versions = await db
        .selectFrom('asset_versions')
        .selectAll()
        .where('asset_id', '=', ids.model.toString())
        .orderBy('version')
        .execute();
      assert.deepEqual(
        versions.map((v) => v.uri),
        [URI, URI_V1],
      );

      const dataset = await db
        .selectFrom('assets')
        .selectAll()
        .where('id', '=', ids.dataset.toString())
        .executeTakeFirstOrThrow();
      assert.equal(dataset.kind, 'dataset');
      assert.equal(dataset.licence_active, true);
      assert.equal(dataset.licence_price_wei, parseEther('0.1').toString());
      assert.equal(dataset.licence_duration, '3600');
      assert.equal(dataset.price_wei, parseEther('0.1').toString());

      const listing = await db.selectFrom('listings').selectAll().executeTakeFirstOrThrow();
      assert.equal(listing.active, false);
      assert.equal(listing.price, parseEther('1.5').toString());
      const [sale] = await db.selectFrom('sales').selectAll().execute();
      assert.equal(sale.buyer, account(4));
      assert.equal(sale.seller, account(3));
      assert.equal(sale.price, parseEther('1.5').toString());
      assert.equal(sale.royalty, ((parseEther('1.5') * 500n) / 10_000n).toString());
      assert.equal(sale.fee, ((parseEther('1.5') * 250n) / 10_000n).toString());
      assert.equal((await db.selectFrom('transfers').selectAll().execute()).length, 3); // 2 mints + 1 sale

      const settlements = await db
        .selectFrom('order_settlements')
        .selectAll()
        .orderBy('block_number')
        .orderBy('log_index')
        .execute();
      assert.deepEqual(
        settlements.map((row) => [row.order_hash, row.kind, row.paid, row.slashed]),
        [
          [ids.orderHash.toLowerCase(), 'batch', [account(6), account(7)], []],
          [ids.disputedHash.toLowerCase(), 'batch', [account(6)], []],
          [ids.disputedHash.toLowerCase(), 'dispute', [account(6)], [account(7)]],
        ],
      );
      const [settlement] = settlements;
      assert.equal(settlement.order_hash, ids.orderHash.toLowerCase());
      assert.equal(settlement.kind, 'batch');
      assert.equal(settlement.requester, account(8));
      assert.equal(settlement.model_id, ids.model.toString());
      assert.equal(settlement.amount, parseEther('0.08').toString());
      assert.equal(settlement.result_hash, resultHash.toLowerCase());
      assert.deepEqual(settlement.paid, [account(6), account(7)]);
      assert.deepEqual(settlement.slashed, []);
      const movements = await db.selectFrom('escrow_movements').selectAll().orderBy('block_number').execute();
      assert.deepEqual(
        movements.map((m) => [m.kind, m.account, m.amount]),
        [
          ['deposit', account(8), parseEther('0.5').toString()],
          ['withdrawal_requested', account(8), parseEther('0.1').toString()],
        ],
      );
      assert.ok(movements[1].unlock_at && movements[1].unlock_at > movements[1].timestamp, 'unlocks after the delay');

      const licence = await db.selectFrom('licences').selectAll().executeTakeFirstOrThrow();
      assert.equal(licence.licensee, account(5));
      assert.equal(licence.purchases, 1);
      const purchase = await db.selectFrom('licence_purchases').selectAll().executeTakeFirstOrThrow();
      assert.equal(licence.expires_at?.getTime(), purchase.expires_at?.getTime());
      assert.ok((licence.expires_at as Date).getTime() - purchase.timestamp.getTime() === 3600_000);

      // Result counters from the ComputeEscrow events: a JobSettled paying a provider is one more completed, a
      // DisputeSettled slashing it one more failed.
      const providers = await db.selectFrom('providers').selectAll().orderBy('address').execute();
      const slash = await read<bigint>({
        address: deployment.contracts.computeEscrow,
        abi: computeEscrowAbi,
        functionName: 'slashAmount',
      });
      assert.deepEqual(
        providers.map((p) => [p.address, p.stake, p.completed, p.failed, p.slashed]),
        [
          [account(6), parseEther('1000').toString(), 2, 0, 0],
          [account(7), (parseEther('1000') - slash).toString(), 1, 1, 1],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      // Orders lock no stake: the index agrees with ProviderRegistry.lockedStake.
      for (const p of providers) {
        const onChain = await read<bigint>({
          address: deployment.contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'lockedStake',
          args: [p.address],
        });
        assert.equal(String(p.locked_stake), onChain.toString());
      }
      // Earnings: what the index says each provider earned is what the ComputeEscrow credited it, to the wei.
      const { items } = await listProviders(db);
      for (const p of items) {
        const credited = await read<bigint>({
          address: deployment.contracts.computeEscrow,
          abi: computeEscrowAbi,
          functionName: 'creditsOf',
          args: [zeroAddress, p.address],
        });
        assert.equal(p.earned, credited.toString(), `earnings of ${p.address}`);
      }
      assert.deepEqual(
        items.map((p) => [p.address, p.paid_jobs]).sort(),
        [
          [account(6), 2],
          [account(7), 1],
        ].sort(),
      );

      const checkpoint = await db.selectFrom('indexer_checkpoints').selectAll().executeTakeFirstOrThrow();
      assert.equal(BigInt(checkpoint.block_number), head);
      assert.equal(checkpoint.block_hash, (await fx.publicClient.getBlock({ blockNumber: head })).hash);
      // Governance parameters are kept generically.
      const params = await db.selectFrom('chain_events').select('event').where('entity', 'is', null).execute();
      assert.ok(params.some((p) => p.event === 'RevenueSplitSet'));
      fullDump = await dump(db);
    });

    test('re-indexing the same range changes nothing', async () => {
      await db.deleteFrom('indexer_checkpoints').execute();
      const again = await indexer(db, { batchSize: 1000 }).syncOnce();
      assert.equal(again.from, BigInt(deployment.blockNumber));
      assert.equal(again.events, 0);
      assert.deepEqual(await dump(db), fullDump);
    });

    test('state tables are a pure function of the stored events', async () => {
      await db.transaction().execute((trx) => rebuildState(trx));
      assert.deepEqual(await dump(db), fullDump);
    });

    test('a stopped indexer resumes from its checkpoint', async () => {
      const fresh = await open();
      const first = indexer(fresh, { batchSize: 3, pollIntervalMs: 10 });
      await first.start();
      while ((await first.checkpoint()).blockNumber < BigInt(deployment.blockNumber) + 6n) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await first.stop();
      assert.equal(first.running, false);
      const stoppedAt = await first.checkpoint();
      assert.ok(stoppedAt.blockHash);
      const second = await indexer(fresh, { batchSize: 3 }).syncOnce();
      assert.equal(second.from, stoppedAt.blockNumber + 1n);
      assert.deepEqual(await dump(fresh), fullDump);
      assert.equal(await indexer(fresh).lag(), 0);
    });

    test('a reorg is rolled back and the database matches a fresh index of the new chain', async () => {
      const { agentNft, licenses, providerRegistry, marketplace } = deployment.contracts;
      await setAssetMetadata(db, ids.dataset, {
        name: 'census',
        description: 'Counts',
        manifestCid: null,
        contentCid: null,
      });
      const snapshot = await fx.testClient.snapshot();
      // Fork A: touches existing entities (dataset terms, a licence, a provider) and mints token 3.
      await send(3, {
        address: licenses,
        abi: licensesAbi,
        functionName: 'setTerms',
        args: [ids.dataset, zeroAddress, parseEther('0.2'), 0n],
      });
      await send(5, {
        address: licenses,
        abi: licensesAbi,
        functionName: 'purchaseLicense',
        args: [ids.dataset, account(5)],
        value: parseEther('0.2'),
      });
      await send(6, {
        address: providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'increaseStake',
        args: [parseEther('500')],
      });
      await send(2, { address: agentNft, abi: agentNftAbi, functionName: 'mint', args: [account(2), URI, 1, 0] });
      // … and settles one more order, paying provider 6: its completed count and earnings must go with fork A.
      const { computeEscrow } = deployment.contracts;
      const chainId = await fx.publicClient.getChainId();
      const order: JobOrder = {
        requester: fx.accounts[8].address,
        modelId: ids.model,
        modelVersion: 0,
        inputHash: keccak256('0xf0f0'),
        currency: zeroAddress,
        maxPrice: parseEther('0.1'),
        redundancy: 1,
        verification: Verification.Exact,
        deadline: (await fx.publicClient.getBlock()).timestamp + 3600n,
        nonce: 3n,
      };
      const forkHash = hashJobOrder(chainId, computeEscrow, order);
      const forkResult = keccak256('0x0f0f');
      await send(1, {
        address: computeEscrow,
        abi: computeEscrowAbi,
        functionName: 'settleBatch',
        args: [
          [
            {
              order,
              requesterSignature: await fx.wallet(8).signTypedData(jobOrderTypedData(chainId, computeEscrow, order)),
              amount: parseEther('0.05'),
              resultHash: forkResult,
              providers: [fx.accounts[6].address],
              providerSignatures: [
                await fx
                  .wallet(6)
                  .signTypedData(resultAttestationTypedData(chainId, computeEscrow, forkHash, forkResult)),
              ],
            },
          ],
        ],
      });
      const completedOf6 = async () =>
        (
          await db
            .selectFrom('providers')
            .select('completed')
            .where('address', '=', account(6))
            .executeTakeFirstOrThrow()
        ).completed;
      const live = indexer(db, { batchSize: 2 });
      await live.syncOnce();
      assert.equal((await db.selectFrom('assets').select('id').execute()).length, 3);
      assert.equal(await completedOf6(), 3, 'fork A paid provider 6 once more');

      // Fork B: longer, different transactions.
      await fx.testClient.revert({ id: snapshot });
      await send(3, { address: licenses, abi: licensesAbi, functionName: 'closeLicensing', args: [ids.dataset] });
      await send(7, {
        address: providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'requestUnbond',
        args: [parseEther('100')],
      });
      await send(9, { address: agentNft, abi: agentNftAbi, functionName: 'mint', args: [account(9), URI_V1, 0, 100] });
      await send(9, { address: agentNft, abi: agentNftAbi, functionName: 'approve', args: [marketplace, 3n] });
      await send(9, {
        address: marketplace,
        abi: marketplaceAbi,
        functionName: 'list',
        args: [3n, zeroAddress, parseEther('3')],
      });
      await fx.testClient.mine({ blocks: 2 });

      const reorged: unknown[] = [];
      const result = await indexer(db, { batchSize: 2, onReorg: (r) => void reorged.push(r) }).syncOnce();
      assert.equal(result.reorgs.length, 1);
      assert.equal(reorged.length, 1);
      assert.ok(result.reorgs[0].entities.includes(`asset:${ids.dataset}`));
      assert.ok(result.reorgs[0].removedEvents > 0);

      const token3 = await db.selectFrom('assets').selectAll().where('id', '=', '3').executeTakeFirstOrThrow();
      assert.equal(token3.creator, account(9));
      assert.equal(token3.price_wei, parseEther('3').toString());
      const dataset = await db
        .selectFrom('assets')
        .selectAll()
        .where('id', '=', ids.dataset.toString())
        .executeTakeFirstOrThrow();
      assert.equal(dataset.licence_active, false);
      assert.equal(dataset.name, 'census'); // off-chain metadata survives the rebuild
      assert.equal(await completedOf6(), 2, 'the settlement of fork A is rolled back with its count');
      assert.equal(
        (
          await db
            .selectFrom('order_settlements')
            .select('order_hash')
            .where('order_hash', '=', forkHash.toLowerCase())
            .execute()
        ).length,
        0,
      );

      const fresh = await open();
      await setAssetMetadata(fresh, ids.dataset, {
        name: 'census',
        description: 'Counts',
        manifestCid: null,
        contentCid: null,
      });
      await indexer(fresh, { batchSize: 1000 }).syncOnce();
      assert.deepEqual(await dump(db), await dump(fresh));
    });

    describe('with confirmations > 0 (the default off the devnet)', () => {
      const CONFIRMATIONS = 3;
      const head = () => fx.publicClient.getBlockNumber({ cacheTime: 0 });
      const mint = async (from: number, uri: string) => {
        const receipt = await send(from, {
          address: deployment.contracts.agentNft,
          abi: agentNftAbi,
          functionName: 'mint',
          args: [account(from), uri, 1, 0],
        });
        const id = await read<bigint>({
          address: deployment.contracts.agentNft,
          abi: agentNftAbi,
          functionName: 'totalMinted',
        });
        return { id: id.toString(), block: receipt.blockNumber };
      };
      const hasAsset = async (database: SoukDb, id: string) =>
        (await database.selectFrom('assets').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

      test('an event is applied only once N blocks are on top of it, and delivered once', async () => {
        const fresh = await open();
        const delivered: SoukEvent[] = [];
        const confirmed = indexer(fresh, { confirmations: CONFIRMATIONS, onEvent: (e) => void delivered.push(e) });
        const caughtUp = await confirmed.syncOnce();
        assert.equal(caughtUp.to, (await head()) - BigInt(CONFIRMATIONS));
        assert.equal(await confirmed.lag(), CONFIRMATIONS);

        const { id, block } = await mint(2, URI);
        const mintedBy = (e: SoukEvent) => e.eventName === 'AssetMinted' && String(e.args.tokenId) === id;
        for (let onTop = 0; onTop < CONFIRMATIONS; onTop++) {
          // The mint's block has `onTop` blocks above it: not confirmed yet.
          assert.equal(await head(), block + BigInt(onTop));
          const result = await confirmed.syncOnce();
          assert.equal(result.to, block + BigInt(onTop) - BigInt(CONFIRMATIONS));
          assert.equal(await hasAsset(fresh, id), false, `applied with only ${onTop} blocks on top`);
          assert.equal(delivered.filter(mintedBy).length, 0);
          await fx.testClient.mine({ blocks: 1 });
        }
        const result = await confirmed.syncOnce();
        assert.equal(result.to, block);
        assert.equal(await hasAsset(fresh, id), true);
        assert.equal(delivered.filter(mintedBy).length, 1);
        await confirmed.syncOnce();
        assert.equal(delivered.filter(mintedBy).length, 1);
      });

      test('a reorg within the confirmation depth never reaches the database: nothing to roll back', async () => {
        const fresh = await open();
        const confirmed = indexer(fresh, { confirmations: CONFIRMATIONS });
        await confirmed.syncOnce();
        const snapshot = await fx.testClient.snapshot();
        // Fork A: a mint with CONFIRMATIONS − 1 blocks on top, then the chain switches to fork B.
        const forkA = await mint(2, URI);
        await fx.testClient.mine({ blocks: CONFIRMATIONS - 1 });
        const during = await confirmed.syncOnce();
        assert.equal(await hasAsset(fresh, forkA.id), false);
        assert.ok(during.to < forkA.block);
        await fx.testClient.revert({ id: snapshot });
        const forkB = await mint(9, URI_V1);
        assert.equal(forkB.id, forkA.id); // same token id, another creator: only fork B may be indexed
        await fx.testClient.mine({ blocks: CONFIRMATIONS + 1 });

        const reorged: unknown[] = [];
        const result = await indexer(fresh, {
          confirmations: CONFIRMATIONS,
          onReorg: (r) => void reorged.push(r),
        }).syncOnce();
        assert.deepEqual(result.reorgs, []);
        assert.equal(reorged.length, 0);
        assert.equal(result.from, during.to + 1n); // it went on from its checkpoint: nothing was rolled back
        const asset = await fresh.selectFrom('assets').selectAll().where('id', '=', forkB.id).executeTakeFirstOrThrow();
        assert.equal(asset.creator, account(9));
        assert.equal(asset.manifest_uri, URI_V1);
        // The same as a fresh index of the final chain with the same depth.
        const reference = await open();
        await indexer(reference, { confirmations: CONFIRMATIONS }).syncOnce();
        assert.deepEqual(await dump(fresh), await dump(reference));
      });

      test('a reorg deeper than the confirmation depth is rolled back to the common ancestor', async () => {
        const fresh = await open();
        const confirmed = indexer(fresh, { confirmations: CONFIRMATIONS });
        await confirmed.syncOnce();
        const snapshot = await fx.testClient.snapshot();
        const forkA = await mint(2, URI);
        await fx.testClient.mine({ blocks: CONFIRMATIONS });
        await confirmed.syncOnce();
        assert.equal(await hasAsset(fresh, forkA.id), true); // confirmed on fork A
        await fx.testClient.revert({ id: snapshot });
        const forkB = await mint(9, URI_V1);
        await fx.testClient.mine({ blocks: CONFIRMATIONS + 2 });

        const result = await confirmed.syncOnce();
        assert.equal(result.reorgs.length, 1);
        assert.ok(result.reorgs[0].commonAncestor < forkA.block);
        assert.ok(result.reorgs[0].entities.includes(`asset:${forkA.id}`));
        const asset = await fresh.selectFrom('assets').selectAll().where('id', '=', forkB.id).executeTakeFirstOrThrow();
        assert.equal(asset.creator, account(9));
        const reference = await open();
        await indexer(reference, { confirmations: CONFIRMATIONS }).syncOnce();
        assert.deepEqual(await dump(fresh), await dump(reference));
      });
    });
  });
}
