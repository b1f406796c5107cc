/**
 * `souk run` follows its order through a node restart: the real `souk` bin runs in a child process against a whole
 * node (embedded devnet, PGlite, Helia) in this process. The node first runs without providers, so the order it
 * accepts cannot start; it then stops (its HTTP server and chain go away) and starts again from the same data dir
 * on the same port, now with two local providers. The CLI says it lost the node, reconnects with backoff, and prints
 * the order's verified result: the acknowledged order survived the restart.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type NodeConfig, type RunningNode, startNode } from '@souk/node';
import { dejavuFont, findImageMagick, renderText } from '@souk/provider/test-utils';

const BIN = fileURLToPath(new URL('../bin.ts', import.meta.url));
const TEXT = 'Resumed after restart';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dataDir: string;
let config: NodeConfig;
let node: RunningNode | undefined;

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'souk-run-resume-'));
  config = loadConfig(
    { 'data-dir': dataDir, port: String(await freePort()), 'devnet-port': String(await freePort()), providers: '0' },
    { SOUK_AUDIT_RATE: '0', RATE_LIMIT_PER_MINUTE: '100000' },
  );
  node = await startNode(config, { logger: false });
});

after(async () => {
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('souk run reconnects after the node restarts mid-order and prints the verified result', {
  timeout: 300_000,
}, async () => {
  const png = path.join(dataDir, 'input.png');
  renderText(findImageMagick(), { out: png, text: TEXT, font: dejavuFont('DejaVuSans.ttf'), pointSize: 36 });
  const url = (node as RunningNode).url;
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOUK_')));
  const child = spawn(
    process.execPath,
    [BIN, 'run', String(node?.sampleModelId), '--input', png, '--redundancy', '2', '--node', url],
    { env: base, stdio: 'pipe' },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const waitFor = async (what: string, ok: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (child.exitCode !== null) throw new Error(`souk run exited ${child.exitCode} before ${what}:\n${stderr}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${stderr}`);
      await sleep(20);
    }
  };
  try {
    // Mid-order: accepted (written to the node's database), no provider to run it yet. The node goes away.
    await waitFor('the acceptance', () => /order 0x[0-9a-f]{64} accepted/.test(stderr), 120_000);
    await node?.stop();
    node = undefined;
    await waitFor('the CLI to notice', () => stderr.includes('lost the node'), 30_000);
    await sleep(1_500); // down for a while: several retries
    node = await startNode({ ...config, providers: 2 }, { logger: false });
    const code = await Promise.race([exited, sleep(180_000).then(() => 'timeout' as const)]);
    assert.equal(code, 0, `souk run exited ${code}:\n${stderr}`);
    assert.match(stderr, /lost the node at .*; reconnecting in \d+\.\d s \(attempt 1\) to follow order 0x[0-9a-f]{64}/);
    assert.match(stderr, /reconnected to .* after \d+\.\d s; following order 0x[0-9a-f]{64}/);
    assert.match(stderr, /result verified \(2 signature\(s\) checked\)/);
    assert.doesNotMatch(stderr, /souk run: Cannot reach the Souk node/);
    assert.match(stdout, /Recognised text/);
    assert.match(stdout, new RegExp(TEXT));
    assert.match(stdout, /Verification\s+order 0x[0-9a-f]{64} agreed by 2/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
