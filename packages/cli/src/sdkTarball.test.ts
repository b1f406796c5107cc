/**
 * `@souk/sdk` as someone outside the repository gets it: `npm run pack:dist -w @souk/sdk` (packages/sdk/scripts/
 * pack.ts: build, then `npm pack` of dist/), the tarball installed in a fresh project in the OS temp directory
 * (`npm install --prefer-offline`: viem from npm's cache, else the registry), and a plain-`node` script of that
 * project that reads the marketplace of a whole node started here (embedded devnet, PGlite, Helia, the OCR model,
 * 2 local providers), signs in, runs the OCR model through a job order and has the SDK verify the result (order
 * hash, result hash, each provider's EIP-712 attestation and on-chain stake) on an image ImageMagick renders; the
 * tarball's file list (the build alone: no TypeScript sources, no tests) and a TypeScript consumer type-checked by
 * tsc against the installed declarations. The SDK's only packing test (it was packages/sdk/src/pack.test.ts, against
 * a fake node): building, packing and installing takes about 50 s, so it is done once, here, where a node can run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { dejavuFont, findImageMagick, levenshtein, renderText } from '@souk/provider/test-utils';

const run = promisify(execFile);
const SDK = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sdk');
const REPO = path.join(SDK, '..', '..');
const TEXT = 'Tarball SDK 2718';
/** The child processes' environment without npm's per-run settings (`npm test -w` sets `npm_config_workspace`). */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

/** The consumer's program: only the installed `@souk/sdk` and the viem it brought. */
const CONSUMER = `import {
  createSoukClient,
  getAsset,
  getAssetManifest,
  getNodeInfo,
  listAssets,
  runOrder,
  signIn,
  SoukApiError,
} from '@souk/sdk';
import { parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { readFileSync } from 'node:fs';

const [url, key, image] = process.argv.slice(2);
const client = createSoukClient({ url });
const info = await getNodeInfo(client);
// A node's problem+json arrives as the SDK's own error class (one copy of it: the installed package's).
const missing = await getAsset(client, { assetId: 999n }).catch((error) => error);
// The index follows the chain: a model minted a moment ago may take a poll interval to be listed.
let ocr;
for (let i = 0; i < 60 && !ocr; i++) {
  const { items } = await listAssets(client, { kind: 'model', q: 'OCR' });
  ocr = items.find((asset) => asset.name?.includes('OCR'));
  if (!ocr) await new Promise((resolve) => setTimeout(resolve, 500));
}
if (!ocr) throw new Error('no OCR model in the marketplace after 30 s');
const manifest = await getAssetManifest(client, { assetId: BigInt(ocr.id) });
await signIn(client, { account: privateKeyToAccount(key) });
const result = await runOrder(client, {
  assetId: BigInt(ocr.id),
  input: readFileSync(image),
  redundancy: 2,
  maxPriceWei: parseEther('0.001'),
});
console.log(JSON.stringify({
  chainId: info.chainId,
  missing: { apiError: missing instanceof SoukApiError, status: missing.status },
  assetId: String(ocr.id),
  pipeline: manifest.runtime?.pipeline ?? null,
  text: result.output.lines.map((line) => line.text).join(' '),
  resultHash: result.resultHash,
  providers: result.providers,
  resolvedBy: result.resolvedBy,
  phase: result.order.phase,
}));
`;

/**
 * A TypeScript consumer: it sees the SDK's real types (an unresolved declaration would make them `any`, and the
 * expected error below would then be unused, which tsc reports).
 */
const TYPED_CONSUMER = `import { createSoukClient, getNodeInfo } from '@souk/sdk';
const info = await getNodeInfo(createSoukClient({ url: 'http://127.0.0.1:1' }));
export const id: number = info.chainId;
// @ts-expect-error chainId is a number
export const bad: string = info.chainId;
`;

