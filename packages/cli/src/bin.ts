#!/usr/bin/env node
/**
 * `souk`: one program with subcommands. Each command lives in `commands/<name>.ts` and exports `summary`, `help`
 * and `run(argv)`, which resolves to the exit code: 0 ok, 1 failure, 2 usage error. Commands are imported only
 * when used (the node behind `souk start` takes seconds to load).
 */
import { enableCompileCache } from 'node:module';
import type { Command } from './command.ts';

// Node's on-disk compile cache (in the OS temp directory) makes the next start of a command faster.
enableCompileCache?.();

const commands: Record<string, () => Promise<Command>> = {
  start: () => import('./commands/start.ts'),
  account: () => import('./commands/account.ts'),
  publish: () => import('./commands/publish.ts'),
  bundle: () => import('./commands/bundle.ts'),
  list: () => import('./commands/list.ts'),
  buy: () => import('./commands/buy.ts'),
  download: () => import('./commands/download.ts'),
  order: () => import('./commands/order.ts'),
  run: () => import('./commands/run.ts'),
  train: () => import('./commands/train.ts'),
  eval: () => import('./commands/eval.ts'),
  rounds: () => import('./commands/rounds.ts'),
  royalties: () => import('./commands/royalties.ts'),
  provider: () => import('./commands/provider.ts'),
};

async function usage(): Promise<string> {
  const loaded = await Promise.all(Object.entries(commands).map(async ([name, load]) => [name, await load()] as const));
  return `Usage: souk <command> [options]

Souk: an open marketplace for AI models, agents, datasets and compute.

Commands:
${loaded.map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`).join('\n')}

Every command takes --help. Commands that talk to a node take --node <url> (env SOUK_NODE_URL) and --json.
Exit codes: 0 ok, 1 failure, 2 usage error.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    console.log(await usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    console.log(pkg.version);
    return 0;
  }
  if (!name) {
    console.error(await usage());
    return 2;
  }
  const wanted = name === 'help' ? rest[0] : name;
  const load = Object.hasOwn(commands, wanted) ? commands[wanted] : undefined;
  if (!load) {
    console.error(`souk: unknown command "${wanted}". Run 'souk --help' for the list.`);
    return 2;
  }
  const command = await load();
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (name === 'help' || options.includes('--help') || options.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const { formatError } = await import('./errors.ts');
  console.error(`souk: ${formatError(error)}`);
  process.exitCode = 1;
}
