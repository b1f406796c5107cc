/**
 * `souk run` follows its job through a node restart: the real `souk` bin runs in a child process against a whole
 * node (embedded devnet, PGlite, Helia, two local providers) in this process; the node stops mid-job (its HTTP
 * server, chain and providers go away) and starts again from the same data dir on the same port. The CLI says it
 * lost the node, reconnects with backoff, and prints the job's verified result.
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
    { 'data-dir': dataDir, port: String(await freePort()), 'devnet-port': String(await freePort()), providers: '2' },
    { SOUK_AUDIT_RATE: '0', RATE_LIMIT_PER_MINUTE: '100000' },
  );
  node = await startNode(config, { logger: false });
});

after(async () => {
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('souk run reconnects after the node restarts mid-job and prints the final result', {
  timeout: 300_000,
}, async () => {
  const png = path.join(dataDir, 'input.png');
  renderText(findImageMagick(), { out: png, text: TEXT, font: dejavuFont('DejaVuSans.ttf'), pointSize: 36 });
  const url = (node as RunningNode).url;
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOUK_')));
  const child = spawn(
    process.execPath,
    [BIN, 'run', String(node?.sampleModelId), '--input', png, '--redundancy', '2', '--node', url, '--on-chain'],
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
    // Mid-job: submitted on-chain, not settled. The node goes away (API, chain, providers).
    await waitFor('the submission', () => /submitted\s+job #\d+/.test(stderr), 120_000);
    await node?.stop();
    node = undefined;
    await waitFor('the CLI to notice', () => stderr.includes('lost the node'), 30_000);
    await sleep(1_500); // down for a while: several retries
    node = await startNode(config, { logger: false });
    const code = await Promise.race([exited, sleep(180_000).then(() => 'timeout' as const)]);
    assert.equal(code, 0, `souk run exited ${code}:\n${stderr}`);
    assert.match(stderr, /lost the node at .*; reconnecting in \d+\.\d s \(attempt 1\) to follow job #\d+/);
    assert.match(stderr, /reconnected to .* after \d+\.\d s; following job #\d+/);
    assert.match(stderr, /finalized\s+0x[0-9a-f]{64}/);
    assert.doesNotMatch(stderr, /souk run: Cannot reach the Souk node/);
    assert.match(stdout, /Recognised text/);
    assert.match(stdout, new RegExp(TEXT));
    assert.match(stdout, /Verification\s+job #\d+ finalized/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
