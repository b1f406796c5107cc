/**
 * Crash safety of the anvil launcher with real processes: saved state survives SIGKILL, anvil dies with the process
 * that started it (both death guards), and a port held by another process is refused.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { createPublicClient, createWalletClient, http, parseEther } from 'viem';
import { foundry } from 'viem/chains';
import { type Anvil, AnvilPortInUseError, type DeathGuard, startAnvil } from './anvil.ts';
import { devAccounts } from './devnet.ts';
import { freePort } from './test-utils.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'souk-anvil-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Whether a process with this pid exists (and is not a zombie). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): kill(0) is the answer
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

async function sendEth(anvil: Anvil, wei: bigint, sender = 0) {
  const accounts = devAccounts();
  const [from, to] = [accounts[sender], accounts[9]];
  const transport = http(anvil.rpcUrl);
  const wallet = createWalletClient({ account: from.account, chain: foundry, transport });
  const client = createPublicClient({ chain: foundry, transport, pollingInterval: 50 });
  const hash = await wallet.sendTransaction({ to: to.address, value: wei });
  const receipt = await client.waitForTransactionReceipt({ hash });
  return { hash, receipt, to: to.address };
}

describe('anvil state', () => {
  test('a persisted transaction survives SIGKILL of anvil (receipt by hash and balance after restart)', async () => {
    const stateFile = path.join(tempDir(), 'anvil-state.json');
    const port = await freePort();
    const first = await startAnvil({ port, stateFile, stateInterval: 0 });
    const { hash, receipt, to } = await sendEth(first, parseEther('1.5'));
    const saved = await first.persist(receipt.blockNumber);
    assert.ok(saved.blockNumber >= receipt.blockNumber);
    assert.ok(first.durableBlock() >= receipt.blockNumber);
    first.process.kill('SIGKILL');
    await once(first.process, 'exit');

    const second = await startAnvil({ port, stateFile, stateInterval: 0 });
    try {
      const client = createPublicClient({ chain: foundry, transport: http(second.rpcUrl) });
      const again = await client.getTransactionReceipt({ hash });
      assert.equal(again.status, 'success');
      assert.equal(again.blockHash, receipt.blockHash);
      assert.equal(await client.getBalance({ address: to }), parseEther('10001.5'));
      assert.equal(second.durableBlock(), receipt.blockNumber, 'the loaded state counts as saved');
    } finally {
      await second.stop();
    }
  });

  test('persist is atomic: no temporary file is left and the state file is complete (gzip JSON)', async () => {
    const dir = tempDir();
    const stateFile = path.join(dir, 'anvil-state.json');
    const anvil = await startAnvil({ port: await freePort(), stateFile, stateInterval: 0 });
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const { receipt } = await sendEth(anvil, BigInt(i + 1), i);
          return [receipt.blockNumber, await anvil.persist(receipt.blockNumber)] as const;
        }),
      );
      for (const [block, saved] of results) assert.ok(saved.blockNumber >= block, `save covers block ${block}`);
      assert.deepEqual(readdirSync(dir), ['anvil-state.json']);
      const state = JSON.parse(gunzipSync(readFileSync(stateFile)).toString()) as { transactions: unknown[] };
      assert.equal(state.transactions.length, 6);
    } finally {
      await anvil.stop();
    }
  });

  test('a save after evm_revert is not skipped because an older, rewound save had a higher block', async () => {
    const stateFile = path.join(tempDir(), 'anvil-state.json');
    const port = await freePort();
    const anvil = await startAnvil({ port, stateFile, stateInterval: 0 });
    const client = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    const snapshot = await client.request({ method: 'evm_snapshot' as never });
    await sendEth(anvil, 1n);
    const { receipt: high } = await sendEth(anvil, 2n);
    await anvil.persist(high.blockNumber);
    await client.request({ method: 'evm_revert' as never, params: [snapshot] as never });
    const { hash, receipt } = await sendEth(anvil, 3n); // block 1 again, another hash
    assert.ok(receipt.blockNumber < high.blockNumber);
    await anvil.persist(receipt.blockNumber);
    anvil.process.kill('SIGKILL');
    await once(anvil.process, 'exit');
    const second = await startAnvil({ port, stateFile, stateInterval: 0 });
    try {
      const again = createPublicClient({ chain: foundry, transport: http(second.rpcUrl) });
      assert.equal((await again.getTransactionReceipt({ hash })).blockHash, receipt.blockHash);
    } finally {
      await second.stop();
    }
  });

  test('a plain JSON state (anvil --dump-state, earlier Souk data dirs) still loads', async () => {
    const stateFile = path.join(tempDir(), 'anvil-state.json');
    const port = await freePort();
    const first = await startAnvil({ port, stateFile, stateInterval: 0 });
    const { hash } = await sendEth(first, 9n);
    await first.stop();
    writeFileSync(stateFile, gunzipSync(readFileSync(stateFile)));
    assert.equal(readFileSync(stateFile, 'utf8')[0], '{');
    const second = await startAnvil({ port, stateFile, stateInterval: 0 });
    try {
      const client = createPublicClient({ chain: foundry, transport: http(second.rpcUrl) });
      assert.equal((await client.getTransactionReceipt({ hash })).status, 'success');
    } finally {
      await second.stop();
    }
  });

  test('stop() saves the state and a restart resumes it', async () => {
    const stateFile = path.join(tempDir(), 'anvil-state.json');
    const port = await freePort();
    const first = await startAnvil({ port, stateFile, stateInterval: 0 });
    const { hash } = await sendEth(first, 7n);
    await first.stop();
    assert.equal(alive(first.pid), false);
    const second = await startAnvil({ port, stateFile, stateInterval: 0 });
    try {
      const client = createPublicClient({ chain: foundry, transport: http(second.rpcUrl) });
      assert.equal((await client.getTransactionReceipt({ hash })).status, 'success');
    } finally {
      await second.stop();
    }
  });
});

/** Starts a Node process that starts anvil with `deathGuard` and prints anvil's pid; resolves with both. */
async function parentWithAnvil(deathGuard: DeathGuard, port: number): Promise<{ parent: ChildProcess; pid: number }> {
  const code = [
    `const { startAnvil } = await import(${JSON.stringify(path.join(import.meta.dirname, 'anvil.ts'))});`,
    `const anvil = await startAnvil({ port: ${port}, deathGuard: ${JSON.stringify(deathGuard)} });`,
    'console.log("pid " + anvil.pid);',
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const parent = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /pid (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    parent.once('exit', (c) => reject(new Error(`parent exited (${c}) before starting anvil: ${out}`)));
  });
  return { parent, pid };
}

