/**
 * `@souk/sdk` installed outside the repository: build (`scripts/build.ts`), `npm pack` the built package, install
 * the tarball in a fresh project in the OS temp directory (its dependency viem comes from the registry or npm's
 * cache: `--prefer-offline`), import it with plain `node` and call `createSoukClient` + actions against a local
 * fake node (testing/fakeNode.ts: a real HTTP server, not a real Souk node), and type-check a consumer with tsc.
 * Without the build, the workspace package exports TypeScript sources, which Node refuses to run from node_modules.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeNode } from './testing/fakeNode.ts';

const run = promisify(execFile);
const sdk = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(sdk, '..', '..');
/** The child processes' environment without npm's per-run settings (a workspace run sets `npm_config_workspace`). */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

describe('@souk/sdk as an installed package', () => {
  const work = mkdtempSync(join(tmpdir(), 'souk-sdk-pack-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the packed SDK installs in a project outside the repo, runs with plain node and type-checks', async () => {
    await run(process.execPath, [join(sdk, 'scripts', 'build.ts')], { env });
    const { stdout: packOut } = await run(
      'npm',
      ['pack', join(sdk, 'dist'), '--json', '--pack-destination', work, '--ignore-scripts'],
      { cwd: work, env },
    );
    const [packed] = JSON.parse(packOut) as { filename: string; files: { path: string }[] }[];
    const paths = packed.files.map((f) => f.path);
    assert.ok(paths.includes('index.js') && paths.includes('index.d.ts') && paths.includes('package.json'));
    const sources = paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'));
    assert.deepEqual(sources, [], 'no TypeScript sources in the tarball');
    assert.ok(!paths.some((p) => p.includes('test')), 'no tests in the tarball');

    const project = join(work, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, packed.filename)],
      { cwd: project, env, timeout: 300_000 },
    );
    const installed = join(project, 'node_modules', '@souk', 'sdk');
    assert.ok(existsSync(join(installed, 'index.js')));
    assert.ok(!existsSync(join(installed, 'src')), 'the installed package has no sources');
    assert.ok(existsSync(join(project, 'node_modules', 'viem')), 'viem resolved as a dependency');

    const node = await startFakeNode((request) =>
      request.path === '/info'
        ? { body: { chainId: 31337, devnet: true, rpcUrl: 'http://127.0.0.1:8545', contracts: {} } }
        : undefined,
    );
    try {
      writeFileSync(
        join(project, 'main.mjs'),
        `import { createSoukClient, getAsset, getNodeInfo, SoukApiError } from '@souk/sdk';
const client = createSoukClient({ url: process.argv[2] });
const info = await getNodeInfo(client);
const error = await getAsset(client, { assetId: 999n }).catch((e) => e);
console.log(JSON.stringify({ chainId: info.chainId, apiError: error instanceof SoukApiError, status: error.status }));
`,
      );
      const { stdout } = await run(process.execPath, ['main.mjs', node.url], { cwd: project, env });
      assert.deepEqual(JSON.parse(stdout), { chainId: 31337, apiError: true, status: 404 });
      assert.deepEqual(
        node.received.map((r) => `${r.method} ${r.path}`),
        ['GET /info', 'GET /api/v1/assets/999'],
      );
    } finally {
      await node.close();
    }

    // A TypeScript consumer sees the real types (an unresolved declaration would make them `any`, and the
    // expected error below would be unused, which tsc reports).
    writeFileSync(
      join(project, 'check.ts'),
      `import { createSoukClient, getNodeInfo } from '@souk/sdk';
const info = await getNodeInfo(createSoukClient({ url: 'http://127.0.0.1:1' }));
export const id: number = info.chainId;
// @ts-expect-error chainId is a number
export const bad: string = info.chainId;
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
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
    await run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
      cwd: project,
      env,
    }).catch((error: { stdout?: string }) => assert.fail(`tsc failed on the consumer:\n${error.stdout}`));
  });
});
