/**
 * One React in the test process. The monorepo's root `node_modules` also holds React 18 (a dependency of a
 * dependency of the node), and CommonJS dependencies of wagmi and recharts `require('react')` from there, which
 * Vite's aliases cannot reach. Node's module hooks resolve `react` and `react-dom` from this app for every importer
 * (the bundle gets the same through `resolve.dedupe` in vite.config.ts).
 */
import { createRequire, registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Paths, not URL objects: jsdom replaces the global URL class.
const fromApp = createRequire(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json'));

let resolving = false; // `fromApp.resolve` runs these hooks too
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (resolving || !/^react(-dom)?(\/|$)/.test(specifier)) return nextResolve(specifier, context);
    resolving = true;
    try {
      return { url: pathToFileURL(fromApp.resolve(specifier)).href, format: 'commonjs', shortCircuit: true };
    } finally {
      resolving = false;
    }
  },
});