describe('anvil dies with its parent', () => {
  const guards: DeathGuard[] = process.platform === 'linux' ? ['pdeathsig', 'watchdog'] : ['watchdog'];
  for (const guard of guards) {
    test(`SIGKILL of the parent kills anvil (${guard})`, async () => {
      const port = await freePort();
      const { parent, pid } = await parentWithAnvil(guard, port);
      assert.ok(alive(pid), 'anvil runs');
      assert.ok(pid !== parent.pid);
      parent.kill('SIGKILL');
      const gone = await waitUntil(() => !alive(pid), 5000);
      if (!gone) process.kill(pid, 'SIGKILL');
      assert.ok(gone, `anvil (pid ${pid}) outlived its SIGKILLed parent`);
      // …and the port is free for the next start.
      const next = await startAnvil({ port, deathGuard: guard });
      await next.stop();
    });
  }

  test('watchdog: stop() ends anvil gracefully and leaves no watchdog process', async () => {
    const anvil = await startAnvil({ port: await freePort(), deathGuard: 'watchdog' });
    assert.notEqual(anvil.pid, anvil.process.pid);
    await anvil.stop();
    assert.equal(alive(anvil.pid), false);
    assert.ok(await waitUntil(() => !alive(anvil.process.pid as number), 3000));
  });
});

describe('anvil port', () => {
  test('a start on a port held by another JSON-RPC server is refused, naming the port', async () => {
    const port = await freePort();
    const foreign = await startAnvil({ port });
    try {
      await assert.rejects(
        startAnvil({ port }),
        (error: Error) =>
          error instanceof AnvilPortInUseError &&
          error.message.includes(`Port ${port} (devnet RPC) is already in use by another process`) &&
          error.message.includes('chain id 31337'),
      );
    } finally {
      await foreign.stop();
    }
  });

  test('a start on a port held by any other listener is refused before spawning', async () => {
    const server = createServer((_req, res) => res.end('not a chain'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const stateFile = path.join(tempDir(), 'anvil-state.json');
    try {
      await assert.rejects(startAnvil({ port, stateFile }), AnvilPortInUseError);
      assert.equal(existsSync(stateFile), false, 'nothing written');
    } finally {
      server.close();
    }
  });
});
