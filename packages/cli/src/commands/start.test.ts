/**
 * `souk start` as a user sees it: the real bin on a port that is not the CLI's default, whose banner must name the
 * `--node` the other commands need, and whose request log keeps successful reads (status polls) out of the default
 * `info` level while a refused request still shows.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '@souk/contracts/test-utils';
import { nodeFlag } from './start.ts';

const BIN = fileURLToPath(new URL('../bin.ts', import.meta.url));

test('nodeFlag is empty for the default node URL and names any other', () => {
  assert.equal(nodeFlag('http://127.0.0.1:8080'), '');
  assert.equal(nodeFlag('http://127.0.0.1:8080/'), '');
  assert.equal(nodeFlag('http://127.0.0.1:9090'), ' --node http://127.0.0.1:9090');
  assert.equal(nodeFlag('http://0.0.0.0:8080'), ' --node http://0.0.0.0:8080');
});

describe('souk start on another port', { timeout: 180_000 }, () => {
  let child: ChildProcess;
  let dataDir: string;
  let port: number;
  let stdout = '';

  /** Resolves when stdout matches `pattern`; rejects when the process exits first. */
  const printed = (pattern: RegExp, timeoutMs = 150_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(stdout)) {
          clearInterval(timer);
          resolve();
        } else if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`souk start exited ${child.exitCode} before printing ${pattern}:\n${stdout}`));
        }
      };
      const timer = setInterval(check, 50);
      setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`souk start did not print ${pattern} within ${timeoutMs} ms:\n${stdout}`));
      }, timeoutMs).unref();
    });

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-cli-start-'));
    port = await freePort();
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOUK_')));
    child = spawn(
      process.execPath,
      [
        BIN,
        'start',
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        '--devnet-port',
        String(await freePort()),
        '--providers',
        '0',
      ],
      { env: { ...base, SOUK_SAMPLE_MODEL: '0', RATE_LIMIT_PER_MINUTE: '100000' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stdout += chunk;
    });
    await printed(/Ctrl-C stops the node/);
  });
  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the banner names the --node URL the other commands need', () => {
    const url = `http://127.0.0.1:${port}`;
    assert.match(stdout, new RegExp(`^ {2}Web app {4}${url}/$`, 'm'));
    assert.match(
      stdout,
      new RegExp(`^ {2}CLI {8}not the CLI's default node \\(http://127\\.0\\.0\\.1:8080\\): add --node ${url} to`, 'm'),
    );
    assert.match(stdout, new RegExp(`\\(or export SOUK_NODE_URL=${url}\\)$`, 'm'));
  });

  test('the request log shows a refused request at info but not a successful read', async () => {
    const url = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${url}/api/v1/assets?limit=1`)).status, 200);
    assert.equal((await fetch(`${url}/api/v1/assets/987654`)).status, 404);
    await printed(
      /"url":"\/api\/v1\/assets\/987654".*"msg":"request completed"|"msg":"request completed".*"url":"\/api\/v1\/assets\/987654"/,
      10_000,
    );
    const requestLines = stdout.split('\n').filter((line) => line.includes('"msg":"request completed"'));
    assert.ok(
      requestLines.some((line) => line.includes('"statusCode":404')),
      'the 404 is logged with its status',
    );
    assert.ok(!requestLines.some((line) => line.includes('/api/v1/assets?limit=1')), 'the 200 read is not at info');
    assert.doesNotMatch(stdout, /"msg":"incoming request"/);
  });
});
