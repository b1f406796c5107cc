/**
 * Two node processes (`souk start`) on one market: one anvil (an embedded devnet started by the test, whose
 * `deployments/31337.json` the nodes join with `--rpc-url` + `--deployments`), one PostgreSQL (a fresh database) and
 * one NATS JetStream (a fresh stream prefix), different loopback ports.
 *
 * - exactly one node holds the leader lease (`souk_leader` on `/metrics`); neither starts a devnet;
 * - both serve the same `GET /api/v1/marketplace/list` after a listing (both run an indexer on the shared database);
 * - `kill -9` of the leader → the other leads within a generous bound (the measured time is printed), and indexes the
 *   next listing; the killed node restarted from its data dir joins as a standby and serves the same list.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentNftAbi, marketplaceAbi } from '@souk/contracts';
import pg from 'pg';
import { type Abi, type Address, createPublicClient, createWalletClient, http, parseEther, zeroAddress } from 'viem';
import { foundry } from 'viem/chains';
import { type ClusterNode, type NodeCluster, startNodeCluster, waitFor } from '../crash/nodeProcess.ts';
import { serviceUnavailable } from '../testing/services.ts';
import { deleteBusStream, type TempPostgres, tempPostgres } from '../testing/setups.ts';

const URI = 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
/** How long a standby may take to lead after the leader is killed (generous: 2 shared cores). The lease retries every 1 s. */
const FAILOVER_BOUND_MS = 10_000;

const unavailable = (await serviceUnavailable('postgres')) || (await serviceUnavailable('nats'));

describe('two nodes on one market (PostgreSQL + NATS + one anvil)', { skip: unavailable, timeout: 120_000 }, () => {
  let dir: string;
  let database: TempPostgres;
  let cluster: NodeCluster;
  const prefix = `cluster${randomBytes(4).toString('hex')}`;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'souk-cluster-'));
    database = await tempPostgres('souk_cluster');
    cluster = await startNodeCluster({ dir, databaseUrl: database.url, busPrefix: prefix });
  });

  after(async () => {
    await cluster?.stop();
    await database?.drop().catch(() => {});
    await deleteBusStream(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const listings = async (node: ClusterNode) => {
    const response = await fetch(`${node.url}/api/v1/marketplace/list`);
    assert.equal(response.status, 200);
    return (await response.json()) as { items: Array<{ assetId: string; seller: string; priceWei: string }> };
  };

  /** Mints an asset from dev account 3 and lists it at `price`: on the chain directly, not through a node. */
  async function mintAndList(price: bigint): Promise<string> {
    const transport = http(cluster.devnet.anvil.rpcUrl);
    const publicClient = createPublicClient({ chain: foundry, transport });
    const wallet = createWalletClient({ account: cluster.devnet.accounts[3].account, chain: foundry, transport });
    const { agentNft, marketplace } = cluster.devnet.deployment.contracts;
    const send = async (request: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] }) => {
      const receipt = await publicClient.waitForTransactionReceipt({
        hash: await wallet.writeContract(request as never),
      });
      assert.equal(receipt.status, 'success', request.functionName);
    };
    await send({
      address: agentNft,
      abi: agentNftAbi,
      functionName: 'mint',
      args: [wallet.account.address, URI, 0, 0],
    });
    const id = (await publicClient.readContract({
      address: agentNft,
      abi: agentNftAbi,
      functionName: 'totalMinted',
    })) as bigint;
    await send({ address: agentNft, abi: agentNftAbi, functionName: 'approve', args: [marketplace, id] });
    await send({ address: marketplace, abi: marketplaceAbi, functionName: 'list', args: [id, zeroAddress, price] });
    return String(id);
  }

  /** Waits until every node lists `assetId`, then checks that they all serve the same list. */
  async function sameListEverywhere(running: ClusterNode[], assetId: string) {
    const lists = await Promise.all(
      running.map((node) =>
        waitFor(`${node.name} to list asset ${assetId}`, async () => {
          const list = await listings(node);
          return list.items.some((item) => item.assetId === assetId) && list;
        }),
      ),
    );
    for (const list of lists.slice(1)) assert.deepEqual(list, lists[0]);
    return lists[0];
  }

  test('exactly one leads, both index and serve the same list, and the standby takes over a killed leader', async () => {
    const [a, b] = await Promise.all([cluster.start('a'), cluster.start('b')]);

    // Both joined the external chain: neither deployed contracts nor started a devnet.
    for (const node of [a, b]) {
      const status = (await (await fetch(`${node.url}/api/v1/chain/status`)).json()) as { devnet: boolean };
      assert.equal(status.devnet, false, `${node.name} is on the external chain`);
      assert.doesNotMatch(node.output(), /embedded devnet|deploying/, node.output());
    }

    // Exactly one leader, and it stays that way while both keep competing.
    await waitFor('a leader', async () => (await cluster.isLeader(a)) || (await cluster.isLeader(b)));
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // > 2 lease retries of the standby
    const leaders = [(await cluster.isLeader(a)) && a, (await cluster.isLeader(b)) && b].filter(
      (node) => node !== false,
    );
    assert.equal(leaders.length, 1, `one leader: ${leaders.map((node) => node.name).join(', ')}`);
    const leader = leaders[0] as ClusterNode;
    const standby = leader === a ? b : a;

    // An event reaches both nodes' read model through the shared database, applied once.
    const first = await mintAndList(parseEther('1'));
    const list = await sameListEverywhere([a, b], first);
    const listed = list.items.filter((item) => item.assetId === first);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].priceWei, parseEther('1').toString());
    const check = new pg.Client({ connectionString: database.url });
    await check.connect();
    try {
      const { rows } = await check.query<{ n: number }>(
        "select count(*)::int as n from chain_events where event = 'Listed'",
      );
      assert.equal(rows[0].n, 1, 'the Listed event is recorded once though two indexers saw it');
    } finally {
      await check.end();
    }

    // kill -9 the leader: its session ends with the process, the lock with the session.
    const killedAt = performance.now();
    await cluster.kill(leader);
    await waitFor('the standby to lead', () => cluster.isLeader(standby), FAILOVER_BOUND_MS);
    const failoverMs = performance.now() - killedAt;
    console.log(`# failover: ${standby.name} led ${failoverMs.toFixed(0)} ms after kill -9 of ${leader.name}`);
    assert.match(standby.output(), /lease won/);

    // The survivor keeps indexing; the killed node restarted from its data dir joins as a standby.
    const second = await mintAndList(parseEther('2'));
    await sameListEverywhere([standby], second);
    const restarted = await cluster.start(leader.name);
    await sameListEverywhere([standby, restarted], second);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(await cluster.isLeader(restarted), false, 'the restarted node is a standby');
    assert.equal(await cluster.isLeader(standby), true, 'the survivor keeps the lease');
  });
});