describe('@souk/sdk installed from its tarball, against a node', { timeout: 600_000 }, () => {
  let node: RunningNode;
  let work: string;
  let project: string;
  let image: string;
  let tarball: string;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'souk-sdk-tarball-'));
    image = path.join(work, 'input.png');
    renderText(findImageMagick(), { out: image, text: TEXT, font: dejavuFont('DejaVuSans.ttf'), pointSize: 40 });
    project = path.join(work, 'consumer');
    mkdirSync(project);
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    writeFileSync(path.join(project, 'main.mjs'), CONSUMER);
    const install = (async () => {
      const { stdout } = await run(
        process.execPath,
        [path.join(SDK, 'scripts', 'pack.ts'), '--pack-destination', work],
        {
          env,
          timeout: 300_000,
        },
      );
      const tarball = stdout.trim();
      await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
        cwd: project,
        env,
        timeout: 300_000,
      });
      return tarball;
    })();
    const config = loadConfig(
      { 'data-dir': path.join(work, 'node'), port: '0', 'devnet-port': String(await freePort()), providers: '2' },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_AUDIT_RATE: '0', SOUK_CATALOGUE: 'ocr' },
    );
    const [started, packed] = await Promise.all([startNode(config, { logger: false }), install]);
    node = started;
    tarball = packed;
  });
  after(async () => {
    await node?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the installed package is the build alone, with @souk/protocol inlined and viem its one dependency', () => {
    const installed = path.join(project, 'node_modules', '@souk', 'sdk');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
      private?: boolean;
      dependencies: Record<string, string>;
      exports: Record<string, unknown>;
    };
    assert.equal(manifest.private, undefined);
    assert.deepEqual(Object.keys(manifest.dependencies), ['viem']);
    assert.deepEqual(manifest.exports['.'], { types: './index.d.ts', default: './index.js' });
    assert.ok(existsSync(path.join(installed, 'index.js')) && existsSync(path.join(installed, 'index.d.ts')));
    assert.ok(existsSync(path.join(installed, 'protocol', 'index.js')), '@souk/protocol compiled in');
    assert.ok(!existsSync(path.join(installed, 'src')), 'no TypeScript sources');
    assert.ok(!existsSync(path.join(project, 'node_modules', '@souk', 'protocol')), 'no @souk/protocol package');
  });

  test('the tarball holds the build alone: JavaScript, declarations and the manifest, no sources or tests', async () => {
    // npm tarballs put every file under package/.
    const { stdout } = await run('tar', ['-tzf', tarball], { env });
    const paths = stdout
      .split('\n')
      .filter((line) => line.length > 0 && !line.endsWith('/'))
      .map((line) => line.replace(/^package\//, ''));
    for (const file of ['index.js', 'index.d.ts', 'package.json']) assert.ok(paths.includes(file), file);
    assert.deepEqual(
      paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts')),
      [],
      'no TypeScript sources in the tarball',
    );
    assert.deepEqual(
      paths.filter((p) => p.includes('test')),
      [],
      'no tests in the tarball',
    );
    assert.ok(existsSync(path.join(project, 'node_modules', 'viem')), 'viem resolved as a dependency');
  });

  test('a TypeScript consumer type-checks against the installed declarations', async () => {
    writeFileSync(path.join(project, 'check.ts'), TYPED_CONSUMER);
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          lib: ['ES2023', 'DOM'],
          types: [],
        },
        files: ['check.ts'],
      }),
    );
    await run(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
      cwd: project,
      env,
      timeout: 120_000,
    }).catch((error: { stdout?: string }) => assert.fail(`tsc failed on the consumer:\n${error.stdout}`));
  });

  test('a plain-node project reads the marketplace and runs the OCR model through a verified job order', async () => {
    const { stdout } = await run(
      process.execPath,
      ['main.mjs', node.url, node.services.chain.devAccounts[3].privateKey, image],
      { cwd: project, env, timeout: 180_000 },
    );
    const result = JSON.parse(stdout) as {
      chainId: number;
      missing: { apiError: boolean; status: number };
      assetId: string;
      pipeline: string | null;
      text: string;
      resultHash: string;
      providers: string[];
      resolvedBy: string;
      phase: string;
    };
    assert.equal(result.chainId, node.services.chain.chain.id);
    assert.deepEqual(result.missing, { apiError: true, status: 404 }, 'an unknown asset is a SoukApiError 404');
    assert.equal(result.assetId, String(node.sampleModelId));
    assert.equal(result.pipeline, 'ocr');
    const text = result.text.replace(/\s+/g, ' ').trim();
    assert.ok(levenshtein(text, TEXT) <= 2, `recognised ${JSON.stringify(text)}`);
    assert.match(result.resultHash, /^0x[0-9a-f]{64}$/);
    assert.deepEqual(
      result.providers.map((p) => p.toLowerCase()).sort(),
      node.providers.map((p) => p.address.toLowerCase()).sort(),
      'both local providers attested the result',
    );
    assert.equal(result.resolvedBy, 'agreement');
    assert.notEqual(result.phase, 'running');
  });
});
