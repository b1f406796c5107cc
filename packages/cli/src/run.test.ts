/**
 * `souk run` and `souk provider status` beyond `--help`: the real bin against a whole node with its 2 local
 * providers (embedded devnet, PGlite, PaddleOCR on ONNX Runtime), on an image ImageMagick renders; then the error
 * paths — an unknown asset, an unreadable input, a node that does not answer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { dejavuFont, findImageMagick, levenshtein, renderText } from '@souk/provider/test-utils';
import { parseEther } from 'viem';
import { souk, soukJson } from './test-utils.ts';

const TEXT = 'Souk CLI run 4242';
const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();

type RunJson = {
  job: {
    id: string;
    status: string;
    requester: string;
    payouts: Array<{ role: string; account: string; amount: string }>;
    events: Array<{ kind: string; tx_hash: string }>;
  };
  result: {
    jobId: string;
    status: string;
    resultHash: string;
    output: { lines: Array<{ text: string; confidence: number }> };
    providers: Array<{ provider: string; resultHash: string; agreed: boolean }>;
  };
};
type StatusJson = {
  address: string;
  registered: boolean;
  active: boolean;
  stakeWei: string;
  unbondingWei: string;
  completed: number;
  failed: number;
  slashed: number;
};

/** A loopback URL nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('souk run and souk provider against a node with local providers', { timeout: 600_000 }, () => {
  let node: RunningNode;
  let dataDir: string;
  let env: Record<string, string>;
  let image: string;
  let sampleId: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-cli-run-'));
    image = path.join(dataDir, 'input.png');
    renderText(findImageMagick(), { out: image, text: TEXT, font: dejavuFont('DejaVuSans.ttf'), pointSize: 40 });
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '2' },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_AUDIT_RATE: '0' },
    );
    node = await startNode(config, { logger: false });
    sampleId = String(node.sampleModelId);
    env = { SOUK_NODE_URL: node.url };
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const dev = (i: number) => node.services.chain.devAccounts[i];

  test('souk run --json: the recognised text, both providers agreeing, the job finalized and the 80/15/5 payouts', async () => {
    const reward = parseEther('0.01');
    const { job, result } = await soukJson<RunJson>(
      ['run', sampleId, '--input', image, '--redundancy', '2', '--max-price', '0.01', '--on-chain'],
      env,
    );
    const text = normalise(result.output.lines.map((l) => l.text).join(' '));
    assert.ok(levenshtein(text, TEXT) <= 2, `recognised ${JSON.stringify(text)}`);
    assert.equal(result.status, 'finalized');
    assert.equal(job.status, 'finalized');
    assert.equal(job.id, result.jobId);
    assert.equal(job.requester.toLowerCase(), dev(1).address.toLowerCase()); // dev account 1 by default
    assert.match(result.resultHash, /^0x[0-9a-f]{64}$/);
    const agreed = result.providers.filter((p) => p.agreed);
    assert.equal(agreed.length, 2);
    for (const p of agreed) assert.equal(p.resultHash.toLowerCase(), result.resultHash.toLowerCase());
    const paid = (role: string) => job.payouts.filter((p) => p.role === role).map((p) => BigInt(p.amount));
    assert.deepEqual(paid('provider'), [(reward * 8_000n) / 10_000n / 2n, (reward * 8_000n) / 10_000n / 2n]);
    assert.deepEqual(paid('creator'), [(reward * 500n) / 10_000n]);
    assert.deepEqual(paid('treasury'), [(reward * 1_500n) / 10_000n]);
    assert.ok(job.events.some((e) => e.kind === 'JobSettled'));
  });

  test('souk run (text): prints the recognised text, the verification, the payouts and the transactions', async () => {
    const run = await souk(['run', sampleId, '--input', image, '--on-chain'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Recognised text$/m);
    const recognised = run.stdout.split('\n')[1] ?? '';
    assert.ok(levenshtein(normalise(recognised.replace(/\s+\(\d\.\d{3}\)$/, '')), TEXT) <= 2, recognised);
    assert.match(run.stdout, /^Verification {2}job #\d+ finalized$/m);
    assert.match(run.stdout, /^ {2}result hash {2}0x[0-9a-f]{64}$/m);
    assert.equal((run.stdout.match(/^ {2}agreed /gm) ?? []).length, 2);
    assert.match(run.stdout, /^Payouts$/m);
    for (const role of ['provider', 'creator', 'treasury'])
      assert.match(run.stdout, new RegExp(`^ {2}${role} +0x`, 'm'));
    assert.match(run.stdout, /^ {2}JobSettled +0x[0-9a-f]{64}$/m);
    // Progress goes to stderr: the lifecycle, in order.
    const steps = ['submitted', 'assigned', 'committed', 'revealed', 'finalized'].map((s) =>
      run.stderr.indexOf(`s  ${s}`),
    );
    for (const [i, at] of steps.entries()) assert.ok(at >= 0 && (i === 0 || at > steps[i - 1]), run.stderr);
  });

  test('souk run (signed order, the default): the verified text with both signatures, paid in the next batch', async () => {
    const run = await souk(['run', sampleId, '--input', image, '--redundancy', '2', '--max-price', '0.001'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Recognised text$/m);
    const recognised = run.stdout.split('\n')[1] ?? '';
    assert.ok(levenshtein(normalise(recognised.replace(/\s+\(\d\.\d{3}\)$/, '')), TEXT) <= 2, recognised);
    assert.match(run.stdout, /^Verification {2}order 0x[0-9a-f]{64} agreed by 2$/m);
    assert.equal((run.stdout.match(/^ {2}signed {2}0x[0-9a-fA-F]{40} {2}0x/gm) ?? []).length, 2);
    assert.match(run.stdout, /^ {2}settled {2}batch tx 0x[0-9a-f]{64}$/m);
    assert.match(run.stderr, /result verified \(2 signature\(s\) checked\)/);
    const json = await soukJson<{ order: { phase: string; amount: string; attestations: unknown[] } }>(
      ['run', sampleId, '--input', image, '--redundancy', '1', '--max-price', '0.001', '--json'],
      env,
    );
    assert.equal(json.order.phase, 'settled');
    assert.equal(json.order.amount, String(parseEther('0.001')));
    assert.equal(json.order.attestations.length, 1);
  });

  test('souk provider status: a local provider is registered and active, with its stake and completed jobs', async () => {
    const status = await soukJson<StatusJson>(['provider', 'status', '--account', '9'], env);
    assert.equal(status.address, dev(9).address);
    assert.equal(status.registered, true);
    assert.equal(status.active, true);
    assert.ok(BigInt(status.stakeWei) > 0n);
    assert.equal(status.unbondingWei, '0');
    assert.ok(status.completed >= 1, `completed ${status.completed}`); // it ran the jobs above (r = 2, 2 providers)
    assert.equal(status.slashed, 0);
    const text = await souk(['provider', 'status', '--account', '9'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^Provider ${dev(9).address} {2}active$`, 'm'));
    assert.match(text.stdout, /^ {2}stake {6}\d+(\.\d+)? SOUK$/m);
  });

  test('souk provider status of an account that never registered says so', async () => {
    const status = await soukJson<StatusJson>(['provider', 'status', '--account', '3'], env);
    assert.equal(status.registered, false);
    assert.equal(status.active, false);
    assert.equal(status.stakeWei, '0');
    const text = await souk(['provider', 'status', '--account', '3'], env);
    assert.match(text.stdout, /not registered/);
  });

  test('souk run of an unknown asset fails (exit 1) with the node’s reason, and runs no job', async () => {
    const before = await (await fetch(`${node.url}/api/v1/jobs?limit=100`)).json();
    const run = await souk(['run', '999999', '--input', image], env);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /404|not found|999999/i);
    assert.deepEqual(await (await fetch(`${node.url}/api/v1/jobs?limit=100`)).json(), before);
  });

  test('souk run with an unreadable input is a usage error (exit 2) before any request', async () => {
    const run = await souk(['run', sampleId, '--input', path.join(dataDir, 'missing.png')], {
      SOUK_NODE_URL: await deadUrl(),
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--input: cannot read .*missing\.png/);
  });

  test('souk run and souk provider status against a node that does not answer: exit 1, naming the URL', async () => {
    const url = await deadUrl();
    for (const args of [
      ['run', sampleId, '--input', image],
      ['provider', 'status'],
    ]) {
      const run = await souk(args, { SOUK_NODE_URL: url });
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.ok(run.stderr.includes(url), `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
    }
  });
});
