/**
 * The `souk` program itself, spawned as a user runs it: help everywhere and the exit-code contract (0 ok, 1 failure,
 * 2 usage error); argument checks run in-process through the commands' `run`. No node is needed.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as buy from './commands/buy.ts';
import * as list from './commands/list.ts';
import * as order from './commands/order.ts';
import * as publish from './commands/publish.ts';
import { type SoukRun, souk } from './test-utils.ts';

/** Every registered command, in `souk --help` order. */
const COMMANDS = [
  'start',
  'account',
  'publish',
  'bundle',
  'list',
  'buy',
  'download',
  'order',
  'run',
  'train',
  'eval',
  'rounds',
  'royalties',
  'provider',
];

describe('souk', () => {
  // Every spawn starts at once (each is a Node start-up); the tests then read their own.
  const runs = new Map<string, Promise<SoukRun>>();
  const spawned = (...args: string[]) => runs.get(args.join(' ')) as Promise<SoukRun>;
  before(() => {
    for (const args of [
      ['--help'],
      ...COMMANDS.map((name) => [name, '--help']),
      ['buy', '-h'],
      ['help', 'order'],
      ['publish', '--bogus', '--help'],
      [],
      ['sell'],
      ['list', '--colour', 'red'],
      ['list', '--node', 'http://127.0.0.1:9'],
    ]) {
      runs.set(args.join(' '), souk(args));
    }
  });

  test('souk --help lists every command with its summary and exits 0', async () => {
    const run = await spawned('--help');
    assert.equal(run.code, 0, run.stderr);
    const listed = [...run.stdout.matchAll(/^ {2}([a-z]+) {2,}\S/gm)].map((m) => m[1]);
    assert.deepEqual(listed, COMMANDS, 'a new command needs its --help tested here');
  });

  test('every command answers --help (also -h and souk help <command>) with its usage and exits 0', async () => {
    const helps = await Promise.all([
      ...COMMANDS.map((name) => spawned(name, '--help')),
      spawned('buy', '-h'),
      spawned('help', 'order'),
    ]);
    for (const [i, run] of helps.entries()) {
      const name = COMMANDS[i] ?? (i === COMMANDS.length ? 'buy' : 'order');
      assert.equal(run.code, 0, `${name}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`^Usage: souk ${name}`), name);
      if (name !== 'start') {
        // souk bundle works offline: no --node.
        if (name !== 'bundle') assert.match(run.stdout, /--node <url>/, `${name} documents --node`);
        assert.match(run.stdout, /--json/, `${name} documents --json`);
      }
    }
    const publish = helps[COMMANDS.indexOf('publish')].stdout;
    for (const flag of ['--kind', '--name', '--price', '--currency', '--royalty', '--licence-terms', '--list']) {
      assert.ok(publish.includes(flag), `publish --help mentions ${flag}`);
    }
  });

  test('--help wins over other arguments, even invalid ones', async () => {
    const run = await spawned('publish', '--bogus', '--help');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: souk publish/);
  });

  test('no command, an unknown command, an unknown flag or a missing argument exit 2 with a message on stderr', async () => {
    const [none, unknown, flag] = await Promise.all([spawned(), spawned('sell'), spawned('list', '--colour', 'red')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: souk <command>/);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "sell"/);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /souk list: Unknown option '--colour'/);
    assert.match(flag.stderr, /Run 'souk list --help'/);
    for (const run of [none, unknown, flag]) assert.equal(run.stdout, '');
  });

  test('bad arguments and values are refused with exit 2 before any network call', async (t) => {
    const errors = t.mock.method(console, 'error', () => {});
    const node = ['--node', 'http://127.0.0.1:9']; // nothing listens: a network call would exit 1
    const publishing =
      (...args: string[]) =>
      () =>
        publish.run(['x.bin', '--kind', 'model', '--name', 'n', ...args, ...node]);
    const cases: Array<[() => Promise<number>, RegExp]> = [
      [
        () => publish.run(['x.bin', '--kind', 'song', '--name', 'n', ...node]),
        /--kind must be model, agent or dataset/,
      ],
      [() => publish.run(['x.bin', '--kind', 'model', ...node]), /--name is required/],
      [publishing('--royalty', '12%'), /above the 10% \(1000bps\) cap/],
      [publishing('--royalty', '5'), /write 5% or 500bps/],
      [publishing('--price', '1', '--licence-duration', 'soon'), /"soon" is not a duration/],
      [publishing('--licence-duration', '30d'), /--licence-duration goes with --price/],
      [publishing('--list'), /--list needs --price or --list-price/],
      [publishing('--currency', 'musd'), /--currency goes with --price/],
      [
        () => publish.run(['missing.bin', '--kind', 'model', '--name', 'n', ...node]),
        /missing\.bin is not a readable file/,
      ],
      [() => order.run(node), /souk order: Missing <hash>/],
      [() => order.run(['7', ...node]), /<hash> must be 0x \+ 64 hex digits/],
      [() => buy.run(['seven', ...node]), /<assetId> must be a non-negative integer/],
      [() => buy.run(['1', '--licensee', '0x1', ...node]), /--licensee goes with --licence/],
      [() => list.run(['--limit', '500', ...node]), /--limit must be 1\.\.100/],
    ];
    for (const [i, [run, message]] of cases.entries()) {
      errors.mock.resetCalls();
      assert.equal(await run(), 2, `case ${i}`);
      const printed = String(errors.mock.calls[0]?.arguments[0]);
      assert.match(printed, message, `case ${i}`);
      assert.match(printed, /Run 'souk \w+ --help' for its options\.$/);
    }
  });

  test('an unreachable node is a failure (exit 1) that names the URL', async () => {
    const run = await spawned('list', '--node', 'http://127.0.0.1:9');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /souk list: Cannot reach the Souk node at http:\/\/127\.0\.0\.1:9/);
  });
});
