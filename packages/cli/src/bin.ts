#!/usr/bin/env node
/**
 * `souk`: one program with subcommands. Each command lives in `commands/<name>.ts` and exports `help` and `run`.
 */
import * as start from './commands/start.ts';

type Command = { summary: string; help: string; run: (argv: string[]) => Promise<number> };
const commands: Record<string, Command> = { start };

const usage = `Usage: souk <command> [options]

Souk: an open marketplace for AI models, agents, datasets and compute.

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run 'souk <command> --help' for a command's options.`;

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage);
  process.exit(name ? 0 : 1);
}
const command = commands[name];
if (!command) {
  console.error(`souk: unknown command "${name}".\n\n${usage}`);
  process.exit(2);
}
if (rest.includes('--help') || rest.includes('-h')) {
  console.log(command.help);
  process.exit(0);
}
process.exitCode = await command.run(rest);
