/**
 * `prepack` of the workspace package: refuses `npm pack -w @souk/sdk` / `npm publish -w @souk/sdk`, which would pack
 * the TypeScript sources (the workspace's `exports`) — a tarball Node cannot run from `node_modules` and that names
 * the unpublished `@souk/protocol`. The installable package is the build: `npm run pack:dist -w @souk/sdk`
 * (scripts/pack.ts). The built manifest (`dist/package.json`) has no scripts, so packing `dist/` is not refused.
 */
process.stderr.write(
  [
    'npm pack -w @souk/sdk would pack the TypeScript sources, which Node does not run from node_modules.',
    'Pack the build instead (self-contained: @souk/protocol inlined, viem as its one dependency):',
    '  npm run pack:dist -w @souk/sdk            # → ./souk-sdk-<version>.tgz',
    '  npm run pack:dist -w @souk/sdk -- --pack-destination <dir>',
    '',
  ].join('\n'),
);
process.exitCode = 1;
