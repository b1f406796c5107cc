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

  test('souk run: the verified text with both signatures, paid in the next batch', async () => {
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
    assert.ok(status.completed >= 1, `completed ${status.completed}`); // it ran the orders above (r = 2, 2 providers)
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

  test('souk run of an unknown asset fails (exit 1) with the node’s reason, and stores no order', async () => {
    const count = async () =>
      Number(
        (
          await node.services.db
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const run = await souk(['run', '999999', '--input', image], env);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /404|not found|999999/i);
    assert.equal(await count(), before);
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
