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
 * `@souk/protocol` (the wire contract: EIP-712 types, headers, status codes) is not published on its own: it is
 * compiled into `dist/protocol/` (`packages/protocol/tsconfig.build.json`) and every `'@souk/protocol'` specifier
 * in the emitted JavaScript and declarations is rewritten to the relative path of `dist/protocol/index.js`
 * ({@link inlineProtocol}), so the tarball is self-contained and its manifest does not name the private package.
 *
 * Usage: `npm run build -w @souk/sdk`
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** The workspace package compiled into the SDK instead of being a dependency. */
const INLINED = '@souk/protocol';

/**
 * The published manifest, from the workspace's: the compiled entry points replace the sources, and the inlined
 * `@souk/protocol` leaves the dependencies.
 * @throws {Error} When the inlined package needs a runtime dependency the SDK does not declare.
 */
export function distManifest(
  workspace: Record<string, unknown>,
  inlined: Record<string, unknown> = { dependencies: {} },
): Record<string, unknown> {
  const { private: _private, scripts: _scripts, devDependencies: _dev, exports: _exports, ...rest } = workspace;
  const { [INLINED]: _inlined, ...dependencies } = (workspace.dependencies ?? {}) as Record<string, string>;
  for (const name of Object.keys((inlined.dependencies ?? {}) as Record<string, string>)) {
    if (!(name in dependencies)) throw new Error(`${INLINED} depends on ${name}, which @souk/sdk does not declare.`);
  }
  return {
    ...rest,
    dependencies,
    main: './index.js',
    types: './index.d.ts',
    exports: { '.': { types: './index.d.ts', default: './index.js' }, './package.json': './package.json' },
  };
}

/**
 * Rewrites `from '@souk/protocol'` (and `import('@souk/protocol')`) in one emitted file to the relative path of the
 * compiled protocol entry point.
 * @param code The emitted JavaScript or declaration text.
 * @param fromDir The directory of that file, relative to `dist/` (`''` for the root).
 * @returns The text with every specifier rewritten.
 * @example inlineProtocol("import { x } from '@souk/protocol';", 'actions/assets') // "… from '../../protocol/index.js';"
 */
export function inlineProtocol(code: string, fromDir: string): string {
  const target = relative(fromDir || '.', 'protocol/index.js')
    .split(sep)
    .join('/');
  const specifier = target.startsWith('.') ? target : `./${target}`;
  return code.replace(/(['"])@souk\/protocol\1/g, `$1${specifier}$1`);
}

function emittedFiles(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under), { withFileTypes: true }).flatMap((entry) => {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return path === 'protocol' ? [] : emittedFiles(dir, path);
    return /\.(js|d\.ts)$/.test(entry.name) ? [path] : [];
  });
}

if (import.meta.main) {
  rmSync(dist, { recursive: true, force: true });
  const tsc = join(root, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');
  const protocol = join(root, '..', 'protocol');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  execFileSync(
    process.execPath,
    [tsc, '-p', join(protocol, 'tsconfig.build.json'), '--outDir', join(dist, 'protocol')],
    { stdio: 'inherit' },
  );
  for (const file of emittedFiles(dist)) {
    const path = join(dist, file);
    const code = readFileSync(path, 'utf8');
    const rewritten = inlineProtocol(code, dirname(file) === '.' ? '' : dirname(file));
    if (rewritten !== code) writeFileSync(path, rewritten);
  }
  const workspace = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const inlined = JSON.parse(readFileSync(join(protocol, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dist, 'package.json'), `${JSON.stringify(distManifest(workspace, inlined), null, 2)}\n`);
  for (const file of ['README.md', 'LICENSE']) {
    if (existsSync(join(root, file))) copyFileSync(join(root, file), join(dist, file));
  }
  process.stdout.write(`built ${dist}\n`);
}
