/**
 * Two node processes (`souk start`) on one market: one anvil (an embedded devnet started by the test, whose
 * `deployments/31337.json` the nodes join with `--rpc-url` + `--deployments`), one PostgreSQL (a fresh database) and
 * one NATS JetStream (a fresh stream prefix), different loopback ports.
 *
 * - exactly one node holds the leader lease (`souk_leader` on `/metrics`); neither starts a devnet;
 * - both serve the same `GET /api/v1/marketplace/list` after a listing (both run an indexer on the shared database);
 * - `kill -9` of the leader → the other leads within a generous bound (the measured time is printed), and indexes the
 *   next listing; the killed node restarted from its data dir joins as a standby and serves the same list.
 *
 * And compute protocol v2 orders on the standby (two `startNode`s in this process on one PostgreSQL and one NATS
 * JetStream, three provider agents): orders posted to the standby are answered (verified result and attestations,
 * long-polled on the standby) and settled exactly once by the leader; concurrent orders of one requester split
 * across both nodes never reserve more than the escrow balance.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentNftAbi, devAccounts, marketplaceAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { hashJobOrder, type JobOrder, jobOrderToJson, jobOrderTypedData, Verification } from '@souk/protocol';
import type { ProviderAgent } from '@souk/provider';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';
import { createSoukClient, runOrder, SoukApiError, type SoukClient, signIn } from '@souk/sdk';
import pg, { type Client } from 'pg';
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  parseEther,
  sha256,
  zeroAddress,
} from 'viem';
import { foundry } from 'viem/chains';
import { loadConfig } from '../config.ts';
import { type ClusterNode, type NodeCluster, startNodeCluster, waitFor } from '../crash/nodeProcess.ts';
import { acceptOrder } from '../orders/accept.ts';
import { escrowReader, startProviderAgents, waitSettled } from '../orders/testing.ts';
import { type RunningNode, startNode } from '../server.ts';
import { serviceUnavailable, TEST_NATS_URL, TEST_POSTGRES_URL } from '../testing/services.ts';
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

describe('compute orders on the standby (two nodes, PostgreSQL + NATS, three providers)', {
  skip: unavailable,
  timeout: 10 * 60_000,
}, () => {
  let dir: string;
  let admin: Client;
  let databaseName: string;
  let leader: RunningNode;
  let standby: RunningNode;
  let agents: ProviderAgent[] = [];
  let sampleId: bigint;
  let png: Uint8Array;
  const prefix = `orders${randomBytes(4).toString('hex')}`;
  const accounts = devAccounts();
  const price = parseEther('0.001');
  const { escrow, balance, assertMoneyInvariant } = escrowReader(() => leader);
  const chain = () => leader.services.chain;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'souk-standby-orders-'));
    const out = path.join(dir, 'input.png');
    renderText(findImageMagick(), { out, text: 'Standby order', font: dejavuFont('DejaVuSans.ttf'), pointSize: 32 });
    png = new Uint8Array(readFileSync(out));
    admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    databaseName = `souk_standby_${randomBytes(6).toString('hex')}`;
    await admin.query(`create database ${databaseName}`);
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = `/${databaseName}`;
    const shared = {
      DATABASE_URL: url.toString(),
      NATS_URL: TEST_NATS_URL,
      SOUK_BUS_PREFIX: prefix,
      JWT_SECRET: 'a shared secret of at least thirty-two bytes',
      SOUK_AUDIT_RATE: '0',
      SOUK_COMMIT_TIMEOUT_SECONDS: '20',
    };
    const log = process.env.SOUK_TEST_LOG ? console.log : undefined;
    // The leader runs the embedded devnet (and publishes the sample model); the standby joins its chain.
    leader = await startNode(
      loadConfig(
        { 'data-dir': path.join(dir, 'a'), port: '0', 'devnet-port': String(await freePort()), providers: '0' },
        shared,
      ),
      { logger: false, log },
    );
    sampleId = leader.sampleModelId as bigint;
    standby = await startNode(
      loadConfig(
        {
          'data-dir': path.join(dir, 'b'),
          port: '0',
          'rpc-url': leader.services.chain.rpcUrl,
          deployments: path.join(dir, 'a', 'chain', 'deployments', `${foundry.id}.json`),
          providers: '0',
        },
        { ...shared, SOUK_OPERATOR_KEY: accounts[0].privateKey, SOUK_CONFIRMATIONS: '0', SOUK_SAMPLE_MODEL: '0' },
      ),
      { logger: false, log: log && ((line) => log(`[standby] ${line}`)) },
    );
    assert.ok(leader.services.orders, 'the first node leads and coordinates');
    assert.equal(standby.services.orders, undefined, 'the second node stands by');
    // Each node keeps its own blockstore (no Kubo here): give the standby the model's manifest, as a shared store
    // would (the model's content stays with the leader, whose gateway the providers download from).
    const uri = (await chain().publicClient.readContract({
      address: chain().deployment.contracts.agentNft,
      abi: agentNftAbi,
      functionName: 'tokenURI',
      args: [sampleId],
    })) as string;
    const manifestCid = uri.slice('ipfs://'.length);
    assert.equal(
      await standby.services.storage.store.putRaw(await leader.services.storage.store.getRaw(manifestCid)),
      manifestCid,
    );
    agents = await startProviderAgents(
      leader,
      [accounts[9], accounts[8], accounts[7]].map((p) => p.account),
    );
  });

  after(async () => {
    for (const agent of agents) await agent.stop().catch(() => {});
    await standby?.stop();
    await leader?.stop();
    if (admin) {
      await admin.query(`drop database if exists ${databaseName} with (force)`).catch(() => {});
      await admin.end();
    }
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: TEST_NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(`SOUK_JOBS_${prefix.toUpperCase()}`).catch(() => {});
    await nc.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A client of `node` signed in as `account`. */
  async function clientOf(node: RunningNode, account: (typeof accounts)[number]): Promise<SoukClient> {
    const client = createSoukClient({ url: node.url });
    await signIn(client, { account: account.account });
    return client;
  }

  /** Deposits `amount` into the escrow for a devnet account, through the leader (which holds the devnet keys). */
  async function deposit(account: (typeof accounts)[number], amount: bigint): Promise<void> {
    const client = await clientOf(leader, account);
    await client.json('/api/v1/orders/escrow/deposit', { method: 'POST', body: { amountWei: String(amount) } });
  }

  /** Batch settlements of an order recorded by the indexer (one `JobSettled` log each). */
  async function settlements(orderHash: string): Promise<number> {
    const rows = await leader.services.db
      .selectFrom('order_settlements')
      .select('order_hash')
      .where('order_hash', '=', orderHash.toLowerCase())
      .where('kind', '=', 'batch')
      .execute();
    return rows.length;
  }

  test('orders posted to the standby are answered with a verified result and settled exactly once by the leader', async () => {
    const requester = accounts[1];
    await deposit(requester, price * 4n);
    const client = await clientOf(standby, requester);
    const before = await balance(requester.address);

    // Through the SDK: signed by the requester, posted to the standby, long-polled on the standby.
    const run = await runOrder<{ lines: Array<{ text: string }> }>(client, {
      assetId: sampleId,
      input: png,
      redundancy: 2,
      maxPriceWei: price,
      account: requester.account,
      publicClient: chain().publicClient,
    });
    assert.match(run.output.lines.map((l) => l.text).join(' '), /Standby/);
    assert.equal(run.providers.length, 2, 'two verified attestations');
    assert.equal(run.order.attestations.length, 2);

    // A second order: the standby's `waitMs` holds until the phase changes (it reads the shared database).
    const escrowState = await client.json<{ nextNonce: string }>('/api/v1/orders/escrow');
    const order: JobOrder = {
      requester: requester.address,
      modelId: sampleId,
      modelVersion: 0,
      inputHash: sha256(png),
      currency: zeroAddress as Address,
      maxPrice: price,
      redundancy: 2,
      verification: Verification.Exact,
      deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
      nonce: BigInt(escrowState.nextNonce),
    };
    const signature = await requester.account.signTypedData(
      jobOrderTypedData(chain().deployment.chainId, escrow(), order),
    );
    const posted = await client.json<{ orderHash: string; phase: string }>('/api/v1/orders', {
      method: 'POST',
      body: { order: jobOrderToJson(order), signature, input: Buffer.from(png).toString('base64') },
    });
    assert.equal(posted.phase, 'running');
    assert.equal(posted.orderHash, hashJobOrder(chain().deployment.chainId, escrow(), order).toLowerCase());
    const waited = await client.json<{ phase: string }>(`/api/v1/orders/${posted.orderHash}?waitMs=30000`);
    assert.notEqual(waited.phase, 'running', 'the long poll on the standby returned on a phase change');

    const hashes = [run.order.orderHash, posted.orderHash];
    for (const hash of hashes) {
      const final = await waitSettled(client, hash);
      assert.equal(final.phase, 'settled', `${hash}: ${final.reason}`);
      assert.ok(final.settleTx, 'settled on-chain');
      assert.equal(final.attestations.length, 2);
    }
    // Exactly once: one JobSettled per order, and the escrow charged exactly the two prices.
    for (const hash of hashes) {
      await waitFor(`the settlement of ${hash} indexed`, async () => (await settlements(hash)) > 0);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // one more batch interval: nothing is sent twice
    for (const hash of hashes) assert.equal(await settlements(hash), 1, `${hash} settled once`);
    assert.equal(before - (await balance(requester.address)), price * 2n, 'charged exactly the two orders');
    await assertMoneyInvariant();
  });

  test('an order stored without its bus message is adopted by the leader’s sweep, once', async () => {
    const requester = accounts[5];
    await deposit(requester, price * 2n);
    const client = await clientOf(standby, requester);
    const order: JobOrder = {
      requester: requester.address,
      modelId: sampleId,
      modelVersion: 0,
      inputHash: sha256(png),
      currency: zeroAddress as Address,
      maxPrice: price,
      redundancy: 1,
      verification: Verification.Exact,
      deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
      nonce: 7n,
    };
    const signature = await requester.account.signTypedData(
      jobOrderTypedData(chain().deployment.chainId, escrow(), order),
    );
    // The standby's acceptance with no bus: the order is stored and nobody is told.
    const stored = await acceptOrder({ ...standby.services, bus: undefined }, undefined, requester.address, {
      order: jobOrderToJson(order),
      signature,
      input: png,
    });
    const final = await waitSettled(client, stored.hash);
    assert.equal(final.phase, 'settled', `${stored.hash}: ${final.reason}`);
    assert.equal(final.attestations.length, 1);
    const coordinator = leader.services.orders;
    assert.ok(coordinator);
    assert.equal(await coordinator.adopt(stored.hash), false, 'a finished order is never adopted again');
    assert.equal(await coordinator.sweep(), 0);
    await waitFor(`the settlement of ${stored.hash} indexed`, async () => (await settlements(stored.hash)) > 0);
    assert.equal(await settlements(stored.hash), 1);
  });

  test('concurrent orders of one requester split across both nodes reserve at most the escrow balance', async () => {
    const requester = accounts[4];
    const fits = 3n;
    await deposit(requester, price * fits);
    const clients = [await clientOf(leader, requester), await clientOf(standby, requester)];
    const before = await balance(requester.address);
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 600);
    const submit = async (i: number) => {
      const order: JobOrder = {
        requester: requester.address,
        modelId: sampleId,
        modelVersion: 0,
        inputHash: sha256(png),
        currency: zeroAddress as Address,
        maxPrice: price,
        redundancy: 1,
        verification: Verification.Exact,
        deadline,
        nonce: BigInt(1_000 + i),
      };
      const signature = await requester.account.signTypedData(
        jobOrderTypedData(chain().deployment.chainId, escrow(), order),
      );
      return (clients[i % 2] as SoukClient)
        .json<{ orderHash: string }>('/api/v1/orders', {
          method: 'POST',
          body: { order: jobOrderToJson(order), signature, input: Buffer.from(png).toString('base64') },
        })
        .then(
          (accepted) => ({ node: i % 2, hash: accepted.orderHash }),
          (error: unknown) => ({ node: i % 2, error }),
        );
    };
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => submit(i)));
    const accepted = outcomes.filter((o): o is { node: number; hash: string } => 'hash' in o);
    const refused = outcomes.filter((o): o is { node: number; error: unknown } => 'error' in o);
    assert.equal(accepted.length, Number(fits), `accepted ${accepted.length} of 8 with room for ${fits}`);
    for (const { error } of refused) {
      assert.ok(error instanceof SoukApiError, String(error));
      assert.equal(error.status, 402);
      assert.equal(error.problem.code, 'SOUK_ERR_INSUFFICIENT_ESCROW');
    }
    const rows = await leader.services.db
      .selectFrom('orders')
      .select('order_hash')
      .where('requester', '=', requester.address.toLowerCase())
      .execute();
    assert.equal(rows.length, Number(fits), 'only the accepted orders are stored');
    for (const { hash } of accepted) {
      const final = await waitSettled(clients[1] as SoukClient, hash);
      assert.equal(final.phase, 'settled', `${hash}: ${final.reason}`);
    }
    assert.equal(before - (await balance(requester.address)), price * fits, 'charged exactly the accepted orders');
    assert.ok(leader.services.orders?.get(accepted[0]?.hash as Hex) === undefined, 'the leader let go of them');
    await assertMoneyInvariant();
  });
});
