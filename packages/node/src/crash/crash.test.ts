/**
 * Crash tests with real processes: `souk start` runs as a child process on free ports with its own data directory,
 * does acknowledged work through its API, and is killed with SIGKILL (alone, and together with its anvil). The
 * restarted node must still have every transaction it acknowledged, no anvil may outlive its node, and a start
 * must refuse a devnet port that another process holds. Crash safety of compute (orders in flight and waiting for
 * their batch) is `ordersCrash.test.ts`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { agentNftAbi, devAccounts, startAnvil } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { createSoukClient, getAsset, publishAsset, purchaseLicence, setLicenceTerms, uploadContent } from '@souk/sdk';
import { createPublicClient, type Hex, http } from 'viem';
import {
  alive,
  cleanUpProcesses,
  dirs,
  exited,
  gracefulStop,
  type NodeProcess,
  signIn,
  spawnNode,
  waitUntil,
} from './nodeProcess.ts';

const TIMEOUT = 240_000;
after(cleanUpProcesses);

/** Acknowledged work through the API: publish (mint), licence terms, a licence purchase. Returns what was acked. */
async function acknowledgedWork(url: string) {
  const [, , , creatorDev, buyerDev] = devAccounts(5);
  const creator = createSoukClient({ url });
  await signIn(creator, creatorDev.account);
  const upload = await uploadContent(creator, { data: new TextEncoder().encode(`crash ${Date.now()}`) });
  const published = await publishAsset(creator, {
    uploadId: upload.uploadId,
    name: 'Crash-safe model',
    kind: 'dataset',
    description: 'survives SIGKILL',
    license: { terms: 'CC-BY-4.0' },
    royaltyBps: 100,
  });
  assert.ok(published.assetId && published.transactionHash, 'minted by the node');
  const assetId = BigInt(published.assetId);
  const terms = await setLicenceTerms(creator, { assetId, price: 10n ** 15n });
  const buyer = createSoukClient({ url });
  await signIn(buyer, buyerDev.account);
  const bought = await purchaseLicence(buyer, { assetId });
  return {
    assetId,
    creator: creatorDev.address,
    buyer: buyerDev.address,
    hashes: [published.transactionHash, ...terms.transactionHashes, ...bought.transactionHashes] as Hex[],
  };
}

/** After a restart: every acknowledged transaction has its receipt, and the state it made is there. */
async function assertAcknowledged(node: NodeProcess, work: Awaited<ReturnType<typeof acknowledgedWork>>) {
  const client = createPublicClient({ transport: http(`http://127.0.0.1:${node.devnetPort}`) });
  for (const hash of work.hashes) {
    const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined);
    assert.equal(receipt?.status, 'success', `acknowledged transaction ${hash} is on the chain after the crash`);
  }
  const info = (await (await fetch(`${node.url}/api/v1/chain/contracts`)).json()) as {
    contracts?: { agentNft: `0x${string}` };
    agentNft?: `0x${string}`;
  };
  const agentNft = info.contracts?.agentNft ?? info.agentNft;
  assert.ok(agentNft, 'contracts served');
  const owner = await client.readContract({
    address: agentNft,
    abi: agentNftAbi,
    functionName: 'ownerOf',
    args: [work.assetId],
  });
  assert.equal(owner, work.creator);
  const licence = (await (await fetch(`${node.url}/api/v1/licences/${work.assetId}/${work.buyer}`)).json()) as {
    hasAccess: boolean;
  };
  assert.equal(licence.hasAccess, true, 'the bought licence is still held');
  // The database (indexer) follows: the asset is listed again after the restart.
  const asset = await waitUntil(
    () => getAsset(createSoukClient({ url: node.url }), { assetId: work.assetId }).catch(() => undefined),
    30_000,
  );
  assert.equal(asset.creator, work.creator.toLowerCase());
}

describe('crash safety of the node and its embedded chain (real processes, SIGKILL)', () => {
  test('acknowledged chain work survives SIGKILL of the node, and its anvil dies with it (no stray process)', {
    timeout: TIMEOUT,
  }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-crash-'));
    dirs.push(dataDir);
    const devnetPort = await freePort();
    const first = await spawnNode(dataDir, devnetPort, await freePort()).ready;
    const work = await acknowledgedWork(first.url);
    first.child.kill('SIGKILL'); // right after the last response: no state dump interval has passed
    await exited(first.child);
    const gone = await waitUntil(() => !alive(first.anvilPid), 5000).catch(() => false);
    if (!gone) process.kill(first.anvilPid, 'SIGKILL');
    assert.ok(gone, `anvil (pid ${first.anvilPid}) outlived its SIGKILLed node`);

    const second = await spawnNode(dataDir, devnetPort, await freePort()).ready;
    try {
      assert.notEqual(second.anvilPid, first.anvilPid);
      await assertAcknowledged(second, work);
    } finally {
      await gracefulStop(second);
    }
  });

  test('acknowledged chain work survives SIGKILL of the node and its anvil together', {
    timeout: TIMEOUT,
  }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-crash-'));
    dirs.push(dataDir);
    const devnetPort = await freePort();
    const first = await spawnNode(dataDir, devnetPort, await freePort()).ready;
    const work = await acknowledgedWork(first.url);
    process.kill(first.anvilPid, 'SIGKILL');
    first.child.kill('SIGKILL');
    await exited(first.child);
    assert.ok(await waitUntil(() => !alive(first.anvilPid), 5000));

    const second = await spawnNode(dataDir, devnetPort, await freePort()).ready;
    try {
      await assertAcknowledged(second, work);
      // And again after a second crash: the restarted node's own state file is complete too.
      const more = await acknowledgedWork(second.url);
      second.child.kill('SIGKILL');
      await exited(second.child);
      assert.ok(await waitUntil(() => !alive(second.anvilPid), 5000));
      const third = await spawnNode(dataDir, devnetPort, await freePort()).ready;
      try {
        await assertAcknowledged(third, work);
        await assertAcknowledged(third, more);
      } finally {
        await gracefulStop(third);
      }
    } finally {
      if (second.child.exitCode === null && second.child.signalCode === null) await gracefulStop(second);
    }
  });

  test('a start is refused, with a clear message, while a foreign process holds the devnet port', {
    timeout: TIMEOUT,
  }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'souk-crash-'));
    dirs.push(dataDir);
    const devnetPort = await freePort();
    const first = await spawnNode(dataDir, devnetPort, await freePort()).ready;
    await gracefulStop(first);
    const stateFile = path.join(dataDir, 'chain', 'anvil-state.json.gz');
    const savedAt = statSync(stateFile).mtimeMs;

    const foreign = await startAnvil({ port: devnetPort }); // another chain, not this data dir's
    try {
      const { child, ready } = spawnNode(dataDir, devnetPort, await freePort());
      const refused = await ready.then(
        () => assert.fail('the node started on a port held by another process'),
        (error: Error) => error.message,
      );
      assert.match(refused, new RegExp(`Port ${devnetPort} \\(devnet RPC\\) is already in use by another process`));
      assert.match(refused, /--devnet-port/);
      assert.equal(child.exitCode, 1);
      assert.equal(statSync(stateFile).mtimeMs, savedAt, 'the data dir state was not touched');
      const head = await createPublicClient({ transport: http(foreign.rpcUrl) }).getBlockNumber();
      assert.equal(head, 0n, 'the foreign chain was not deployed onto');
    } finally {
      await foreign.stop();
    }
  });
});
