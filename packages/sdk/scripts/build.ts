/**
 * Builds the installable `@souk/sdk` into `dist/`: ESM JavaScript with `.d.ts` declarations
 * (`tsc -p tsconfig.build.json`, relative `.ts` imports rewritten to `.js`), and `dist/package.json`, the manifest
 * that is packed and published: `exports` on the compiled files, the runtime dependencies, no workspace fields.
 *
 * The workspace itself keeps importing the TypeScript sources (`exports` of packages/sdk/package.json), which Node
 * runs by type stripping; a consumer installs the tarball of `dist/` (`npm pack ./packages/sdk/dist`), because Node
 * does not strip types under node_modules. npm's `publishConfig` cannot swap `exports` (it only overrides registry
 * settings), hence the separate manifest.
 *
 * Usage: `npm run build -w @souk/sdk`
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** The published manifest, from the workspace's: the compiled entry points replace the sources. */
export function distManifest(workspace: Record<string, unknown>): Record<string, unknown> {
  const { private: _private, scripts: _scripts, devDependencies: _dev, exports: _exports, ...rest } = workspace;
  return {
    ...rest,
    main: './index.js',
    types: './index.d.ts',
    exports: { '.': { types: './index.d.ts', default: './index.js' }, './package.json': './package.json' },
  };
}

if (import.meta.main) {
  rmSync(dist, { recursive: true, force: true });
  const tsc = join(root, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  const workspace = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dist, 'package.json'), `${JSON.stringify(distManifest(workspace), null, 2)}\n`);
  for (const file of ['README.md', 'LICENSE']) {
    if (existsSync(join(root, file))) copyFileSync(join(root, file), join(dist, file));
  }
  process.stdout.write(`built ${dist}\n`);
}
