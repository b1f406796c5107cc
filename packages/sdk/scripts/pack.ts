/**
 * Builds and packs the installable `@souk/sdk`: `scripts/build.ts` (dist/: ESM JavaScript, declarations, the
 * inlined `@souk/protocol` and the published manifest), then `npm pack` of `dist/`. The tarball
 * (`souk-sdk-<version>.tgz`) is self-contained: its only dependency, viem, comes from the registry.
 *
 * Usage: `npm run pack:dist -w @souk/sdk` (the tarball lands in the directory npm was run from), or
 * `npm run pack:dist -w @souk/sdk -- --pack-destination <dir>`. Prints the tarball's path on stdout.
 *
 * `npm pack -w @souk/sdk` itself is refused (scripts/prepack.ts): npm packs a workspace's own directory, whose
 * `exports` are the TypeScript sources the workspace runs, and Node does not strip types under `node_modules`.
 */
import { execFileSync } from 'node:child_process';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The environment of the nested `npm pack`, without npm's per-run settings: a workspace run sets
 * `npm_config_workspace`, which would make the nested npm pack the workspace (sources) instead of `dist/`.
 */
export function packEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { 'pack-destination': { type: 'string' } } });
  // INIT_CWD: where `npm run` was invoked (npm runs scripts in the package's directory).
  const base = process.env.INIT_CWD ?? process.cwd();
  const destination = values['pack-destination'] ?? base;
  const target = isAbsolute(destination) ? destination : resolve(base, destination);
  // The build's output (tsc's diagnostics included) goes to stderr: stdout is the tarball's path alone.
  execFileSync(process.execPath, [join(root, 'scripts', 'build.ts')], { stdio: ['ignore', 2, 2] });
  const packed = execFileSync('npm', ['pack', join(root, 'dist'), '--json', '--pack-destination', target], {
    cwd: target,
    env: packEnv(process.env),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [{ filename }] = JSON.parse(packed) as { filename: string }[];
  process.stdout.write(`${join(target, filename)}\n`);
}
