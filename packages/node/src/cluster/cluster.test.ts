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
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentNftAbi, type Devnet, marketplaceAbi, startDevnet } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import pg, { type Client } from 'pg';
import { type Abi, type Address, createPublicClient, createWalletClient, http, parseEther, zeroAddress } from 'viem';
import { foundry } from 'viem/chains';
import { serviceUnavailable, TEST_NATS_URL, TEST_POSTGRES_URL } from '../testing/services.ts';

const CLI = path.join(import.meta.dirname, '..', '..', '..', 'cli', 'src', 'bin.ts');
const URI = 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
/** How long a standby may take to lead after the leader is killed (generous: 2 shared cores). The lease retries every 1 s. */
const FAILOVER_BOUND_MS = 10_000;

const unavailable = (await serviceUnavailable('postgres')) || (await serviceUnavailable('nats'));

/** Polls `check` every 100 ms until it returns a value other than undefined/false, failing after `timeoutMs`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type NodeProcess = { name: string; url: string; child: ChildProcess; output: () => string; exited: Promise<unknown> };

describe('two nodes on one market (PostgreSQL + NATS + one anvil)', { skip: unavailable, timeout: 120_000 }, () => {
  let dir: string;
  let devnet: Devnet;
  let admin: Client;
  let databaseName: string;
  let databaseUrl: string;
  const prefix = `cluster${randomBytes(4).toString('hex')}`;
  const nodes = new Map<string, NodeProcess>();
  const ports = new Map<string, number>();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'souk-cluster-'));
    // The embedded devnet writes the deployments file a joining node reads (`<dataDir>/deployments/31337.json`).
    devnet = await startDevnet({ dataDir: path.join(dir, 'chain'), port: await freePort() });
    admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    databaseName = `souk_cluster_${randomBytes(6).toString('hex')}`;
    await admin.query(`create database ${databaseName}`);
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
  });

  after(async () => {
    for (const node of nodes.values()) {
      node.child.kill('SIGKILL');
      await node.exited;
    }
    await devnet?.anvil.stop();
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

  /** Starts `souk start` joining the devnet's chain, and waits until it answers `/health`. */
  async function startNodeProcess(name: string): Promise<NodeProcess> {
    const port = ports.get(name) ?? (await freePort());
    ports.set(name, port);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'start',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--data-dir',
        path.join(dir, name),
        '--rpc-url',
        devnet.anvil.rpcUrl,
        '--deployments',
        path.join(dir, 'chain', 'deployments', `${foundry.id}.json`),
        '--quiet',
      ],
      {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          NATS_URL: TEST_NATS_URL,
          SOUK_BUS_PREFIX: prefix,
          SOUK_OPERATOR_KEY: devnet.accounts[0].privateKey,
          JWT_SECRET: 'a shared secret of at least thirty-two bytes',
          SOUK_CONFIRMATIONS: '0',
          SOUK_SAMPLE_MODEL: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const node: NodeProcess = { name, url: `http://127.0.0.1:${port}`, child, output: () => output, exited };
    nodes.set(name, node);
    const up = await Promise.race([
      waitFor(`${name} to answer /health`, async () => (await fetch(`${node.url}/health`)).ok, 60_000),
      exited.then((code) => new Error(`${name} exited (${code})`)),
    ]).catch((error: Error) => error);
    if (up instanceof Error) throw new Error(`${up.message}:\n${output}`);
    return node;
  }

  /** Whether the node reports holding the lease (`souk_leader 1` on `/metrics`). */
  async function isLeader(node: NodeProcess): Promise<boolean> {
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    const match = /^souk_leader (\d)$/m.exec(metrics);
    assert.ok(match, `${node.name} exports souk_leader`);
    return match[1] === '1';
  }

  const listings = async (node: NodeProcess) => {
    const response = await fetch(`${node.url}/api/v1/marketplace/list`);
    assert.equal(response.status, 200);
    return (await response.json()) as { items: Array<{ assetId: string; seller: string; priceWei: string }> };
  };

  /** Mints an asset from dev account 3 and lists it at `price`: on the chain directly, not through a node. */
  async function mintAndList(price: bigint): Promise<string> {
    const transport = http(devnet.anvil.rpcUrl);
    const publicClient = createPublicClient({ chain: foundry, transport });
    const wallet = createWalletClient({ account: devnet.accounts[3].account, chain: foundry, transport });
    const { agentNft, marketplace } = devnet.deployment.contracts;
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
  async function sameListEverywhere(running: NodeProcess[], assetId: string) {
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
    const [a, b] = await Promise.all([startNodeProcess('a'), startNodeProcess('b')]);

    // Both joined the external chain: neither deployed contracts nor started a devnet.
    for (const node of [a, b]) {
      const status = (await (await fetch(`${node.url}/api/v1/chain/status`)).json()) as { devnet: boolean };
      assert.equal(status.devnet, false, `${node.name} is on the external chain`);
      assert.doesNotMatch(node.output(), /embedded devnet|deploying/, node.output());
    }

    // Exactly one leader, and it stays that way while both keep competing.
    await waitFor('a leader', async () => (await isLeader(a)) || (await isLeader(b)));
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // > 2 lease retries of the standby
    const leaders = [(await isLeader(a)) && a, (await isLeader(b)) && b].filter((node) => node !== false);
    assert.equal(leaders.length, 1, `one leader: ${leaders.map((node) => node.name).join(', ')}`);
    const leader = leaders[0] as NodeProcess;
    const standby = leader === a ? b : a;

    // An event reaches both nodes' read model through the shared database, applied once.
    const first = await mintAndList(parseEther('1'));
    const list = await sameListEverywhere([a, b], first);
    const listed = list.items.filter((item) => item.assetId === first);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].priceWei, parseEther('1').toString());
    const check = new pg.Client({ connectionString: databaseUrl });
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
    leader.child.kill('SIGKILL');
    await leader.exited;
    nodes.delete(leader.name);
    await waitFor('the standby to lead', () => isLeader(standby), FAILOVER_BOUND_MS);
    const failoverMs = performance.now() - killedAt;
    console.log(`# failover: ${standby.name} led ${failoverMs.toFixed(0)} ms after kill -9 of ${leader.name}`);
    assert.match(standby.output(), /lease won/);

    // The survivor keeps indexing; the killed node restarted from its data dir joins as a standby.
    const second = await mintAndList(parseEther('2'));
    await sameListEverywhere([standby], second);
    const restarted = await startNodeProcess(leader.name);
    await sameListEverywhere([standby, restarted], second);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(await isLeader(restarted), false, 'the restarted node is a standby');
    assert.equal(await isLeader(standby), true, 'the survivor keeps the lease');
  });
});
