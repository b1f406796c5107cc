/**
 * Every `Examples:` line of every command's `--help`, as written: its flags are ones the help documents, and the
 * command takes it — run in-process against a node that does not listen (or, for paths that do not exist here, up
 * to the file check), so it gets past every argument check: a node-bound example ends at "Cannot reach the Souk
 * node" (exit 1), a publish or bundle of a missing path at the path check, a train of a missing dataset at its check. `souk start` examples, which would start
 * a node, are checked for their flags only (compose.test.ts runs start's flags against `loadConfig`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as account from './commands/account.ts';
import * as bundle from './commands/bundle.ts';
import * as buy from './commands/buy.ts';
import * as download from './commands/download.ts';
import * as evaluate from './commands/eval.ts';
import * as list from './commands/list.ts';
import * as order from './commands/order.ts';
import * as provider from './commands/provider.ts';
import * as publish from './commands/publish.ts';
import * as run from './commands/run.ts';
import * as start from './commands/start.ts';
import * as train from './commands/train.ts';

type Command = { help: string; run: (argv: string[]) => Promise<number> };
const COMMANDS: Record<string, Command> = {
  start,
  account,
  publish,
  bundle,
  list,
  buy,
  download,
  order,
  run,
  train,
  eval: evaluate,
  provider,
};
/** Nothing listens here: a command that gets past its argument checks fails to connect (exit 1). */
const NOWHERE = 'http://127.0.0.1:9';

/** A command line split as a POSIX shell would split these (words, "double" and 'single' quotes). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The examples of a help text: each `souk <name> …` line after `Examples`, its `# comment` removed, as argv. */
function examples(help: string, name: string): string[][] {
  const at = help.search(/^Examples\b.*:$/m);
  if (at < 0) return [];
  return help
    .slice(at)
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith(`souk ${name}`))
    .map((line) => words(line).slice(2));
}

/** The flags (`--x`, `-x`) the help's text before its examples documents. */
function documented(help: string): Set<string> {
  const options = help.split(/^Examples\b/m)[0];
  return new Set([...options.matchAll(/(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b/g)].map((m) => m[1]));
}

describe('--help examples', () => {
  test('most commands show examples', () => {
    const withExamples = Object.entries(COMMANDS).filter(([name, c]) => examples(c.help, name).length > 0);
    assert.ok(withExamples.length >= 6, withExamples.map(([name]) => name).join(', '));
  });

  test('every flag an example uses is one its help documents', () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      const known = documented(command.help);
      for (const argv of examples(command.help, name)) {
        for (const arg of argv) {
          const flag = arg.split('=')[0];
          if (/^--?[a-z]/.test(flag)) assert.ok(known.has(flag), `souk ${name} ${argv.join(' ')}: ${flag}`);
        }
      }
    }
  });

  test('every example gets past its command’s argument checks', async (t) => {
    const errors = t.mock.method(console, 'error', () => {});
    t.mock.method(console, 'log', () => {});
    let ran = 0;
    for (const [name, command] of Object.entries(COMMANDS)) {
      if (name === 'start') continue;
      for (const argv of examples(command.help, name)) {
        errors.mock.resetCalls();
        // souk bundle works offline (no --node); the others are pointed at a node that does not listen.
        const code = await command.run(name === 'bundle' ? argv : [...argv, '--node', NOWHERE]);
        const printed = errors.mock.calls.map((c) => String(c.arguments[0])).join('\n');
        const example = `souk ${name} ${argv.join(' ')}`;
        if (name === 'bundle' || name === 'publish') {
          // The paths of the examples do not exist here: the file check is the last check before any work.
          assert.equal(code, 2, `${example}: ${printed}`);
          assert.match(printed, /is not a readable (file or )?folder/, example);
        } else if (name === 'rounds') {
          // Its shards are read (and their shape checked) before the node is asked anything.
          assert.equal(code, 2, `${example}: ${printed}`);
          assert.match(printed, /--shard: cannot read [\w-]+\.npz/, example);
        } else if ((name === 'train' || name === 'eval') && argv.includes('--dataset')) {
          // Its dataset is read (and its shape checked) before the node is asked anything.
          assert.equal(code, 2, `${example}: ${printed}`);
          assert.match(printed, /--dataset: cannot read [\w-]+\.npz/, example);
        } else {
          assert.equal(code, 1, `${example}: ${printed}`);
          assert.match(printed, /Cannot reach the Souk node at http:\/\/127\.0\.0\.1:9/, example);
        }
        ran++;
      }
    }
    assert.ok(ran >= 10, `${ran} examples run`);
  });
});
