#!/usr/bin/env node
/**
 * A `solc` executable backed by solc-js (the `solc` npm package), so that
 * `forge build --use ./tools/solc.mjs` compiles offline: forge never downloads a native compiler.
 *
 * forge needs exactly two behaviours of a solc binary:
 *  - `solc --version`        → prints `Version: <semver>+commit.<hash>...` (forge parses the semver);
 *  - `solc --standard-json`  → reads Standard JSON input on stdin, writes Standard JSON output on stdout.
 * Import paths arrive already resolved by forge (remappings applied), so the import callback only reads files
 * relative to the working directory or the `--base-path`/`--include-path` roots forge passes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const solc = require('solc');

const args = process.argv.slice(2);

if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write('This solc wrapper supports only --version and --standard-json.\n');
  process.exit(2);
}

/** Roots that imports may be resolved against, in forge's order. */
const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--base-path' || args[i] === '--include-path') roots.push(path.resolve(args[i + 1]));
  if (args[i] === '--allow-paths') for (const p of args[i + 1].split(',')) roots.push(path.resolve(p));
}

function findImports(importPath) {
  for (const root of roots) {
    try {
      return { contents: readFileSync(path.resolve(root, importPath), 'utf8') };
    } catch {}
  }
  return { error: `File not found: ${importPath}` };
}

const input = readFileSync(0, 'utf8');
process.stdout.write(solc.compile(input, { import: findImports }));
